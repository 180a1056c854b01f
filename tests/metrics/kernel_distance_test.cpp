// Distances from initialization and normalized margins on vectors with known geometry.
#include "grokscope/metrics/kernel_distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grokscope/metrics/margins.h"

namespace grokscope::metrics {
namespace {

TEST(KernelDistance, KnownGeometry) {
  const std::vector<double> theta0 = {3.0, 0.0, -4.0};  // norm 5
  InitDistance same = init_distance(theta0.data(), theta0.data(), 3);
  EXPECT_EQ(same.dist_rel, 0.0);
  EXPECT_NEAR(same.cos, 1.0, 1e-15);
  // Pure decay theta = c theta_0 (the kernel-regime picture): dist_rel = |1 - c|, cos = 1.
  const std::vector<double> decayed = {0.75, 0.0, -1.0};
  EXPECT_NEAR(relative_distance(decayed.data(), theta0.data(), 3), 0.75, 1e-15);
  EXPECT_NEAR(cosine_similarity(decayed.data(), theta0.data(), 3), 1.0, 1e-15);
  const std::vector<double> flipped = {-6.0, 0.0, 8.0};
  EXPECT_NEAR(init_distance(flipped.data(), theta0.data(), 3).dist_rel, 3.0, 1e-15);
  EXPECT_NEAR(init_distance(flipped.data(), theta0.data(), 3).cos, -1.0, 1e-15);
  // Orthogonal: cos 0, dist = sqrt(||theta||^2 + ||theta_0||^2).
  const std::vector<double> ortho = {4.0, 1.0, 3.0};
  const InitDistance o = init_distance(ortho.data(), theta0.data(), 3);
  EXPECT_NEAR(o.cos, 0.0, 1e-15);
  EXPECT_NEAR(o.dist_rel, std::sqrt(26.0 + 25.0) / 5.0, 1e-15);
  EXPECT_NEAR(o.norm, std::sqrt(26.0), 1e-15);
  EXPECT_NEAR(o.norm_init, 5.0, 1e-15);
  // float buffers accumulate in double.
  const std::vector<float> f0 = {3.f, 0.f, -4.f}, f1 = {4.f, 1.f, 3.f};
  EXPECT_NEAR(init_distance(f1.data(), f0.data(), 3).dist_rel, o.dist_rel, 1e-15);
  // Undefined ratios are NaN.
  const std::vector<double> zero = {0.0, 0.0, 0.0};
  EXPECT_TRUE(std::isnan(relative_distance(theta0.data(), zero.data(), 3)));
  EXPECT_TRUE(std::isnan(cosine_similarity(zero.data(), theta0.data(), 3)));
}

TEST(Margins, HandLogits) {
  const std::vector<double> z = {2.0, 1.0, 0.0,   // row 0
                                 0.0, 3.0, 1.0};  // row 1
  const std::vector<int32_t> y = {0, 1};
  EXPECT_DOUBLE_EQ(min_logit_margin(z.data(), 2, 3, y.data()), 1.0);  // q = 1, 2
  const std::vector<int32_t> wrong = {1, 1};
  EXPECT_DOUBLE_EQ(min_logit_margin(z.data(), 2, 3, wrong.data()), -1.0);
  const std::vector<float> zf(z.begin(), z.end());
  EXPECT_DOUBLE_EQ(min_logit_margin(zf.data(), 2, 3, y.data()), 1.0);
  EXPECT_TRUE(std::isinf(min_logit_margin(z.data(), 0, 3, y.data())));
  const std::vector<int32_t> bad = {0, 3};
  EXPECT_THROW(min_logit_margin(z.data(), 2, 3, bad.data()), std::invalid_argument);

  EXPECT_DOUBLE_EQ(normalized_margin(1.0, 2.0, 2), 0.25);
  EXPECT_DOUBLE_EQ(normalized_margin(-3.0, 2.0, 3), -0.375);
  // Scale invariance for an L-homogeneous model: q(c theta) = c^L q(theta).
  EXPECT_DOUBLE_EQ(normalized_margin(1.5 * 1.5 * 0.7, 1.5 * 4.0, 2), normalized_margin(0.7, 4.0, 2));
  EXPECT_TRUE(std::isnan(normalized_margin(1.0, 0.0, 2)));
  EXPECT_THROW(normalized_margin(1.0, 1.0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace grokscope::metrics
