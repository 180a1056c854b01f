// What the sweep index records of one finished run: the run's own representation clock t_rep exactly as its
// summary.json says (fired or not), the spec's threshold clock t_below computed from metrics.csv, and the phase label
// of the scale-free default rule (grokking when the test accuracy crosses at least twice as late as the train
// accuracy) or Liu et al.'s absolute one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "grokscope/sweep/record.h"
#include "grokscope/sweep/spec.h"

namespace fs = std::filesystem;
using namespace grokscope::sweep;

namespace {

const ClockValue* clock(const RunRecord& r, const std::string& name) {
  for (const auto& c : r.clocks)
    if (c.name == name) return &c;
  return nullptr;
}

fs::path write_run(const std::string& name, bool rep_fired) {
  const fs::path dir = fs::path(testing::TempDir()) / ("grokscope_record_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "summary.json")
      << R"({"status": "completed", "steps_done": 400, "time": 4.0, "clocks": {)"
      << R"("t_fit": {"fired": true, "step": 100, "time": 1.0}, "t_gen": {"fired": true, "step": 300, "time": 3.0}, )"
      << (rep_fired ? R"("t_rep": {"fired": true, "step": 200, "time": 2.0, "metric": "srank_w1", "eta": 0.1}, )"
                    : R"("t_rep": {"fired": false, "reason": "srank_w1 was still moving", "metric": "srank_w1", "eta": 0.1}, )")
      << R"("gen_over_fit": 3.0}, "final": {"acc_test": 1.0}})";
  std::ofstream(dir / "metrics.csv") << "step,time,acc_train,acc_test,srank_w1\n"
                                     << "0,0,0.01,0.01,60\n100,1,1,0.02,50\n200,2,1,0.3,20\n300,3,1,1,12\n400,4,1,1,11\n";
  return dir;
}

}  // namespace

TEST(SweepRecord, IndexesTheRunsOwnTRepAsItsSummarySaysIt) {
  RunRecord fired, not_fired;
  ASSERT_TRUE(read_run_outputs(write_run("fired", true), SweepSpec{}, fired));
  ASSERT_TRUE(read_run_outputs(write_run("not_fired", false), SweepSpec{}, not_fired));
  ASSERT_NE(clock(fired, "t_rep"), nullptr);
  EXPECT_TRUE(clock(fired, "t_rep")->fired);
  EXPECT_EQ(clock(fired, "t_rep")->step, 200);
  ASSERT_NE(clock(not_fired, "t_rep"), nullptr);
  EXPECT_FALSE(clock(not_fired, "t_rep")->fired);
  EXPECT_EQ(clock(fired, "t_below"), nullptr);   // no [t_below] table: no threshold clock
}

TEST(SweepRecord, TheThresholdClockIsCalledTBelowAndLeavesTRepAlone) {
  SweepSpec spec;
  spec.t_below.column = "srank_w1";
  spec.t_below.eta = 15;
  RunRecord r;
  ASSERT_TRUE(read_run_outputs(write_run("below", false), spec, r));
  ASSERT_NE(clock(r, "t_below"), nullptr);
  EXPECT_TRUE(clock(r, "t_below")->fired);
  EXPECT_EQ(clock(r, "t_below")->step, 300);   // first row with srank_w1 <= 15
  EXPECT_FALSE(clock(r, "t_rep")->fired);      // the summary's own verdict, not the threshold's
  EXPECT_EQ(r.clocks.back().name, "gen_over_fit");
}

TEST(SweepRecord, PhaseLabelsUseTheRatioOfCrossingStepsByDefault) {
  const PhaseSpec ratio;   // grokking when s_test >= 2 s_train
  const std::vector<double> step = {0, 100, 200, 1500};
  const std::vector<double> train = {0, 1, 1, 1}, test_late = {0, 0, 0, 1}, test_soon = {0, 0.95, 1, 1};
  // t_gen / t_fit = 15 whatever the step count: grokking by the ratio (the absolute 1000-step rule says
  // comprehension when the crossings are 140 steps apart).
  EXPECT_EQ(phase_label({0, 10, 20, 150}, train, test_late, ratio), "grokking");
  EXPECT_EQ(phase_label(step, train, test_late, ratio), "grokking");
  EXPECT_EQ(phase_label(step, train, test_soon, ratio), "comprehension");   // both cross at step 100
  EXPECT_EQ(phase_label(step, train, {0, 0, 0.95, 1}, ratio), "grokking");  // 200 = 2 x 100: the bound counts
  PhaseSpec liu;
  liu.gap_ratio = 1;
  liu.gap_steps = 1000;
  EXPECT_EQ(phase_label({0, 10, 20, 150}, train, test_late, liu), "comprehension");   // 140 steps apart
  EXPECT_EQ(phase_label(step, train, test_late, liu), "grokking");
  EXPECT_EQ(phase_label(step, train, {0, 0, 0, 0}, ratio), "memorization");
  EXPECT_EQ(phase_label(step, {0, 0.5, 0.5, 0.5}, test_late, ratio), "confusion");
}
