// LY-4's direct margin verdicts (reproduce/checks.h: ly4_margin_verdicts) on synthetic series: w close to w*_L2 in the
// kernel phase and to w*_L1 at the end passes; a w that never approaches w*_L2 before the transition, or that ends
// away from w*_L1 (or a missing probe column), fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace grokscope::reproduce {
namespace {

// Evaluations every 100 steps to 2e4, t_fit = 1, t* = 1e4; the transition at 8000.
void margins(double kernel_l2, double end_l1, std::vector<double>& step, std::vector<double>& l2,
             std::vector<double>& l1) {
  step.clear(), l2.clear(), l1.clear();
  for (int t = 0; t <= 20000; t += 100) {
    const double s = std::clamp((t - 8000) / 2000.0, 0.0, 1.0);
    step.push_back(t);
    l2.push_back(kernel_l2 * (1 - s) + 0.3 * s);
    l1.push_back(0.2 * (1 - s) + end_l1 * s);
  }
}

TEST(Ly4MarginVerdicts, KernelThenRichPasses) {
  std::vector<double> step, l2, l1;
  margins(0.98, 0.999, step, l2, l1);
  const auto v = ly4_margin_verdicts(step, l2, l1, 1, 1e4, 0.5, 0.9, 0.95);
  ASSERT_EQ(v.size(), 2u);
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
  EXPECT_NEAR(test::find(v, "rich_l1_margin")->value, 0.999, 1e-12);
}

TEST(Ly4MarginVerdicts, NoKernelPhaseOrNoL1EndFails) {
  std::vector<double> step, l2, l1;
  margins(0.5, 0.999, step, l2, l1);
  auto v = ly4_margin_verdicts(step, l2, l1, 1, 1e4, 0.5, 0.9, 0.95);
  EXPECT_FALSE(test::find(v, "kernel_l2_margin")->pass);
  EXPECT_TRUE(test::find(v, "rich_l1_margin")->pass);
  margins(0.98, 0.7, step, l2, l1);
  v = ly4_margin_verdicts(step, l2, l1, 1, 1e4, 0.5, 0.9, 0.95);
  EXPECT_TRUE(test::find(v, "kernel_l2_margin")->pass);
  EXPECT_FALSE(test::find(v, "rich_l1_margin")->pass);
  EXPECT_FALSE(test::all_pass(ly4_margin_verdicts(step, {}, {}, 1, 1e4, 0.5, 0.9, 0.95)));
}

TEST(Ly4MarginVerdicts, AlignmentOnlyAfterTheKernelWindowDoesNotCount) {
  std::vector<double> step, l2, l1;
  margins(0.5, 0.999, step, l2, l1);
  for (size_t i = 0; i < step.size(); ++i)
    if (step[i] > 6000 && step[i] < 8000) l2[i] = 0.99;   // after 0.5 t*
  EXPECT_FALSE(test::find(ly4_margin_verdicts(step, l2, l1, 1, 1e4, 0.5, 0.9, 0.95), "kernel_l2_margin")->pass);
}

}  // namespace
}  // namespace grokscope::reproduce
