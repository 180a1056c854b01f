// The Grokfast filters by hand (optim/grad_filter.h): EMA's first step and its recursion, MA's warmup, ring
// wrap-around, sum and mean, no warmup, and the state the memory estimate counts. The PyTorch comparison is
// grad_filter_golden_test.cpp.
#include <gtest/gtest.h>

#include <vector>

#include "grokscope/optim/grad_filter.h"

namespace grokscope {
namespace {

TEST(EmaGradFilter, FirstStepStartsAtTheGradientThenAverages) {
  EmaGradFilter<double> f(2, 0.5, 2.0);
  std::vector<double> g = {1.0, -4.0};
  f.apply(g.data());   // h = g (then h * 0.5 + g * 0.5 = g); g + 2 h = 3 g
  EXPECT_EQ(g, (std::vector<double>{3.0, -12.0}));
  EXPECT_EQ(f.average(), (std::vector<double>{1.0, -4.0}));
  g = {3.0, 0.0};
  f.apply(g.data());   // h = 0.5 (1, -4) + 0.5 (3, 0) = (2, -2); g + 2 h = (7, -4)
  EXPECT_EQ(f.average(), (std::vector<double>{2.0, -2.0}));
  EXPECT_EQ(g, (std::vector<double>{7.0, -4.0}));
  EXPECT_EQ(f.steps_seen(), 2);
}

TEST(MaGradFilter, MeanWithWarmupStartsWhenTheWindowIsFullAndSlides) {
  MaGradFilter<double> f(1, 3, 10.0, MaFilter::mean, true);
  std::vector<double> g = {1.0};
  f.apply(g.data());
  EXPECT_EQ(g[0], 1.0);   // warmup: 1 of 3
  g = {2.0};
  f.apply(g.data());
  EXPECT_EQ(g[0], 2.0);   // 2 of 3
  g = {6.0};
  f.apply(g.data());
  EXPECT_EQ(g[0], 6.0 + 10.0 * 3.0);   // mean(1, 2, 6) = 3
  g = {-3.0};
  f.apply(g.data());
  EXPECT_EQ(g[0], -3.0 + 10.0 * (5.0 / 3.0));   // the oldest (1) left: mean(2, 6, -3)
  g = {0.0};
  f.apply(g.data());
  EXPECT_EQ(g[0], 10.0 * (1.0 / 1.0));   // mean(6, -3, 0) = 1
}

TEST(MaGradFilter, SumWithoutWarmupFiltersFromTheFirstStep) {
  MaGradFilter<double> f(2, 2, 0.5, MaFilter::sum, false);
  std::vector<double> g = {2.0, 4.0};
  f.apply(g.data());   // sum = g: g + 0.5 g
  EXPECT_EQ(g, (std::vector<double>{3.0, 6.0}));
  g = {1.0, 1.0};
  f.apply(g.data());   // sum of the raw (2, 4) and (1, 1), not of the filtered (3, 6)
  EXPECT_EQ(g, (std::vector<double>{1.0 + 0.5 * 3.0, 1.0 + 0.5 * 5.0}));
  g = {0.0, 2.0};
  f.apply(g.data());   // window 2: (1, 1) + (0, 2)
  EXPECT_EQ(g, (std::vector<double>{0.5, 2.0 + 0.5 * 3.0}));
}

TEST(MaGradFilter, MeanWithoutWarmupDividesByTheGradientsSeen) {
  MaGradFilter<float> f(1, 4, 1.0, MaFilter::mean, false);
  std::vector<float> g = {4.0f};
  f.apply(g.data());
  EXPECT_EQ(g[0], 8.0f);
  g = {2.0f};
  f.apply(g.data());
  EXPECT_EQ(g[0], 2.0f + 3.0f);   // mean(4, 2)
}

TEST(GradFilter, FactoryAndState) {
  OptimConfig c;
  EXPECT_EQ(make_grad_filter<double>(c, 5), nullptr);
  EXPECT_EQ(grad_filter_copies(c), 0);
  c.grad_filter = GradFilterKind::ema;
  EXPECT_NE(dynamic_cast<EmaGradFilter<float>*>(make_grad_filter<float>(c, 5).get()), nullptr);
  EXPECT_EQ(grad_filter_copies(c), 1);
  c.grad_filter = GradFilterKind::ma;
  c.ma_window = 7;
  EXPECT_NE(dynamic_cast<MaGradFilter<double>*>(make_grad_filter<double>(c, 5).get()), nullptr);
  EXPECT_EQ(grad_filter_copies(c), 8);
}

}  // namespace
}  // namespace grokscope
