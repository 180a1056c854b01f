// The [landscape] config of the toy-landscape instrument (io/theory_config.h): defaults, overrides, round trip,
// bad values, documentation.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/io/theory_config.h"

namespace grokscope {
namespace {

TEST(LandscapeConfig, DefaultsFileThenOverrides) {
  const theory::LandscapeConfig d = parse_landscape_config("", {}, "");
  EXPECT_EQ(d.kind, theory::LandscapeKind::parabola);
  EXPECT_TRUE(d.starts.empty());
  EXPECT_EQ(d.lr, 0.01);
  EXPECT_EQ(d.steps, 1000000);
  const theory::LandscapeConfig c = parse_landscape_config(
      "[landscape]\nkind = \"curved\"\nlr = 0.1\n", {"landscape.starts=[1.0, 2.0]", "steps=500", "weight_decay=0.01"},
      "x.toml");
  EXPECT_EQ(c.kind, theory::LandscapeKind::curved);
  EXPECT_EQ(c.lr, 0.1);
  EXPECT_EQ(c.starts, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(c.steps, 500);
  EXPECT_EQ(c.weight_decay, 0.01);
  // to_toml reads back to the same config (and the same hash).
  const theory::LandscapeConfig back = parse_landscape_config(to_toml(c), {}, "");
  EXPECT_EQ(to_json(back), to_json(c));
  EXPECT_EQ(landscape_config_hash(back), landscape_config_hash(c));
  EXPECT_NE(landscape_config_hash(d), landscape_config_hash(c));
}

void expect_error(const std::string& text, const std::vector<std::string>& overrides, const std::string& key) {
  try {
    theory::validate(parse_landscape_config(text, overrides, ""));
    ADD_FAILURE() << "no error for " << text << (overrides.empty() ? "" : overrides[0]);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key) << e.what();
  }
}

TEST(LandscapeConfig, BadValuesNameTheKey) {
  expect_error("[landscape]\nkind = \"saddle\"\n", {}, "landscape.kind");
  expect_error("[landscape]\nkind = 3\n", {}, "landscape.kind");
  expect_error("[landscape]\nstarts = [1.0, 2.0, 3.0]\n", {}, "landscape.starts");
  expect_error("", {"landscape.lr=0"}, "landscape.lr");
  expect_error("", {"landscape.lr=-1e-2"}, "landscape.lr");
  expect_error("", {"weight_decay=-1.0"}, "landscape.weight_decay");
  expect_error("", {"steps=0"}, "landscape.steps");
  expect_error("", {"landscape.seed=1"}, "landscape.seed");
  expect_error("[isolated]\np = 3\n", {}, "isolated");
  expect_error("", {"model.hidden=3"}, "--set");
}

// docs/theory.md has a row for every key of [landscape], naming every landscape.
TEST(LandscapeConfig, EveryKeyIsDocumented) {
  std::ifstream in(std::string(GROKSCOPE_SOURCE_DIR) + "/docs/theory.md");
  ASSERT_TRUE(in) << "cannot read docs/theory.md";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  const size_t section = doc.find("## Toy landscapes");
  ASSERT_NE(section, std::string::npos) << "docs/theory.md: no section \"## Toy landscapes\"";
  for (const auto& info : landscape_config_keys()) {
    const std::string name = info.key.substr(info.key.find('.') + 1);
    const size_t row = doc.find("\n| `" + name + "` |", section);
    ASSERT_NE(row, std::string::npos) << "docs/theory.md: no row for " << info.key;
    const std::string line = doc.substr(row + 1, doc.find('\n', row + 1) - row - 1);
    for (const auto& value : info.values) EXPECT_NE(line.find("`\"" + value + "\"`"), std::string::npos) << value;
  }
}

}  // namespace
}  // namespace grokscope
