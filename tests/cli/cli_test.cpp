// The grokscope executable: exit codes, one-line errors naming key and value, run directories.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.h"

namespace fs = std::filesystem;

namespace {

using Result = grokscope::test::CliResult;
Result run(const std::string& args) { return grokscope::test::run_cli(args); }

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_cli_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_ = (dir_ / "small.toml").string();
    std::ofstream(config_) << "[task]\np = 31\ntrain_fraction = 0.7\n[model]\nhidden = [64]\n"
                              "[optim]\nlr = 3e-3\nweight_decay = 1.0\n[train]\nsteps = 40\nthreads = 1\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string out_dir(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  std::string config_;
};

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += (c == '\n');
  return n;
}

TEST_F(Cli, HelpAndVersion) {
  const Result help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("train"), std::string::npos);
  const Result train_help = run("train --help");
  EXPECT_EQ(train_help.code, 0);
  EXPECT_NE(train_help.out.find("--set"), std::string::npos);
  EXPECT_NE(train_help.out.find("--force"), std::string::npos);
  EXPECT_EQ(run("--version").code, 0);
  EXPECT_EQ(run("").code, 2);              // a subcommand is required
  EXPECT_EQ(run("frobnicate").code, 2);
}

TEST_F(Cli, TrainWritesARunDirectoryAndRefusesToOverwriteIt) {
  const std::string out = out_dir("run");
  const Result r = run("train " + config_ + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("t_fit"), std::string::npos);
  EXPECT_TRUE(fs::exists(fs::path(out) / "summary.json"));
  const Result again = run("train " + config_ + " --out " + out);
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.out.find("--force"), std::string::npos) << again.out;
  EXPECT_EQ(count_lines(again.out), 1) << again.out;
  EXPECT_EQ(run("train " + config_ + " --out " + out + " --force").code, 0);
}

TEST_F(Cli, QuietPrintsNothing) {
  const Result r = run("train " + config_ + " --quiet --out " + out_dir("q"));
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
}

TEST_F(Cli, SetOverridesReachTheResolvedConfig) {
  const std::string out = out_dir("set");
  ASSERT_EQ(run("train " + config_ + " --out " + out + " --set optim.lr=0.01 --set model.hidden=[32,16]").code, 0);
  std::ifstream in(fs::path(out) / "config.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("0.01"), std::string::npos) << ss.str();
  EXPECT_NE(ss.str().find("32"), std::string::npos);
  EXPECT_TRUE(fs::exists(fs::path(out) / "params_final.npz"));
}

struct BadInput {
  std::string args;    // appended to "train CONFIG"
  std::string needle;  // must appear in the one-line error
};

TEST_F(Cli, BadInputGivesOneLineNamingKeyAndValueAndExitCode2) {
  const std::vector<BadInput> cases = {
      {"--set optim.lrr=0.1", "optim.lrr"},
      {"--set task.p=\\\"many\\\"", "task.p"},
      {"--set task.p=91 --set task.op=div", "91"},
      {"--set task.train_fraction=1.5", "task.train_fraction"},
      {"--set task.train_fraction=0", "task.train_fraction"},
      {"--set model.hidden=[64,0]", "model.hidden"},
      {"--set optim.lr=-1", "optim.lr"},
      {"--set optim.lr=0", "optim.lr"},
      {"--set optim.kind=adamx", "adamx"},
      {"--set model.activation=gelu", "gelu"},
      {"--set train.steps=1.5", "train.steps"},
      {"--set nosection.key=1", "nosection"},
      // found while the model is built, after validate(): the dir must still not appear
      {"--set optim.groups.nosuch.lr=0.1", "optim.groups.nosuch"},
      {"--set model.init_values=[1,2,3]", "model.init_values"},
  };
  for (const auto& c : cases) {
    const std::string out = out_dir("bad");
    const Result r = run("train " + config_ + " --out " + out + " " + c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.needle), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_FALSE(fs::exists(out)) << "nothing is written for a bad config: " << c.args;
  }
}

TEST_F(Cli, RunsOnTheBlasKernelsOfTheCpusFeatures) {
  // OpenBLAS falls back to its generic SSE3 kernels ("Prescott") on CPUs whose model it does not know; the CLI then
  // runs itself again with the core type that matches the CPU's features. A user's OPENBLAS_CORETYPE is kept.
  const std::string out = out_dir("blas");
  ASSERT_EQ(grokscope::test::run_cli("train " + config_ + " --quiet --out " + out, "env -u OPENBLAS_CORETYPE").code, 0);
  const std::string blas = nlohmann::json::parse(grokscope::test::read_file(fs::path(out) / "summary.json"))
                               .at("environment").at("blas").get<std::string>();
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_EQ(blas.find(" Prescott "), std::string::npos) << blas;
    EXPECT_EQ(blas.find(" Core2 "), std::string::npos) << blas;
  }
  const std::string chosen = out_dir("blas_chosen");
  ASSERT_EQ(grokscope::test::run_cli("train " + config_ + " --quiet --out " + chosen, "OPENBLAS_CORETYPE=Prescott").code,
            0);
  EXPECT_NE(grokscope::test::read_file(fs::path(chosen) / "summary.json").find("Prescott"), std::string::npos);
}

