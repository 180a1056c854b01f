// Config files of the theory instruments: [isolated] parsing, overrides, round trip, errors, documentation.
#include "grokscope/io/theory_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"

namespace grokscope {
namespace {

TEST(IsolatedConfig, DefaultsAreMu5) {
  const theory::IsolatedConfig c = parse_isolated_config("", {}, "");
  EXPECT_EQ(c.p, 37);
  EXPECT_EQ(c.width, 512);
  EXPECT_EQ(c.train_fraction, 0.7);
  EXPECT_EQ(c.lr, 1e-3);
  EXPECT_EQ(c.steps, 5000);
  EXPECT_EQ(c.activation, Activation::relu);
}

TEST(IsolatedConfig, FileThenOverridesWithOrWithoutPrefix) {
  const theory::IsolatedConfig c =
      parse_isolated_config("[isolated]\np = 23\nwidth = 256\nlr = 1e-3\nactivation = \"tanh\"\n",
                            {"isolated.lr=1e-2", "steps=300", "isolated.seed = 7", "spectrum=false"}, "x.toml");
  EXPECT_EQ(c.p, 23);
  EXPECT_EQ(c.width, 256);
  EXPECT_EQ(c.lr, 1e-2);
  EXPECT_EQ(c.steps, 300);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_FALSE(c.spectrum);
  EXPECT_EQ(c.activation, Activation::tanh);
  EXPECT_EQ(parse_isolated_config("", {"activation=leaky_relu"}, "").activation, Activation::leaky_relu);
}

TEST(IsolatedConfig, RoundTripsThroughToml) {
  theory::IsolatedConfig c;
  c.p = 29;
  c.width = 300;
  c.op = "add";
  c.train_fraction = 0.55;
  c.n_train = 200;
  c.split_seed = 18446744073709551615ull;   // above 2^63 - 1: written as a string
  c.seed = 3;
  c.init_std = 0.123456789;
  c.activation = Activation::leaky_relu;
  c.leaky_slope = 0.2;
  c.lr = 3e-3;
  c.steps = 1234;
  c.eval_every = 7;
  c.spectrum = false;
  c.max_condition = 1e9;
  const std::string text = to_toml(c);
  const theory::IsolatedConfig back = parse_isolated_config(text, {}, "");
  EXPECT_EQ(to_toml(back), text);
  EXPECT_EQ(to_json(back), to_json(c));
  EXPECT_EQ(back.split_seed, c.split_seed);
  EXPECT_EQ(back.init_std, c.init_std);
  EXPECT_EQ(to_json(c)["activation"], "leaky_relu");
}

void expect_error(const std::string& text, const std::vector<std::string>& overrides, const std::string& key) {
  try {
    parse_isolated_config(text, overrides, "t.toml");
    FAIL() << "no error for " << text;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key) << e.what();
  }
}

TEST(IsolatedConfig, ErrorsNameTheKey) {
  expect_error("[isolated]\nwidht = 3\n", {}, "isolated.widht");
  expect_error("[model]\nhidden = [3]\n", {}, "model");
  expect_error("[isolated]\np = \"x\"\n", {}, "isolated.p");
  expect_error("[isolated]\nactivation = \"softplus\"\n", {}, "isolated.activation");
  expect_error("[isolated\n", {}, "config");
  expect_error("", {"lr"}, "--set");
  expect_error("", {"model.hidden=3"}, "--set");
  expect_error("", {"isolated.steps=1.5"}, "isolated.steps");
  EXPECT_THROW(load_isolated_config("/nonexistent/theory.toml", {}), ConfigError);
}

// docs/theory.md has a row for every key of [isolated], naming every value of the enum key.
TEST(IsolatedConfig, EveryKeyIsDocumented) {
  std::ifstream in(std::string(GROKSCOPE_SOURCE_DIR) + "/docs/theory.md");
  ASSERT_TRUE(in) << "cannot read docs/theory.md";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  for (const auto& info : isolated_config_keys()) {
    const std::string name = info.key.substr(info.key.find('.') + 1);
    const size_t row = doc.find("\n| `" + name + "` |");
    ASSERT_NE(row, std::string::npos) << "docs/theory.md: no row for " << info.key;
    const std::string line = doc.substr(row + 1, doc.find('\n', row + 1) - row - 1);
    for (const auto& value : info.values) {
      if (value == "identity") continue;
      EXPECT_NE(line.find("`\"" + value + "\"`"), std::string::npos) << info.key << ": " << value;
    }
  }
}

}  // namespace
}  // namespace grokscope
