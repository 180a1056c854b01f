// Ziggurat normal sampler: determinism, moments, and the empirical CDF against Phi (Kolmogorov-Smirnov distance,
// bin counts in the tails and near the layer edges).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "grokscope/data/fast_normal.h"

namespace grokscope {
namespace {

double phi_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST(FastNormal, DeterministicInTheSeed) {
  Rng a(3), b(3), c(4);
  bool differs = false;
  for (int k = 0; k < 1000; ++k) {
    const double x = fast_normal(a);
    EXPECT_EQ(x, fast_normal(b));
    differs |= x != fast_normal(c);
  }
  EXPECT_TRUE(differs);
}

TEST(FastNormal, MomentsAndDistributionMatchStandardNormal) {
  Rng rng(12345);
  const int n = 2000000;
  std::vector<double> xs(n);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  for (auto& x : xs) {
    x = fast_normal(rng);
    m1 += x, m2 += x * x, m3 += x * x * x, m4 += x * x * x * x;
  }
  m1 /= n, m2 /= n, m3 /= n, m4 /= n;
  EXPECT_NEAR(m1, 0.0, 0.004);   // sd of the mean 7e-4
  EXPECT_NEAR(m2, 1.0, 0.006);   // sd 1e-3
  EXPECT_NEAR(m3, 0.0, 0.012);   // sd 2e-3
  EXPECT_NEAR(m4, 3.0, 0.05);    // sd 7e-3
  std::sort(xs.begin(), xs.end());
  double ks = 0.0;
  for (int k = 0; k < n; k += 7) ks = std::max(ks, std::abs(phi_cdf(xs[static_cast<size_t>(k)]) - (k + 0.5) / n));
  EXPECT_LT(ks, 1.6 / std::sqrt(static_cast<double>(n)));  // KS at ~1% level
  // Tail mass beyond R = 3.44 (the tail sampler) and beyond 4, each side.
  for (double t : {3.0, 3.5, 4.0}) {
    const auto above = static_cast<double>(xs.end() - std::upper_bound(xs.begin(), xs.end(), t));
    const auto below = static_cast<double>(std::lower_bound(xs.begin(), xs.end(), -t) - xs.begin());
    const double expected = n * phi_cdf(-t);
    EXPECT_NEAR(above, expected, 5 * std::sqrt(expected) + 1) << t;
    EXPECT_NEAR(below, expected, 5 * std::sqrt(expected) + 1) << t;
  }
  // Fine bins over [-3, 3]: every bin count within 5 sd of the expectation (catches a wrong wedge or layer edge).
  const int bins = 120;
  for (int b = 0; b < bins; ++b) {
    const double lo = -3.0 + 6.0 * b / bins, hi = lo + 6.0 / bins;
    const auto count = static_cast<double>(std::lower_bound(xs.begin(), xs.end(), hi) -
                                           std::lower_bound(xs.begin(), xs.end(), lo));
    const double expected = n * (phi_cdf(hi) - phi_cdf(lo));
    EXPECT_NEAR(count, expected, 5 * std::sqrt(expected)) << "bin [" << lo << ", " << hi << ")";
  }
}

}  // namespace
}  // namespace grokscope
