// Kernel-regime (lazy training) distances of the flat parameter vector from its initialization (Lyu et al. 2024:
// in the kernel phase theta(t) ~ alpha e^{-lambda t} theta_init keeps its direction; science.md §2.2, §2.7):
//   dist_init_rel = ||theta - theta_0||_2 / ||theta_0||_2        (NaN if ||theta_0|| = 0)
//   cos_init      = <theta, theta_0> / (||theta|| ||theta_0||)   (NaN if either norm is 0)
// Accumulated in double over n entries of float or double buffers. Cost O(n). Note dist_init_rel alone mixes norm
// decay and rotation (pure decay by e^{-lambda t} gives 1 - e^{-lambda t} at cos_init = 1).
#pragma once

#include <cstdint>

namespace grokscope::metrics {

struct InitDistance {
  double norm = 0.0;       // ||theta||
  double norm_init = 0.0;  // ||theta_0||
  double dist = 0.0;       // ||theta - theta_0||
  double dist_rel = 0.0;   // column dist_init_rel
  double cos = 0.0;        // column cos_init
};

// Both metrics in one pass.
template <class T>
InitDistance init_distance(const T* theta, const T* theta_init, int64_t n);

template <class T>
double relative_distance(const T* theta, const T* theta_init, int64_t n);

// cos(x, y) of two flat buffers.
template <class T>
double cosine_similarity(const T* x, const T* y, int64_t n);

}  // namespace grokscope::metrics
