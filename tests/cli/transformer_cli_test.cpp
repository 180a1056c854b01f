// A transformer run through the executable: it trains (the training loss falls), writes its parameters under
// TransformerLens names and shapes in the run's dtype, and is repeatable for a seed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "grokscope/io/npz.h"

namespace fs = std::filesystem;

namespace {

TEST(TransformerCli, TrainsAndWritesTransformerLensParams) {
  const fs::path dir = fs::temp_directory_path() / "grokscope_transformer_cli_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string config = (dir / "t.toml").string();
  std::ofstream(config) << "[task]\np = 13\ntrain_fraction = 0.5\n"
                           "[model]\nkind = \"transformer\"\nlayers = 2\nd_model = 16\nheads = 2\nd_mlp = 32\n"
                           "layer_norm = true\n"
                           "[optim]\nlr = 3e-3\nweight_decay = 1.0\nbetas = [0.9, 0.98]\nwarmup_steps = 5\n"
                           "[train]\nsteps = 60\nthreads = 1\ndtype = \"f64\"\n";
  std::string first_summary;
  for (const char* name : {"a", "b"}) {
    const auto r = grokscope::test::run_cli("train " + config + " --quiet --out " + (dir / name).string());
    ASSERT_EQ(r.code, 0) << r.out;
    std::ifstream in(dir / name / "summary.json");
    const auto summary = nlohmann::json::parse(in);
    if (first_summary.empty()) first_summary = summary["final"].dump();
    else EXPECT_EQ(summary["final"].dump(), first_summary);   // same seed, same numbers
  }
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& a : grokscope::read_npz((dir / "a" / "params_final.npz").string())) {
    shapes[a.name] = a.shape;
    EXPECT_TRUE(std::holds_alternative<std::vector<double>>(a.data)) << a.name;
  }
  using S = std::vector<int64_t>;
  EXPECT_EQ(shapes.at("embed.W_E"), (S{14, 16}));
  EXPECT_EQ(shapes.at("blocks.1.attn.W_V"), (S{2, 16, 8}));
  EXPECT_EQ(shapes.at("blocks.0.ln1.w"), (S{16}));
  EXPECT_EQ(shapes.at("unembed.W_U"), (S{16, 13}));
  EXPECT_EQ(shapes.count("unembed.b_U"), 0u);
  std::ifstream csv(dir / "a" / "metrics.csv");
  std::string header, first, line, last;
  std::getline(csv, header);
  std::getline(csv, first);
  while (std::getline(csv, line)) last = line;
  auto loss = [](const std::string& row) { return std::stod(row.substr(row.find(',', row.find(',') + 1) + 1)); };
  EXPECT_EQ(header.rfind("step,time,loss_train,", 0), 0u) << header;
  EXPECT_LT(loss(last), 0.8 * loss(first)) << first << "\n" << last;
  fs::remove_all(dir);
}

}  // namespace
