// The operation table of the fused loss kernel (kernels/loss_rows.h): cross-entropy and squared error, loss sum,
// correct count, smallest margin and gradient, in f32 and f64, for odd class counts (2, 7, 17, 97, 130) and ranges
// that start mid-batch, against a direct f64 evaluation (log-sum-exp, softmax).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "grokscope/kernels/loss_rows.h"

namespace gk = grokscope::kernels;
using grokscope::LossKind;

namespace {

template <class T>
void check(LossKind kind, int C, int64_t n, double tol) {
  std::mt19937 rng(static_cast<unsigned>(C * 31 + n));
  std::normal_distribution<double> g(0.0, 3.0);
  std::uniform_int_distribution<int32_t> u(0, C - 1);
  std::vector<double> z(static_cast<size_t>(n * C));
  for (auto& x : z) x = g(rng);
  std::vector<int32_t> y(static_cast<size_t>(n));
  for (auto& x : y) x = u(rng);
  const int64_t r0 = n / 3, r1 = n;   // a range that starts mid-batch
  const double inv_n = 1.0 / static_cast<double>(n), mse_scale = 1.0 / (static_cast<double>(n) * C);
  double loss = 0, correct = 0, margin = INFINITY;
  std::vector<double> grad(z.size(), 0.0);
  for (int64_t i = r0; i < r1; ++i) {
    const double* zi = z.data() + i * C;
    const int yi = y[static_cast<size_t>(i)];
    double others = -INFINITY, mx = -INFINITY;
    int arg = 0;
    for (int j = 0; j < C; ++j) {
      if (j != yi) others = std::max(others, zi[j]);
      if (zi[j] > mx) mx = zi[j], arg = j;
    }
    correct += arg == yi;
    margin = std::min(margin, zi[yi] - others);
    if (kind == LossKind::cross_entropy) {
      double s = 0;
      for (int j = 0; j < C; ++j) s += std::exp(zi[j] - mx);
      loss += mx + std::log(s) - zi[yi];
      for (int j = 0; j < C; ++j)
        grad[static_cast<size_t>(i * C + j)] = (std::exp(zi[j] - mx) / s - (j == yi)) * inv_n;
    } else {
      for (int j = 0; j < C; ++j) {
        const double d = zi[j] - (j == yi);
        loss += d * d;
        grad[static_cast<size_t>(i * C + j)] = 2 * mse_scale * d;
      }
    }
  }
  const std::vector<T> zt(z.begin(), z.end());
  std::vector<T> gt(z.size(), T(0));
  gk::AlignedArray<T> e(C);
  const auto st = gk::loss_rows<T>(kind, zt.data(), r0, r1, C, y.data(), gt.data(), static_cast<T>(inv_n), mse_scale, e);
  EXPECT_NEAR(st.loss_sum, loss, tol * (1 + std::abs(loss))) << C << " " << n;
  EXPECT_EQ(st.correct, correct) << C << " " << n;
  EXPECT_NEAR(st.min_margin, margin, tol * (1 + std::abs(margin))) << C << " " << n;
  for (size_t k = static_cast<size_t>(r0 * C); k < z.size(); ++k)
    EXPECT_NEAR(static_cast<double>(gt[k]), grad[k], tol * (inv_n + std::abs(grad[k]))) << C << " " << n << " " << k;
  for (size_t k = 0; k < static_cast<size_t>(r0 * C); ++k) EXPECT_EQ(gt[k], T(0)) << "rows outside the range";
}

}  // namespace

TEST(LossRowKernel, MatchesTheF64ReferenceInDouble) {
  for (LossKind kind : {LossKind::cross_entropy, LossKind::mse})
    for (int C : {2, 7, 17, 97, 130})
      for (int64_t n : {1, 5, 64}) check<double>(kind, C, n, 1e-12);
}

TEST(LossRowKernel, MatchesTheF64ReferenceInFloat) {
  for (LossKind kind : {LossKind::cross_entropy, LossKind::mse})
    for (int C : {2, 7, 17, 97, 130})
      for (int64_t n : {1, 5, 64}) check<float>(kind, C, n, 2e-5);
}
