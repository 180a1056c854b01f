// The sweep index and the runner: one row per run, resume skips finished runs and restarts unfinished ones, a sweep
// killed at any point (simulated here in the index and the run directories) loses no finished row, a changed
// config is refused, a grown grid runs only its new points.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/sweep/index.h"
#include "grokscope/sweep/runner.h"

namespace {

using namespace grokscope;
using namespace grokscope::sweep;
namespace fs = std::filesystem;

// 2 cells x 2 seeds of a tiny model (a few tens of milliseconds each).
const char* kTiny = R"(
[sweep]
name = "tiny"
seeds = 2
[base]
"task.p" = 11
"task.train_fraction" = 0.6
"model.hidden" = [16]
"optim.lr" = 0.01
"train.steps" = 150
[[axis]]
key = "model.init_scale"
label = "alpha"
values = [1.0, 2.0]
)";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

class SweepRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_sweep_index_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  SweepResult sweep(const std::string& text, int workers = 2, bool force = false) {
    SweepOptions o;
    o.out = dir_;
    o.workers = workers;
    o.force = force;
    return run_sweep(parse_sweep_spec(text, ""), o);
  }
  fs::path dir_;
};

TEST_F(SweepRunner, IndexSyncKeepsOneRowPerRun) {
  fs::create_directories(dir_);
  const SweepSpec spec = parse_sweep_spec(kTiny, "");
  const auto points = expand_grid(spec);
  SweepIndex index(dir_ / "index.sqlite");
  std::vector<std::string> hashes(points.size(), "h");
  index.sync_grid(spec, points, hashes);
  index.sync_grid(spec, points, hashes);   // idempotent
  auto rows = index.runs();
  ASSERT_EQ(rows.size(), 4u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].name, points[i].name);   // grid order
    EXPECT_EQ(rows[i].status, "pending");
    ASSERT_EQ(rows[i].axes.size(), 1u);
    EXPECT_EQ(rows[i].axes[0].first, "model.init_scale");
  }
  // A smaller grid keeps the dropped rows' data but marks them out of the grid.
  const std::vector<GridPoint> first_two(points.begin(), points.begin() + 2);
  index.sync_grid(spec, first_two, {"h", "h"});
  EXPECT_EQ(index.runs(true).size(), 2u);
  EXPECT_EQ(index.runs(false).size(), 4u);
  // record() replaces the whole row: no duplicate, children replaced.
  RunRecord r = *index.run(points[0].name);
  r.status = "completed";
  r.clocks = {ClockValue{"t_fit", 0.0, true, 10, 0.1}};
  index.record(r);
  r.clocks = {ClockValue{"t_fit", 0.0, true, 12, 0.12}};
  index.record(r);
  const auto back = *index.run(points[0].name);
  EXPECT_EQ(back.status, "completed");
  ASSERT_EQ(back.clocks.size(), 1u);
  EXPECT_EQ(back.clocks[0].step, 12);
  index.mark_started(points[1].name);
  EXPECT_EQ(index.run(points[1].name)->status, "running");
  EXPECT_EQ(index.runs(false).size(), 4u);
  EXPECT_EQ(index.integrity_check(), "ok");
  // Reopening sees the same rows.
  SweepIndex again(dir_ / "index.sqlite");
  EXPECT_EQ(again.runs(false).size(), 4u);
}

TEST_F(SweepRunner, RunsEveryPointOnceAndResumeSkipsFinishedRuns) {
  const SweepResult first = sweep(kTiny);
  EXPECT_EQ(first.total, 4);
  EXPECT_EQ(first.ran, 4);
  EXPECT_EQ(first.skipped, 0);
  EXPECT_EQ(first.unfinished, 0);
  SweepIndex index(dir_ / "index.sqlite");
  const auto rows = index.runs();
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.status, "completed") << r.name << ": " << r.message;
    EXPECT_TRUE(fs::exists(dir_ / "runs" / r.name / "summary.json"));
    EXPECT_GT(r.steps_done, 0);
    EXPECT_FALSE(r.config_hash.empty());
    EXPECT_NE(r.clock("t_fit"), nullptr);
    EXPECT_TRUE(r.final_metric("acc_test").has_value());
  }
  EXPECT_EQ(lines(read(dir_ / "index.csv")), 5);
  EXPECT_EQ(lines(read(dir_ / "cells.csv")), 3);
  for (const char* f : {"fits.csv", "fits.json", "sweep.toml"}) EXPECT_TRUE(fs::exists(dir_ / f)) << f;

  const SweepResult second = sweep(kTiny);
  EXPECT_EQ(second.skipped, 4);
  EXPECT_EQ(second.ran, 0);
  EXPECT_EQ(second.unfinished, 0);
  const auto again = SweepIndex(dir_ / "index.sqlite").runs();
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(again[i].finished_at, rows[i].finished_at) << rows[i].name;
}

