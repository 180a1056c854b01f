// `grokscope train` with optim.kind = "gradient_flow": the run directory holds the flow's columns and summary, and the
// bad combinations end with exit status 2 and one line naming the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace fs = std::filesystem;

namespace {

using grokscope::test::read_file;
using grokscope::test::run_cli;

class GradientFlowCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_flow_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_ = (dir_ / "flow.toml").string();
    // Musat's 1 + 1 = 2 (configs/zoo/one_plus_one.toml) integrated as a flow to t = 50.
    std::ofstream(config_) << "[task]\nkind = \"toy_regression\"\n[model]\nhidden = []\nactivation = \"identity\"\n"
                              "bias = \"none\"\ninit_values = [-1.0, 1.0]\n[loss]\nkind = \"squared\"\n"
                              "[optim]\nkind = \"gradient_flow\"\nlr = 0.05\nweight_decay = 0.2\nflow_rtol = 1e-8\n"
                              "[train]\nsteps = 1000\ndtype = \"f64\"\nthreads = 1\n"
                              "[eval]\nfit_loss = 1e-2\ngen_loss = 1e-2\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string config_;
};

TEST_F(GradientFlowCli, TrainWritesTheFlowColumnsAndSummary) {
  const std::string out = (dir_ / "run").string();
  const auto r = run_cli("train " + config_ + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("gradient flow to t = 50:"), std::string::npos) << r.out;

  const std::string metrics = read_file(fs::path(out) / "metrics.csv");
  const std::string header = metrics.substr(0, metrics.find('\n'));
  EXPECT_EQ(header.rfind("step,time,loss_train,", 0), 0u) << header;
  EXPECT_NE(header.find(",flow_evals,flow_steps,flow_rejected,flow_forced,flow_dt,"), std::string::npos) << header;
  const std::string last = metrics.substr(metrics.rfind('\n', metrics.size() - 2) + 1);
  EXPECT_EQ(last.rfind("1000,50,", 0), 0u) << last;   // the last row: step 1000 at t = 1000 * lr

  const auto summary = nlohmann::json::parse(read_file(fs::path(out) / "summary.json"));
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_EQ(summary["time"], 50.0);
  const auto& flow = summary["gradient_flow"];
  ASSERT_TRUE(flow.is_object()) << summary.dump();
  EXPECT_EQ(flow["rtol"], 1e-8);
  EXPECT_EQ(flow["atol"], 1e-9);
  EXPECT_EQ(flow["dt_max"], 0.0);
  EXPECT_EQ(flow["dt_floor"], 0.0);
  EXPECT_GT(flow["gradient_evaluations"].get<int64_t>(), 6 * flow["accepted_steps"].get<int64_t>());
  EXPECT_EQ(flow["forced_steps"], 0);
  const auto rows = std::count(metrics.begin(), metrics.end(), '\n') - 1;
  EXPECT_EQ(flow["metric_passes"], rows - 1);   // every row but the last (the integrator's end point)
  EXPECT_EQ(summary["final"]["flow_evals"], flow["gradient_evaluations"]);
  // Clocks in continuous time: t_gen (test loss <= 1e-2) near t = 14, long after the fit near t = 1.4.
  const auto& clocks = summary["clocks"];
  ASSERT_TRUE(clocks["t_gen"]["fired"].get<bool>());
  EXPECT_EQ(clocks["t_gen"]["time"].get<double>(), clocks["t_gen"]["step"].get<double>() * 0.05);
  EXPECT_GT(clocks["t_gen"]["time"].get<double>(), 10.0);
  EXPECT_LT(clocks["t_fit"]["time"].get<double>(), 2.0);

  // A GD run needs no flow summary.
  const auto gd = run_cli("train " + config_ + " --set optim.kind=sgd --out " + out + "_gd");
  ASSERT_EQ(gd.code, 0) << gd.out;
  EXPECT_FALSE(nlohmann::json::parse(read_file(fs::path(out + "_gd") / "summary.json")).contains("gradient_flow"));
}

TEST_F(GradientFlowCli, BadCombinationsAreOneLineErrors) {
  const std::string out = (dir_ / "bad").string();
  for (const auto& [set, part] : std::vector<std::pair<std::string, std::string>>{
           {"optim.flow_rtol=0", "optim.flow_rtol = 0.0: must be a finite number > 0"},
           {"optim.momentum=0.9", "optim.momentum = 0.9: must be 0 with optim.kind = \"gradient_flow\""},
           {"optim.warmup_steps=5", "optim.warmup_steps = 5: must be 0 with optim.kind = \"gradient_flow\""}}) {
    const auto r = run_cli("train " + config_ + " --set " + set + " --out " + out);
    EXPECT_EQ(r.code, 2) << set << "\n" << r.out;
    EXPECT_NE(r.out.find(part), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;   // one line
    EXPECT_FALSE(fs::exists(out)) << set;
  }
  // The flow keys are allowed (and unused) with another kind.
  EXPECT_EQ(run_cli("train " + config_ + " --set optim.kind=adamw --set optim.flow_rtol=1e-3 -q --out " + out).code, 0);
}

}  // namespace
