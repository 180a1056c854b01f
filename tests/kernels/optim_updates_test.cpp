// The operation table of the optimizer update kernels (kernels/optim_updates.h): every SGD variant (decay or not;
// no momentum, first and running momentum step, Nesterov) and Adam / AdamW / Adam + L2 in f32 and f64, on ranges of
// odd lengths (1, 7, 33, 130), against the per-element formula evaluated in f64.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "grokscope/kernels/optim_updates.h"
#include "op_table_util.h"

namespace gk = grokscope::kernels;

namespace {

using grokscope::test::cast;
using grokscope::test::expect_near;

std::vector<double> random_values(size_t n, unsigned seed, double lo = -1, double hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

template <class T, bool kDecay, gk::MomentumMode kMode, bool kNesterov>
void check_sgd(int64_t n, double tol) {
  const double wd = kDecay ? 0.3 : 0.0, mu = 0.9, lr = 0.05;
  const auto p0 = random_values(static_cast<size_t>(n), 1), g = random_values(static_cast<size_t>(n), 2),
             b0 = random_values(static_cast<size_t>(n), 3);
  std::vector<double> p = p0, b = b0;
  for (size_t i = 0; i < p.size(); ++i) {
    double d = g[i] + wd * p[i];
    if (kMode == gk::MomentumMode::first) b[i] = d;
    if (kMode == gk::MomentumMode::running) b[i] = b[i] * mu + d;
    if (kMode != gk::MomentumMode::none) d = kNesterov ? d + mu * b[i] : b[i];
    p[i] -= lr * d;
  }
  auto pt = cast<T>(p0), bt = cast<T>(b0);
  const auto gt = cast<T>(g);
  gk::sgd_range<T, kDecay, kMode, kNesterov>(pt.data(), gt.data(), bt.data(), n, T(wd), T(mu), T(-lr));
  const std::string what = "sgd n=" + std::to_string(n);
  expect_near(pt, p, tol, what + " params");
  if (kMode != gk::MomentumMode::none) expect_near(bt, b, tol, what + " buffer");
}

template <class T, bool kDecoupled, bool kL2>
void check_adam(int64_t n, double tol) {
  const double b1 = 0.9, b2 = 0.98, eps = 1e-8, lr = 1e-3, wd = 0.5, step = 3;
  const double bc1 = 1 - std::pow(b1, step), bc2s = std::sqrt(1 - std::pow(b2, step));
  const double decay = kDecoupled ? 1 - lr * wd : 1.0;
  const auto p0 = random_values(static_cast<size_t>(n), 4), g = random_values(static_cast<size_t>(n), 5),
             m0 = random_values(static_cast<size_t>(n), 6), v0 = random_values(static_cast<size_t>(n), 7, 0, 1);
  std::vector<double> p = p0, m = m0, v = v0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double theta = p[i] * decay;
    const double grad = g[i] + (kL2 ? wd * theta : 0.0);
    m[i] = m[i] * b1 + (1 - b1) * grad;
    v[i] = v[i] * b2 + (1 - b2) * grad * grad;
    p[i] = theta - (lr / bc1) * m[i] / (std::sqrt(v[i]) / bc2s + eps);
  }
  auto pt = cast<T>(p0), mt = cast<T>(m0), vt = cast<T>(v0);
  const auto gt = cast<T>(g);
  const gk::AdamScalars<T> s{T(b1), T(1 - b1), T(b2), T(1 - b2), T(bc2s), T(eps)};
  gk::adam_range<T, kDecoupled, kL2>(pt.data(), gt.data(), mt.data(), vt.data(), n, s, T(decay), T(wd),
                                     T(-lr / bc1));
  const std::string what = "adam n=" + std::to_string(n);
  expect_near(pt, p, tol, what + " params");
  expect_near(mt, m, tol, what + " m");
  expect_near(vt, v, tol, what + " v");
}

template <class T>
void check_all(double tol) {
  for (int64_t n : {1, 7, 33, 130}) {
    check_sgd<T, false, gk::MomentumMode::none, false>(n, tol);
    check_sgd<T, true, gk::MomentumMode::none, false>(n, tol);
    check_sgd<T, true, gk::MomentumMode::first, false>(n, tol);
    check_sgd<T, true, gk::MomentumMode::running, false>(n, tol);
    check_sgd<T, false, gk::MomentumMode::running, true>(n, tol);
    check_adam<T, true, false>(n, tol);    // AdamW
    check_adam<T, false, true>(n, tol);    // Adam + L2
    check_adam<T, false, false>(n, tol);   // Adam
  }
}

}  // namespace

TEST(OptimUpdateKernels, MatchTheF64FormulaInDouble) { check_all<double>(1e-14); }
TEST(OptimUpdateKernels, MatchTheF64FormulaInFloat) { check_all<float>(1e-6); }
