// Online clock detection.
#include <gtest/gtest.h>

#include "grokscope/metrics/clocks.h"

namespace grokscope {
namespace {

TEST(Clocks, FireAtFirstEvaluationMeetingTheCondition) {
  EvalConfig c;
  c.acc_threshold = 0.9;
  c.loss_eps = {0.5, 0.01};
  ClockTracker t(c, false);
  t.update({.step = 0, .time = 0.0, .loss_train = 2.0, .acc_train = 0.1, .acc_test = 0.1});
  t.update({.step = 10, .time = 1.0, .loss_train = 0.4, .acc_train = 1.0, .acc_test = 0.2});
  t.update({.step = 20, .time = 2.0, .loss_train = 0.6, .acc_train = 0.99, .acc_test = 0.5});  // a relapse
  t.update({.step = 40, .time = 4.0, .loss_train = 0.005, .acc_train = 1.0, .acc_test = 0.95});
  t.finish("run ended");
  EXPECT_TRUE(t.t_fit().fired);
  EXPECT_EQ(t.t_fit().step, 10);           // the first time, not the last
  EXPECT_EQ(t.t_fit().bracket_lo, 0);
  EXPECT_EQ(t.t_gen().step, 40);
  EXPECT_DOUBLE_EQ(t.t_gen().time, 4.0);
  EXPECT_EQ(t.t_gen().bracket_lo, 20);
  EXPECT_EQ(t.t_cls()[0].step, 10);
  EXPECT_EQ(t.t_cls()[1].step, 40);
  EXPECT_TRUE(t.all_fired());
}

TEST(Clocks, NeverFiredClocksCarryAReason) {
  EvalConfig c;
  c.loss_eps = {1e-6};
  ClockTracker t(c, false);
  t.update({.step = 0, .time = 0.0, .loss_train = 2.0, .acc_train = 0.3, .acc_test = 0.1});
  t.update({.step = 5, .time = 0.5, .loss_train = 1.0, .acc_train = 0.7, .acc_test = 0.05});
  t.finish("run ended");
  EXPECT_FALSE(t.t_fit().fired);
  EXPECT_EQ(t.t_fit().step, -1);
  EXPECT_NE(t.t_fit().reason.find("best 0.7 at step 5"), std::string::npos) << t.t_fit().reason;
  EXPECT_NE(t.t_gen().reason.find("best 0.1 at step 0"), std::string::npos) << t.t_gen().reason;
  EXPECT_NE(t.t_cls()[0].reason.find("lowest 1 at step 5"), std::string::npos) << t.t_cls()[0].reason;
  EXPECT_FALSE(t.all_fired());
}

}  // namespace
}  // namespace grokscope

namespace grokscope {
namespace {

TEST(Clocks, RegressionClocksUseLossThresholds) {
  EvalConfig c;
  c.fit_loss = 1e-3;
  c.gen_loss = 1e-2;
  c.loss_eps = {};
  ClockTracker t(c, true);
  t.update({.step = 0, .time = 0.0, .loss_train = 1.0, .acc_train = 0.0, .acc_test = 0.0, .loss_test = 1.0});
  t.update({.step = 10, .time = 1.0, .loss_train = 1e-4, .acc_train = 0.0, .acc_test = 0.0, .loss_test = 0.5});
  t.update({.step = 20, .time = 2.0, .loss_train = 1e-5, .acc_train = 0.0, .acc_test = 0.0, .loss_test = 5e-3});
  EXPECT_EQ(t.t_fit().step, 10);
  EXPECT_EQ(t.t_gen().step, 20);
}

}  // namespace
}  // namespace grokscope
