// ReLU gate diagnostics (two-clocks paper Prop. 4.1 "frozen gates", App. F.3; science.md §1.4, TC-5). A gate is the bit
// [pre > 0] of one pre-activation entry (sample i, unit u) of a hidden layer; NaN counts as inactive. Over a fixed
// set of samples (the training rows, in a fixed order) the pre-activations of one layer form an n x h row-major
// buffer of count = n h entries; bit j of the packed pattern is entry j (word j / 64, bit j % 64).
//   flip fraction     #{j : gate_j(t) != gate_j(t')} / count                      column gate_flip_frac
//   gate margin       min_j |pre_j|   (the pre-activation margin min_{i,a} |h_i(x_a)| of App. F.3)   gate_margin
// For several hidden layers, concatenate their buffers or keep one tracker per layer (gate_flip_frac_<layer>).
#pragma once

#include <cstdint>
#include <vector>

namespace grokscope::metrics {

// Number of 64-bit words of a packed pattern of `count` gates.
inline int64_t gate_words(int64_t count) { return (count + 63) / 64; }

// Packs [pre_j > 0] into bits (gate_words(count) words; unused high bits of the last word are 0).
template <class T>
void pack_gates(const T* pre, int64_t count, uint64_t* bits);

// Number of differing bits of two packed patterns of `count` gates.
int64_t count_flips(const uint64_t* a, const uint64_t* b, int64_t count);

// Fraction of gates that differ between two pre-activation buffers of `count` entries (NaN if count = 0).
template <class T>
double flip_fraction(const T* pre_a, const T* pre_b, int64_t count);

// min_j |pre_j| over `count` entries (+inf if count = 0; NaN entries are skipped).
template <class T>
double min_abs_preactivation(const T* pre, int64_t count);

// Keeps the previous gate pattern of a fixed-size buffer (two preallocated packed patterns, no allocation per call).
//   GateTracker gates(n_train * hidden);
//   at each evaluation:  double frac = gates.update(pre_activations);   // NaN at the first call
class GateTracker {
 public:
  explicit GateTracker(int64_t count);

  // Packs the new pattern, returns the fraction of gates flipped since the previous update (NaN on the first) and
  // keeps the new pattern as the reference.
  double update(const float* pre);
  double update(const double* pre);

  int64_t count() const { return count_; }
  bool has_previous() const { return has_previous_; }
  int64_t last_flips() const { return last_flips_; }   // flips counted by the last update (0 before the second)
  const std::vector<uint64_t>& pattern() const { return previous_; }  // the latest packed pattern
  void reset() { has_previous_ = false; last_flips_ = 0; }  // forget the reference (e.g. the sample set changed)

 private:
  template <class T>
  double update_impl(const T* pre);

  int64_t count_;
  std::vector<uint64_t> previous_, current_;
  bool has_previous_ = false;
  int64_t last_flips_ = 0;
};

}  // namespace grokscope::metrics
