// Deep-linear (product-of-layers) diagnostics of the two-clocks paper (Tan et al. 2026, Eq. 2.7 and §1.3 of the
// spec) for a factorization A = W_L ... W_2 W_1 of L >= 1 weight matrices without biases. Layers are given first
// applied first: layers[0] = W_1, each in PyTorch nn.Linear orientation (out x in), so W_{l+1}.cols() must equal
// W_l.rows(). A row-major parameter tensor w<l> of the flat buffer enters as to_matrix(ptr, out, in).
// A layer mismatch throws std::invalid_argument naming both shapes.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

// The end-to-end map A = W_L ... W_1 (out_L x in_1). Cost O(sum_l out_l in_l in_1).
Eigen::MatrixXd end_to_end(const std::vector<Eigen::MatrixXd>& layers);

// Induced end-to-end penalty of layerwise weight decay (lambda/2) sum_l ||W_l||_F^2 at depth L:
//   R_ind(A) = (lambda L / 2) sum_i sigma_i(A)^{2/L} = (lambda/2) min_{W_L...W_1 = A} sum_l ||W_l||_F^2   (Eq. 2.7)
// L = 1 gives (lambda/2)||A||_F^2, L = 2 gives lambda ||A||_* (nuclear norm). Requires depth >= 1.
double induced_penalty(MatrixRef a, int depth, double lambda);

// The penalty actually paid by the current factorization: R_act = (lambda/2) sum_l ||W_l||_F^2 >= R_ind(A),
// with equality exactly on balanced factorizations.
double actual_penalty(const std::vector<Eigen::MatrixXd>& layers, double lambda);

// Layer imbalance D_l = ||W_{l+1}^T W_{l+1} - W_l W_l^T||_F for l = 1..L-1 (returned at index l-1; empty if L = 1).
// Under gradient flow with layerwise weight decay lambda, D_l(t) = e^{-2 lambda t} D_l(0) (science.md §1.3).
// Cost O(sum_l out_l^2 (in_l + out_{l+1})).
std::vector<double> layer_imbalance(const std::vector<Eigen::MatrixXd>& layers);

// All of the above at once, plus the spectrum of A (one SVD).
struct DeepLinearReport {
  Eigen::MatrixXd end_to_end;      // A = W_L ... W_1
  Eigen::VectorXd sv;              // singular values of A, descending
  double induced_penalty = 0.0;    // (lambda L / 2) sum sigma_i^{2/L}
  double actual_penalty = 0.0;     // (lambda / 2) sum ||W_l||_F^2
  std::vector<double> imbalance;   // D_1 .. D_{L-1}
};
DeepLinearReport deep_linear_report(const std::vector<Eigen::MatrixXd>& layers, double lambda);

}  // namespace grokscope::metrics
