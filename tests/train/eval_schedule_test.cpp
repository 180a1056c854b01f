// Evaluation schedules.
#include <gtest/gtest.h>

#include "grokscope/train/eval_schedule.h"

namespace grokscope {
namespace {

TEST(EvalSchedule, LogScheduleIsDenseEarlySparseLateAndIncludesEnds) {
  EvalConfig c;
  c.points_per_decade = 10;
  const EvalSchedule s(c, 100000);
  const auto steps = s.steps();
  EXPECT_EQ(steps.front(), 0);
  EXPECT_EQ(steps.back(), 100000);
  EXPECT_TRUE(s.is_eval_step(1));
  EXPECT_TRUE(s.is_eval_step(2));
  EXPECT_TRUE(s.is_eval_step(10));
  EXPECT_TRUE(s.is_eval_step(1000));
  EXPECT_FALSE(s.is_eval_step(1001));
  // 10 points per decade over 5 decades, with the duplicates of the first decade merged.
  EXPECT_GT(steps.size(), 40u);
  EXPECT_LT(steps.size(), 53u);
  for (size_t i = 1; i < steps.size(); ++i) EXPECT_LT(steps[i - 1], steps[i]);
}

TEST(EvalSchedule, LinearScheduleEveryKAndLastStep) {
  EvalConfig c;
  c.schedule = EvalScheduleKind::linear;
  c.every = 7;
  const EvalSchedule s(c, 30);
  EXPECT_EQ(s.steps(), (std::vector<int64_t>{0, 7, 14, 21, 28, 30}));
  EXPECT_TRUE(s.is_eval_step(30));
  EXPECT_FALSE(s.is_eval_step(29));
}

TEST(EvalSchedule, ZeroStepsEvaluatesOnlyTheInitialization) {
  const EvalSchedule s(EvalConfig{}, 0);
  EXPECT_EQ(s.steps(), (std::vector<int64_t>{0}));
}

}  // namespace
}  // namespace grokscope
