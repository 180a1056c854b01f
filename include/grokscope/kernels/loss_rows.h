// The fused loss kernel of the compute seam: for a range of rows of logits (n x C) with class labels, the loss sum,
// the number of correct argmaxes, the smallest margin and, when grad is given, d loss / d logits (already divided by
// n), in one pass. Cross-entropy through a max-shifted softmax, or the squared error against one-hot targets
// (scaled by mse_scale). nn/loss.cpp splits a batch into chunks of rows over the thread team and combines the
// chunks in order; tests/kernels/loss_rows_test.cpp checks this kernel against an f64 reference.
//
// Bits must not depend on where the allocator put a buffer (the same seed must give the same bits in every run), so
// no reduction here lets the vectorizer peel to an alignment boundary: sums and maxima run over 16 fixed lanes from
// the start of the row (lane k takes the elements j = k mod 16, in order), combined in a fixed order, and exp is
// evaluated by Eigen into a 64-byte-aligned buffer (Eigen peels unaligned leading elements of a destination to a
// scalar exp that rounds differently from its SIMD exp).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "grokscope/core/run_config.h"

namespace grokscope::kernels {

// GCC 12 reports a false -Wmaybe-uninitialized inside Eigen's AVX-512 code (_mm512_undefined_ps).
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

constexpr int kLanes = 16;

// Max of x[0..n) (-inf when n == 0); exact, so the lane order only matters for NaNs (which propagate as with
// a > b ? a : b).
template <class T>
T max_of(const T* x, int n) {
  T acc[kLanes];
  for (int k = 0; k < kLanes; ++k) acc[k] = -std::numeric_limits<T>::infinity();
  int j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] = x[j + k] > acc[k] ? x[j + k] : acc[k];
  for (int k = 0; j + k < n; ++k) acc[k] = x[j + k] > acc[k] ? x[j + k] : acc[k];
  T best = acc[0];
  for (int k = 1; k < kLanes; ++k) best = acc[k] > best ? acc[k] : best;
  return best;
}

// Sum of x[0..n) over 16 lanes in a fixed order.
template <class T>
T sum_of(const T* x, int n) {
  T acc[kLanes] = {};
  int j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += x[j + k];
  for (int k = 0; j + k < n; ++k) acc[k] += x[j + k];
  for (int w = kLanes / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
  return acc[0];
}

struct LossRowStats {
  double loss_sum = 0.0;
  double correct = 0.0;
  double min_margin = std::numeric_limits<double>::infinity();
};

template <class T>
using AlignedArray = Eigen::Array<T, Eigen::Dynamic, 1>;  // Eigen allocates 64-byte aligned with AVX-512

template <class T>
LossRowStats loss_rows(LossKind kind, const T* logits, int64_t r0, int64_t r1, int C, const int32_t* labels,
                     T* grad, T inv_n, double mse_scale, AlignedArray<T>& e) {
  LossRowStats st;
  using AlignedMap = Eigen::Map<AlignedArray<T>, Eigen::Aligned64>;
  using ConstRow = Eigen::Map<const AlignedArray<T>>;
  AlignedMap eb(e.data(), C);
  for (int64_t i = r0; i < r1; ++i) {
    const T* z = logits + i * C;
    const int y = labels[i];
    const T zy = z[y];
    const T lo = max_of(z, y);                  // max over j < y
    const T hi = max_of(z + y + 1, C - y - 1);  // max over j > y
    const T others = hi > lo ? hi : lo;
    // argmax (first index on ties) is y: z_y beats every earlier class strictly and no later class exceeds it.
    st.correct += (zy > lo && zy >= hi) ? 1.0 : 0.0;
    st.min_margin = std::min(st.min_margin, static_cast<double>(zy) - static_cast<double>(others));
    T* g = grad ? grad + i * C : nullptr;
    if (kind == LossKind::cross_entropy) {
      const T m = std::max(zy, others);
      eb = (ConstRow(z, C) - m).exp();
      const T e_y = eb[y];
      eb[y] = T(0);
      const T rest = sum_of(e.data(), C);  // sum over j != y of e^{z_j - m}, without the cancellation of s - e_y
      const T s = rest + e_y;
      if (zy >= others)
        st.loss_sum += std::log1p(static_cast<double>(rest));
      else
        st.loss_sum += static_cast<double>(m) - static_cast<double>(zy) + std::log(static_cast<double>(s));
      if (g) {
        const T scale = inv_n / s;
        const T* __restrict ev = e.data();
        for (int j = 0; j < C; ++j) g[j] = ev[j] * scale;
        g[y] = -rest * scale;  // softmax_y - 1 = -rest / s
      }
    } else {
      T* d = g ? g : e.data();
      for (int j = 0; j < C; ++j) d[j] = z[j];
      d[y] -= T(1);
      for (int j = 0; j < C; ++j) st.loss_sum += static_cast<double>(d[j]) * static_cast<double>(d[j]);
      if (g) {
        const T sc = static_cast<T>(2.0 * mse_scale);
        for (int j = 0; j < C; ++j) g[j] *= sc;
      }
    }
  }
  return st;
}

#pragma GCC diagnostic pop

}  // namespace grokscope::kernels
