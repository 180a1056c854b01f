// ReLU gate flips and pre-activation margins (see metrics/gates.h).
#include "grokscope/metrics/gates.h"

#include <Eigen/Core>
#include <bit>
#include <cmath>
#include <limits>

#include "check.h"

namespace grokscope::metrics {

template <class T>
void pack_gates(const T* pre, int64_t count, uint64_t* bits) {
  const int64_t words = gate_words(count);
  for (int64_t w = 0; w < words; ++w) {
    const int64_t begin = w * 64;
    const int64_t n = count - begin < 64 ? count - begin : 64;
    uint64_t word = 0;
    for (int64_t j = 0; j < n; ++j) word |= static_cast<uint64_t>(pre[begin + j] > T(0)) << j;
    bits[w] = word;
  }
}

int64_t count_flips(const uint64_t* a, const uint64_t* b, int64_t count) {
  int64_t flips = 0;
  for (int64_t w = 0; w < gate_words(count); ++w) flips += std::popcount(a[w] ^ b[w]);
  return flips;
}

template <class T>
double flip_fraction(const T* pre_a, const T* pre_b, int64_t count) {
  if (count < 0) detail::fail("flip_fraction", "count = {} must be >= 0", count);
  if (count == 0) return std::numeric_limits<double>::quiet_NaN();
  int64_t flips = 0;
  for (int64_t j = 0; j < count; ++j) flips += (pre_a[j] > T(0)) != (pre_b[j] > T(0));
  return static_cast<double>(flips) / static_cast<double>(count);
}

template <class T>
double min_abs_preactivation(const T* pre, int64_t count) {
  if (count <= 0) return std::numeric_limits<double>::infinity();
  // Vectorized; PropagateNumbers skips NaN entries, as the definition asks; all NaN (no number) gives infinity.
  const T m = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(pre, count)
                  .abs()
                  .template minCoeff<Eigen::PropagateNumbers>();
  return std::isnan(m) ? std::numeric_limits<double>::infinity() : static_cast<double>(m);
}

GateTracker::GateTracker(int64_t count) : count_(count) {
  if (count < 0) detail::fail("GateTracker", "count = {} must be >= 0", count);
  previous_.assign(static_cast<size_t>(gate_words(count)), 0);
  current_.assign(static_cast<size_t>(gate_words(count)), 0);
}

template <class T>
double GateTracker::update_impl(const T* pre) {
  pack_gates(pre, count_, current_.data());
  double frac = std::numeric_limits<double>::quiet_NaN();
  if (has_previous_) {
    last_flips_ = count_flips(previous_.data(), current_.data(), count_);
    if (count_ > 0) frac = static_cast<double>(last_flips_) / static_cast<double>(count_);
  }
  previous_.swap(current_);
  has_previous_ = true;
  return frac;
}

double GateTracker::update(const float* pre) { return update_impl(pre); }
double GateTracker::update(const double* pre) { return update_impl(pre); }

template void pack_gates<float>(const float*, int64_t, uint64_t*);
template void pack_gates<double>(const double*, int64_t, uint64_t*);
template double flip_fraction<float>(const float*, const float*, int64_t);
template double flip_fraction<double>(const double*, const double*, int64_t);
template double min_abs_preactivation<float>(const float*, int64_t);
template double min_abs_preactivation<double>(const double*, int64_t);

}  // namespace grokscope::metrics
