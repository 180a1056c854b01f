// Omnigrok's projection onto the sphere (optim/fixed_norm.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "grokscope/optim/fixed_norm.h"

namespace grokscope {
namespace {

TEST(FixedNorm, NormAndRescale) {
  std::vector<double> p = {3.0, 0.0, -4.0};
  EXPECT_EQ(l2_norm(p.data(), 3), 5.0);
  ASSERT_TRUE(rescale_to_norm(p.data(), 3, 10.0));
  EXPECT_EQ(p, (std::vector<double>{6.0, 0.0, -8.0}));
  std::vector<float> q = {1.0f, 1.0f, 1.0f, 1.0f};
  ASSERT_TRUE(rescale_to_norm(q.data(), 4, 1.0));
  EXPECT_EQ(q, (std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}));
}

TEST(FixedNorm, RefusesZeroAndNonFiniteNormsLeavingTheParameters) {
  std::vector<double> zero = {0.0, 0.0};
  EXPECT_FALSE(rescale_to_norm(zero.data(), 2, 1.0));
  EXPECT_EQ(zero, (std::vector<double>{0.0, 0.0}));
  std::vector<double> bad = {1.0, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_FALSE(rescale_to_norm(bad.data(), 2, 1.0));
  EXPECT_EQ(bad[0], 1.0);
  std::vector<double> inf = {1.0, std::numeric_limits<double>::infinity()};
  EXPECT_FALSE(rescale_to_norm(inf.data(), 2, 1.0));
}

}  // namespace
}  // namespace grokscope
