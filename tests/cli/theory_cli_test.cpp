// `grokscope theory isolated`: a small isolated-dynamics run writes a run directory whose metrics show the train
// loss at zero and the test accuracy rising; bad keys are one-line errors with exit status 2. `theory landscape`
// (MU-3) likewise.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace fs = std::filesystem;

namespace {

using Result = grokscope::test::CliResult;
using grokscope::test::run_cli;

std::string slurp(const fs::path& p) { return grokscope::test::read_file(p); }

class TheoryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_theory_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// The small setting of IsolatedDynamics.SmallRunGroks (p = 23, width 256, eta = 1e-2), cut at 200 steps.
TEST_F(TheoryCli, IsolatedWritesARunDirectory) {
  const fs::path out = dir_ / "iso";
  const std::string sets = "--set isolated.p=23 --set width=256 --set lr=1e-2 --set steps=200 --set eval_every=50";
  const Result r = run_cli("theory isolated " + sets + " --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("t_gen"), std::string::npos) << r.out;
  for (const char* f : {"config.toml", "theory.toml", "metrics.csv", "summary.json", "split.npz", "params_init.npz",
                        "params_final.npz"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const nlohmann::json summary = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_EQ(summary["theory"]["instrument"], "isolated");
  EXPECT_EQ(summary["theory"]["config"]["p"], 23);
  EXPECT_EQ(summary["final"]["loss_train"].get<double>() < 1e-20, true);
  EXPECT_GE(summary["final"]["acc_test"].get<double>(), 0.9);
  // metrics.csv: header and steps 0, 50, 100, 150, 200.
  std::istringstream csv(slurp(out / "metrics.csv"));
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("step,time,loss_train,acc_train,loss_test,acc_test", 0), 0u) << header;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 5);
  // theory.toml reruns the same instrument.
  const Result again = run_cli("theory isolated " + (out / "theory.toml").string() + " --set steps=0 -q --out " +
                               (dir_ / "again").string());
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(again.out, "");
  const nlohmann::json s2 = nlohmann::json::parse(slurp(dir_ / "again" / "summary.json"));
  EXPECT_EQ(s2["theory"]["config"]["width"], 256);
  // An existing run is not replaced without --force.
  EXPECT_EQ(run_cli("theory isolated --set steps=0 --out " + out.string()).code, 2);
}

TEST_F(TheoryCli, IsolatedBadInputIsOneLineWithExitCode2) {
  const fs::path out = dir_ / "bad";
  for (const std::string set : {"--set isolated.widht=3", "--set width=100", "--set op=sub", "--set lr=-1"}) {
    const Result r = run_cli("theory isolated " + set + " --out " + out.string());
    EXPECT_EQ(r.code, 2) << set << ": " << r.out;
    EXPECT_NE(r.out.find("isolated."), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_FALSE(fs::exists(out)) << "nothing is written on bad input";
  }
  EXPECT_EQ(run_cli("theory").code, 2);   // an instrument is required
  const Result help = run_cli("theory isolated --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--set"), std::string::npos);
}

// `grokscope theory landscape` (MU-3): a short GD run on the singular landscape from the diagonal writes a run
// directory with the per-start columns; theory.toml reruns it; a bad kind is a one-line error with status 2.
TEST_F(TheoryCli, LandscapeWritesARunDirectory) {
  const fs::path out = dir_ / "land";
  const Result r = run_cli("theory landscape --set kind=singular --set starts=[1.0,1.0] --set steps=50 -q --out " +
                           out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* f : {"config.toml", "theory.toml", "metrics.csv", "summary.json"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const nlohmann::json summary = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_EQ(summary["theory"]["instrument"], "landscape");
  EXPECT_EQ(summary["theory"]["config"]["kind"], "singular");
  std::istringstream csv(slurp(out / "metrics.csv"));
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("step,time,loss_train,loss_s0,theta1_s0,theta2_s0,dist_s0,cos_s0", 0), 0u) << header;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 51);
  const Result again = run_cli("theory landscape " + (out / "theory.toml").string() + " -q --out " +
                               (dir_ / "again").string());
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(slurp(dir_ / "again" / "metrics.csv"), slurp(out / "metrics.csv"));
  const Result bad = run_cli("theory landscape --set kind=saddle --out " + (dir_ / "bad").string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("landscape.kind"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(dir_ / "bad"));
}

}  // namespace
