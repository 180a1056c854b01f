// Optimizer update kernels of the compute seam: the per-element loops of SGD (with momentum / Nesterov) and
// Adam / AdamW over one contiguous range. The update rules, and why each scalar is cast the way it is, are in
// optim/sgd.cpp and optim/adam.cpp (PyTorch 1.13 semantics); these functions only run them. A future GPU backend
// implements the same functions; tests/kernels/optim_updates_test.cpp checks them against an f64 reference.
// Header-inline: the loops compile into the optimizer's translation unit (whose -fno-math-errno lets GCC vectorize
// the Adam sqrt).
#pragma once

#include <cmath>
#include <cstdint>

namespace grokscope::kernels {

enum class MomentumMode { none, first, running };

// One contiguous range. All branches are resolved at compile time so the loop is a straight vectorizable stream.
template <class T, bool kDecay, MomentumMode kMode, bool kNesterov>
void sgd_range(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t n, T wd, T mu, T neg_lr) {
  for (int64_t i = 0; i < n; ++i) {
    T d = g[i];
    if constexpr (kDecay) d = d + wd * p[i];
    if constexpr (kMode == MomentumMode::first) {
      buf[i] = d;
    } else if constexpr (kMode == MomentumMode::running) {
      buf[i] = buf[i] * mu + d;
    }
    if constexpr (kMode != MomentumMode::none) {
      if constexpr (kNesterov) {
        d = d + mu * buf[i];
      } else {
        d = buf[i];
      }
    }
    p[i] = p[i] + neg_lr * d;
  }
}

template <class T>
struct AdamScalars {
  T beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps;
};

// Vectorization: GCC vectorizes this loop only under -fno-math-errno (with the default -fmath-errno, std::sqrt may
// set errno, which is control flow; the optimize attribute / pragma do not help in GCC 12). The flag changes no
// result (v >= 0; sqrt is correctly rounded either way). Eigen's array .sqrt() is deliberately not used: under
// EIGEN_FAST_MATH (Eigen's default) its AVX/AVX-512 float sqrt (and AVX-512 double sqrt) is an rsqrt + Newton
// approximation, not correctly rounded, which would break agreement with PyTorch.
//
// One contiguous range; kDecoupled / kL2 are compile-time so the loop is a straight vectorizable stream.
template <class T, bool kDecoupled, bool kL2>
void adam_range(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, int64_t n,
                const AdamScalars<T> s, T decay, T wd, T neg_step_size) {
  for (int64_t i = 0; i < n; ++i) {
    T theta = p[i];
    if constexpr (kDecoupled) theta = theta * decay;
    T grad = g[i];
    if constexpr (kL2) grad = grad + wd * theta;
    const T mi = m[i] * s.beta1 + s.one_minus_beta1 * grad;
    const T vi = v[i] * s.beta2 + s.one_minus_beta2 * grad * grad;
    m[i] = mi;
    v[i] = vi;
    const T denom = std::sqrt(vi) / s.bias_correction2_sqrt + s.eps;
    p[i] = theta + neg_step_size * mi / denom;
  }
}

}  // namespace grokscope::kernels
