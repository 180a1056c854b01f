// The architecture's layer order (docs/architecture.md) holds in the code: a file of a layer includes grokscope
// headers of its own layer or of lower ones only. The order is
//   core <- kernels <- data <- nn <- optim <- metrics <- theory <- train <- io <- sweep <- plot <- reproduce <- apps
// and this test reads every header and source file under include/grokscope/, src/, apps/ and python/src/ (the Python
// module, a front end like the CLI: layer apps) to check it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

namespace fs = std::filesystem;

namespace {

const std::map<std::string, int> kRank = {{"core", 0},    {"kernels", 1}, {"data", 2},   {"nn", 3},
                                          {"optim", 4},   {"metrics", 5}, {"theory", 6}, {"train", 7},
                                          {"io", 8},      {"sweep", 9},   {"plot", 10},  {"reproduce", 11},
                                          {"apps", 12}};

// Every `#include "grokscope/<layer>/..."` of the files under root/<layer>/ that names a higher layer.
// apps: every file under root is a front end's (layer apps), whatever its folder.
std::vector<std::string> violations(const fs::path& root, bool apps) {
  std::vector<std::string> out;
  const std::regex include_re(R"re(^\s*#\s*include\s*"grokscope/([a-z_]+)/)re");
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cpp") continue;
    const std::string layer = apps ? "apps" : fs::relative(entry.path(), root).begin()->string();
    const auto own = kRank.find(layer);
    if (own == kRank.end()) {
      out.push_back(entry.path().string() + ": folder '" + layer + "' is not in the layer order");
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      std::smatch m;
      if (!std::regex_search(line, m, include_re)) continue;
      const auto target = kRank.find(m[1].str());
      if (target == kRank.end() || target->second > own->second)
        out.push_back(entry.path().string() + ":" + std::to_string(number) + ": " + layer + " includes " + m[1].str());
    }
  }
  return out;
}

}  // namespace

TEST(Layering, NoLayerIncludesAHigherOne) {
  const fs::path src = GROKSCOPE_SOURCE_DIR;
  std::vector<std::string> all;
  for (const auto& [root, apps] : {std::pair{src / "include" / "grokscope", false}, std::pair{src / "src", false},
                                   std::pair{src / "apps", true}, std::pair{src / "python" / "src", true}}) {
    ASSERT_TRUE(fs::is_directory(root)) << root;
    const auto v = violations(root, apps);
    all.insert(all.end(), v.begin(), v.end());
  }
  std::string list;
  for (const auto& v : all) list += "\n  " + v;
  EXPECT_TRUE(all.empty()) << all.size() << " include(s) against the layer order:" << list;
}

TEST(Layering, TheCheckSeesAViolation) {
  // A higher-layer include in a lower layer's file is reported (guards against a regex that matches nothing).
  const fs::path dir = fs::path(testing::TempDir()) / "grokscope_layering" / "kernels";
  fs::create_directories(dir);
  std::ofstream(dir / "bad.h") << "#pragma once\n#include \"grokscope/train/trainer.h\"\n#include \"grokscope/core/rng.h\"\n";
  const auto v = violations(dir.parent_path(), false);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].find("kernels includes train"), std::string::npos) << v[0];
  fs::remove_all(dir.parent_path());
}