// The three places a kill can land, simulated: (A) during training: row running, no summary.json; (B) after
// summary.json, before the index row turned finished; (C) before the run's first file was renamed into place.
TEST_F(SweepRunner, ResumeAfterAKilledSweepLosesNoFinishedRunAndRestartsTheRest) {
  ASSERT_EQ(sweep(kTiny).unfinished, 0);
  std::vector<RunRecord> before;
  {
    SweepIndex index(dir_ / "index.sqlite");
    before = index.runs();
    const fs::path a = dir_ / "runs" / before[0].name, b = dir_ / "runs" / before[1].name,
                   c = dir_ / "runs" / before[2].name;
    index.mark_started(before[0].name);
    fs::remove(a / "summary.json");
    std::ofstream(a / "metrics.csv", std::ios::app) << "1,2,3";   // a torn last line
    index.mark_started(before[1].name);
    index.mark_started(before[2].name);
    fs::remove_all(c);
    fs::create_directories(c);
    std::ofstream(c / "config.toml.tmp") << "[task";
    EXPECT_EQ(index.runs()[0].status, "running");
  }
  const SweepResult resumed = sweep(kTiny, 1);
  EXPECT_EQ(resumed.ran, 2);       // A and C
  EXPECT_EQ(resumed.skipped, 2);   // B (from its summary.json) and the untouched run
  EXPECT_EQ(resumed.unfinished, 0);
  SweepIndex index(dir_ / "index.sqlite");
  EXPECT_EQ(index.integrity_check(), "ok");
  const auto after = index.runs();
  ASSERT_EQ(after.size(), 4u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].status, "completed") << after[i].name << ": " << after[i].message;
    EXPECT_EQ(after[i].config_hash, before[i].config_hash);
    // The same config and seed give the same clocks (deterministic training).
    ASSERT_NE(after[i].clock("t_fit"), nullptr);
    ASSERT_NE(before[i].clock("t_fit"), nullptr);
    EXPECT_EQ(after[i].clock("t_fit")->fired, before[i].clock("t_fit")->fired);
    EXPECT_EQ(after[i].steps_done, before[i].steps_done);
  }
  EXPECT_EQ(after[3].started_at, before[3].started_at);     // untouched: not rerun
  EXPECT_EQ(after[3].finished_at, before[3].finished_at);
  EXPECT_TRUE(fs::exists(dir_ / "runs" / after[0].name / "summary.json"));
  EXPECT_TRUE(fs::exists(dir_ / "runs" / after[2].name / "summary.json"));
  EXPECT_FALSE(fs::exists(dir_ / "runs" / after[2].name / "config.toml.tmp"));
}

TEST_F(SweepRunner, AChangedConfigIsRefusedUnlessForced) {
  ASSERT_EQ(sweep(kTiny).unfinished, 0);
  std::string changed = kTiny;
  changed.replace(changed.find("\"train.steps\" = 150"), 19, "\"train.steps\" = 151");
  try {
    sweep(changed);
    FAIL() << "a finished run with another config must not be mixed in";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  const SweepResult forced = sweep(changed, 2, true);
  EXPECT_EQ(forced.ran, 4);
  EXPECT_EQ(forced.unfinished, 0);
}

TEST_F(SweepRunner, AGrownGridRunsOnlyItsNewPoints) {
  ASSERT_EQ(sweep(kTiny).unfinished, 0);
  std::string grown = kTiny;
  grown.replace(grown.find("[1.0, 2.0]"), 10, "[1.0, 2.0, 3.0]");
  const SweepResult r = sweep(grown);
  EXPECT_EQ(r.total, 6);
  EXPECT_EQ(r.skipped, 4);
  EXPECT_EQ(r.ran, 2);
  EXPECT_EQ(r.analysis.cells.size(), 3u);
  // Shrunk again: the third cell's rows stay in the index, out of the grid and out of the analysis.
  const SweepResult shrunk = sweep(kTiny);
  EXPECT_EQ(shrunk.ran, 0);
  EXPECT_EQ(shrunk.analysis.n_runs, 4);
  EXPECT_EQ(SweepIndex(dir_ / "index.sqlite").runs(false).size(), 6u);
}

TEST_F(SweepRunner, StopFlagStartsNothingAndLeavesRowsUnfinished) {
  std::atomic<bool> stop{true};
  SweepOptions o;
  o.out = dir_;
  o.stop = &stop;
  const SweepResult r = run_sweep(parse_sweep_spec(kTiny, ""), o);
  EXPECT_EQ(r.ran, 0);
  EXPECT_EQ(r.unfinished, 4);
  for (const auto& row : SweepIndex(dir_ / "index.sqlite").runs()) EXPECT_EQ(row.status, "pending");
}

TEST_F(SweepRunner, RefusesADirectoryThatIsNotASweep) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "precious.txt") << "keep me";
  EXPECT_THROW(sweep(kTiny), IoError);
  EXPECT_THROW(sweep(kTiny, 2, true), IoError);   // not even with --force
  EXPECT_TRUE(fs::exists(dir_ / "precious.txt"));
  EXPECT_FALSE(is_sweep_dir(dir_));
}

TEST_F(SweepRunner, ABadAxisValueFailsBeforeAnythingIsWritten) {
  std::string bad = kTiny;
  bad.replace(bad.find("[1.0, 2.0]"), 10, "[1.0, \"big\"]");
  EXPECT_THROW(sweep(bad), ConfigError);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(SweepRunner, LoadSweepDirReanalysesFromTheIndexAlone) {
  ASSERT_EQ(sweep(kTiny).unfinished, 0);
  fs::remove(dir_ / "cells.csv");
  const SweepData d = load_sweep_dir(dir_);
  EXPECT_EQ(d.spec.name, "tiny");
  EXPECT_EQ(d.runs.size(), 4u);
  EXPECT_EQ(d.analysis.cells.size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "cells.csv"));
  EXPECT_THROW(load_sweep_dir(dir_ / "runs"), IoError);
}

}  // namespace
