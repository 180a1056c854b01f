// `grokscope sweep` end to end through the executable: a tiny 4-run sweep, resume, --list, bad input (one line
// naming key and value, exit status 2, nothing written), and a sweep process killed with SIGKILL or stopped with
// SIGINT in the middle: no finished row is lost, no row is corrupt, the same command finishes the rest.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "grokscope/sweep/index.h"
#include "grokscope/sweep/record.h"
#include "cli_runner.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace grokscope::sweep;

using Result = grokscope::test::CliResult;
Result run(const std::string& args) { return grokscope::test::run_cli(args); }

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// The base config of every run, in its own file (the sweep file refers to it by a relative path).
constexpr const char* kBase =
    "[task]\np = 13\ntrain_fraction = 0.6\n[model]\nhidden = [24]\n[optim]\nlr = 0.01\nweight_decay = 1.0\n"
    "[train]\nsteps = 200\n[eval]\nloss_eps = [0.1, 0.01]\n";

class SweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_sweep_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "configs");
    std::ofstream(dir_ / "base.toml") << kBase;
  }
  void TearDown() override { fs::remove_all(dir_); }
  // A sweep file in configs/ with base = "../base.toml", 2 alphas x 2 seeds, plus `extra`.
  std::string sweep_file(const std::string& extra = "", const std::string& name = "tiny") {
    const fs::path p = dir_ / "configs" / (name + ".toml");
    std::ofstream(p) << "[sweep]\nbase = \"../base.toml\"\nseeds = 2\n" << extra
                     << "[[axis]]\nkey = \"model.init_scale\"\nlabel = \"alpha\"\nvalues = [1.0, 2.0]\n";
    return p.string();
  }
  std::string out() const { return (dir_ / "out").string(); }
  fs::path dir_;
};

TEST_F(SweepCli, TinySweepEndToEndAndResume) {
  const std::string file = sweep_file();
  const Result list = run("sweep " + file + " --list --out " + out());
  ASSERT_EQ(list.code, 0) << list.out;
  EXPECT_NE(list.out.find("4 runs"), std::string::npos) << list.out;
  EXPECT_FALSE(fs::exists(out())) << "--list writes nothing";

  const Result r = run("sweep " + file + " --out " + out() + " --workers 2 --no-plot");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("0 finished before, 4 to run on 2 workers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[4/4]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 runs: 4 finished"), std::string::npos) << r.out;
  for (const char* f : {"index.sqlite", "index.csv", "cells.csv", "fits.csv", "fits.json", "sweep.toml", "base.toml"})
    EXPECT_TRUE(fs::exists(fs::path(out()) / f)) << f;
  EXPECT_FALSE(fs::exists(fs::path(out()) / "report.html")) << "--no-plot makes no report";
  std::ifstream csv(fs::path(out()) / "index.csv");
  std::stringstream ss;
  ss << csv.rdbuf();
  EXPECT_EQ(count_lines(ss.str()), 5) << ss.str();
  EXPECT_EQ(ss.str().rfind("name,cell,seed,model.init_scale,status,phase,steps_done,time,t_fit_step", 0), 0u) << ss.str();

  const Result again = run("sweep " + file + " --out " + out() + " --no-plot");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("4 finished before, 0 to run"), std::string::npos) << again.out;
  EXPECT_EQ(run("sweep " + file + " --out " + out() + " --no-plot -q").out, "");
}