TEST_F(Cli, ASetupErrorWithForceKeepsThePreviousRun) {
  const std::string out = out_dir("keep");
  ASSERT_EQ(run("train " + config_ + " --quiet --out " + out).code, 0);
  const Result r = run("train " + config_ + " --force --out " + out + " --set optim.groups.nosuch.lr=0.1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(fs::exists(fs::path(out) / "summary.json")) << "the run --force would have replaced is still there";
}

TEST_F(Cli, MissingAndMalformedConfigFiles) {
  const Result missing = run("train " + (dir_ / "nope.toml").string() + " --out " + out_dir("m"));
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("nope.toml"), std::string::npos) << missing.out;
  const std::string bad = (dir_ / "bad.toml").string();
  std::ofstream(bad) << "[task]\np = 31\n[model\nhidden = [8]\n";
  const Result malformed = run("train " + bad + " --out " + out_dir("m2"));
  EXPECT_EQ(malformed.code, 2);
  EXPECT_EQ(count_lines(malformed.out), 1) << malformed.out;
  EXPECT_NE(malformed.out.find("bad.toml:3"), std::string::npos) << malformed.out;
}

TEST_F(Cli, DivergedRunExitsWithCode1AndSavesParameters) {
  const std::string out = out_dir("div");
  const Result r = run("train " + config_ + " --out " + out +
                       " --set optim.kind=sgd --set optim.lr=50 --set optim.weight_decay=0 --set loss.kind=mse"
                       " --set model.activation=identity --set train.steps=1000");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("diverged"), std::string::npos);
  EXPECT_TRUE(fs::exists(fs::path(out) / "params_final.npz"));
  std::ifstream in(fs::path(out) / "summary.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("\"status\": \"diverged\""), std::string::npos);
}

}  // namespace

// `timeout` (and Slurm at a time limit) sends SIGTERM: the run must end like Ctrl-C, status "stopped", with its summary
// and final parameters written, not die with nothing.
TEST_F(Cli, SigtermStopsARunCleanly) {
  const std::string out = out_dir("term");
  const Result r = grokscope::test::run_cli("train " + config_ + " --set train.steps=100000000 --quiet --out " + out,
                                            "timeout --preserve-status -s TERM 3");
  EXPECT_NE(r.code, -1) << r.out;   // exited by itself, not killed by the signal
  ASSERT_TRUE(fs::exists(fs::path(out) / "summary.json")) << r.out;
  EXPECT_NE(grokscope::test::read_file(fs::path(out) / "summary.json").find("\"stopped\""), std::string::npos);
  EXPECT_TRUE(fs::exists(fs::path(out) / "params_final.npz"));
}
