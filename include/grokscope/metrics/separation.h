// Class-separation gap S_sep of the two-clocks paper (Tan et al. App. F.5, science.md §1.6), a structural gap for the
// representation clock T_rep(eta) = inf{t : S(t) <= eta}:
//   S_sep = sum_{a=1}^{M} ||z_a - mu_{y_a}||^2 / ( sum_{c != c'} ||mu_c - mu_c'||^2 + delta )
// z_a (row a of Z, n x d) is the representation of sample a, mu_c the mean of the rows of class c. The sum in the
// denominator runs over ordered pairs of the classes present (each unordered pair twice, as written in the paper);
// classes without samples are ignored. Not normalized by n or the number of classes C: S_sep compares runs with the
// same data and classes only. For the MLP, z_a is the last hidden activation (the input of the head) on the training
// rows. Cost O(n d), two streaming passes over the rows: the denominator is computed as
// 2 C sum_c ||mu_c - mean_c mu_c||^2.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

struct SeparationGap {
  double within = 0.0;    // sum_a ||z_a - mu_{y_a}||^2
  double between = 0.0;   // sum_{c != c'} ||mu_c - mu_c'||^2
  double s_sep = 0.0;     // within / (between + delta)    column s_sep
  int classes = 0;        // classes with at least one sample
};

// labels: one per row of z, each >= 0. delta > 0 keeps S_sep finite when all class means coincide.
SeparationGap separation_gap(MatrixRef z, const std::vector<int32_t>& labels, double delta = 1e-12);
// The same on a row-major buffer z[a * d + j] (a < n, j < d), read in place: the probes' activations.
SeparationGap separation_gap_rows(const double* z, int64_t n, int64_t d, const std::vector<int32_t>& labels,
                                  double delta = 1e-12);

}  // namespace grokscope::metrics