TEST_F(SweepCli, BadInputIsOneLineExitTwoAndWritesNothing) {
  struct Case {
    std::string file, needle1, needle2;
  };
  const std::vector<Case> cases = {
      {sweep_file("workers = -3\n", "a"), "sweep.workers", "-3"},
      {sweep_file("seeds_typo = 1\n", "b"), "sweep.seeds_typo", "1"},
      {sweep_file("[set]\n\"optim.lr\" = -0.5\n", "c"), "optim.lr", "-0.5"},
      {sweep_file("[set]\n\"optim.lrr\" = 0.5\n", "d"), "optim.lrr", "0.5"},
      {(dir_ / "missing.toml").string(), "sweep", "missing.toml"},
  };
  for (const auto& c : cases) {
    const Result r = run("sweep " + c.file + " --out " + out());
    EXPECT_EQ(r.code, 2) << c.file << "\n" << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << r.out;
    EXPECT_NE(r.out.find(c.needle1), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(c.needle2), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out())) << r.out;
  }
  std::ofstream(dir_ / "bad.toml") << "[sweep\n";
  const Result malformed = run("sweep " + (dir_ / "bad.toml").string() + " --out " + out());
  EXPECT_EQ(malformed.code, 2);
  EXPECT_NE(malformed.out.find("bad.toml:1"), std::string::npos) << malformed.out;
  // An --out that holds something else is refused, with or without --force.
  fs::create_directories(out());
  std::ofstream(fs::path(out()) / "notes.txt") << "mine";
  const Result busy = run("sweep " + sweep_file() + " --out " + out() + " --force --no-plot");
  EXPECT_EQ(busy.code, 2) << busy.out;
  EXPECT_NE(busy.out.find("index.sqlite"), std::string::npos) << busy.out;
  EXPECT_TRUE(fs::exists(fs::path(out()) / "notes.txt"));
}

// Starts the sweep, waits until `finished_runs` run directories hold a summary.json and the next run has started,
// sends `sig`, waits for the exit.
int interrupt_sweep(const std::string& file, const std::string& out, int sig, int finished_runs) {
  std::vector<std::string> args = {GROKSCOPE_CLI, "sweep", file, "--out", out, "--workers", "1", "--no-plot", "-q"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    int done = 0, started = 0;
    std::error_code ec;
    if (fs::exists(fs::path(out) / "runs", ec))
      for (const auto& e : fs::directory_iterator(fs::path(out) / "runs", ec)) {
        done += fs::exists(e.path() / "summary.json") ? 1 : 0;
        started += fs::exists(e.path() / "metrics.csv") ? 1 : 0;
      }
    int status = 0;
    // The signal lands while the next run trains.
    if ((done >= finished_runs && started > done) || std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, sig);
      ::waitpid(pid, &status, 0);
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (::waitpid(pid, &status, WNOHANG) == pid) return 1000;   // finished before the signal: too fast a machine
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// After an interruption: the index is sound, every finished row has its run's summary.json with the same config
// hash; returns the finished rows' finish times.
std::map<std::string, std::string> check_index_after_interrupt(const fs::path& out) {
  SweepIndex index(out / "index.sqlite");
  EXPECT_EQ(index.integrity_check(), "ok");
  const auto rows = index.runs();
  EXPECT_EQ(rows.size(), 4u);
  std::map<std::string, std::string> finished;
  for (const auto& r : rows) {
    if (!is_finished_status(r.status)) continue;
    RunRecord from_file;
    EXPECT_TRUE(read_run_outputs(out / "runs" / r.name, SweepSpec{}, from_file)) << r.name;
    EXPECT_EQ(from_file.config_hash, r.config_hash) << r.name;
    EXPECT_EQ(from_file.steps_done, r.steps_done) << r.name;
    finished[r.name] = r.finished_at;
  }
  return finished;
}

void check_resume(const std::string& file, const fs::path& out, const std::map<std::string, std::string>& finished) {
  const Result r = run("sweep " + file + " --out " + out.string() + " --no-plot");
  ASSERT_EQ(r.code, 0) << r.out;
  SweepIndex index(out / "index.sqlite");
  for (const auto& row : index.runs()) {
    EXPECT_EQ(row.status, "completed") << row.name << ": " << row.message;
    auto it = finished.find(row.name);
    if (it != finished.end()) {
      EXPECT_EQ(row.finished_at, it->second) << row.name << " was run again";
    }
  }
}

// Runs long enough (a few hundred milliseconds each) that the signal lands in the middle of the sweep.
constexpr const char* kSlower = "[set]\n\"train.steps\" = 3000\n\"eval.loss_eps\" = [1e-9]\n";

TEST_F(SweepCli, KilledSweepLosesNoFinishedRunAndResumes) {
  const std::string file = sweep_file(kSlower);
  const int code = interrupt_sweep(file, out(), SIGKILL, 1);
  if (code == 1000) GTEST_SKIP() << "the sweep finished before it could be killed";
  EXPECT_EQ(code, -SIGKILL);
  const auto finished = check_index_after_interrupt(out());
  EXPECT_LT(finished.size(), 4u);
  check_resume(file, out(), finished);
}

TEST_F(SweepCli, CtrlCStopsCleanlyWithStatusOneAndResumes) {
  const std::string file = sweep_file(kSlower);
  const int code = interrupt_sweep(file, out(), SIGINT, 1);
  if (code == 1000) GTEST_SKIP() << "the sweep finished before it could be interrupted";
  EXPECT_EQ(code, 1);   // not every run finished
  const auto finished = check_index_after_interrupt(out());
  EXPECT_GE(finished.size(), 1u);
  EXPECT_LT(finished.size(), 4u);
  SweepIndex index(fs::path(out()) / "index.sqlite");
  bool stopped = false;
  for (const auto& r : index.runs()) stopped = stopped || r.status == "stopped";
  EXPECT_TRUE(stopped) << "the run in progress ends with status stopped";
  check_resume(file, out(), finished);
}

}  // namespace

// instrument = "isolated": each run is Musat's isolated dynamics (theory isolated), with isolated.* axes and seeds;
// the run directories carry theory.toml, resume skips them, and a train key is refused in one line.
TEST_F(SweepCli, IsolatedInstrumentRunsTheTheoryAndResumes) {
  const fs::path p = dir_ / "configs" / "iso.toml";
  std::ofstream(p) << "[sweep]\ninstrument = \"isolated\"\nseeds = 2\n"
                      "[base]\nisolated = { p = 11, width = 128, steps = 20, eval_every = 10, train_fraction = 0.5 }\n"
                      "[[axis]]\nkey = \"isolated.lr\"\nvalues = [1e-3, 2e-3]\n";
  const Result r = run("sweep " + p.string() + " --out " + out() + " --no-plot");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("4 runs: 4 finished"), std::string::npos) << r.out;
  int runs = 0;
  for (const auto& d : fs::directory_iterator(fs::path(out()) / "runs")) {
    ++runs;
    EXPECT_TRUE(fs::exists(d.path() / "theory.toml")) << d.path();
    std::ifstream toml(d.path() / "theory.toml");
    std::stringstream ss;
    ss << toml.rdbuf();
    EXPECT_NE(ss.str().find("width = 128"), std::string::npos) << ss.str();
    EXPECT_NE(ss.str().find("seed = "), std::string::npos) << ss.str();
  }
  EXPECT_EQ(runs, 4);
  const Result again = run("sweep " + p.string() + " --out " + out() + " --no-plot");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("4 finished before, 0 to run"), std::string::npos) << again.out;

  std::ofstream(p) << "[sweep]\ninstrument = \"isolated\"\n[[axis]]\nkey = \"optim.lr\"\nvalues = [1e-3]\n";
  const Result bad = run("sweep " + p.string() + " --out " + (dir_ / "bad").string() + " --no-plot");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_EQ(count_lines(bad.out), 1) << bad.out;
  EXPECT_NE(bad.out.find("optim.lr"), std::string::npos) << bad.out;
  std::ofstream(p) << "[sweep]\ninstrument = \"magic\"\n";
  const Result unknown = run("sweep " + p.string() + " --out " + (dir_ / "bad").string() + " --no-plot");
  EXPECT_EQ(unknown.code, 2) << unknown.out;
  EXPECT_NE(unknown.out.find("sweep.instrument"), std::string::npos) << unknown.out;
}
