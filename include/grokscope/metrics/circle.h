// Musat's circle diagnostics of an embedding (science.md §3.7, "The Geometry of Grokking", Section 7.3.2): the complex
// Fourier features of the rows of E (p x d, row j = embedding of residue j)
//   F_k = (1/p) sum_{j=0}^{p-1} e^{-2 pi i j k / p} E_j  in C^d,   k = 1..floor((p-1)/2)
// i.e. Re F_k = (1/p) sum_j cos(2 pi j k / p) E_j and Im F_k = -(1/p) sum_j sin(2 pi j k / p) E_j. Projected onto
// span(Re F_k, Im F_k) the residues 0, k, 2k, ... lie on an ellipse; grokked embeddings make it a circle (rho -> 1,
// cos -> 0) and give each frequency its own hidden units (S_kk' small off the diagonal).
// Relation to fourier.h: ||F_k|| = n_k / sqrt(2 p) with n_k the Nanda frequency norm (p odd, or k < p/2).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

// Per-frequency diagnostics; vectors are indexed by k-1, matrices by (k-1, k'-1), K = floor((p-1)/2).
// A ratio or cosine whose denominator is 0 is NaN (rho is +inf when only ||Im F_k|| is 0). Re F_k or Im F_k with
// norm <= 1e-12 ||E||_F / sqrt(p) (round-off of an absent frequency) is set to exactly 0 first.
struct CircleDiagnostics {
  int p = 0;
  Eigen::MatrixXd re, im;           // d x K: column k-1 holds Re F_k, Im F_k
  Eigen::VectorXd norm;             // ||F_k|| = sqrt(||Re F_k||^2 + ||Im F_k||^2)
  Eigen::VectorXd rho;              // rho_k = ||Re F_k|| / ||Im F_k||                  (1 for a circle)
  Eigen::VectorXd cos_re_im;        // cos_k = <Re F_k, Im F_k> / (||Re F_k|| ||Im F_k||)  (0 for a circle)
  Eigen::VectorXd abs_re_im_sim;    // cos(|Re F_k|, |Im F_k|), element-wise absolute values (same units for Re, Im)
  Eigen::MatrixXd similarity;       // S_kk' = cos(|F_k|, |F_k'|), |F_k|_u = sqrt(Re_u^2 + Im_u^2) element-wise,
                                    // in [0, 1], 1 on the diagonal: overlap of the hidden units used by k and k'
  Eigen::MatrixXd plane_overlap;    // largest principal-angle cosine between span(Re F_k, Im F_k) and
                                    // span(Re F_k', Im F_k') ("circles in orthogonal planes": -> 0 off the diagonal)
};

// Cost O(p d K) for F plus O(K^2 d) for the two K x K matrices. Requires p = e.rows() >= 3 (K >= 1).
CircleDiagnostics circle_diagnostics(MatrixRef e);

// Scalar summaries over a set of frequencies (usually the key frequencies; 1-based, each in 1..K):
struct CircleSummary {
  double rho_logdev = 0.0;      // mean_k |log rho_k|            column circle_rho_logdev   (0 for perfect circles)
  double cos_abs = 0.0;         // mean_k |cos_k|                column circle_cos_abs
  double sim_offdiag = 0.0;     // mean_{k != k'} S_kk'          column circle_sim_offdiag  (NaN for one frequency)
  double plane_offdiag = 0.0;   // mean_{k != k'} plane_overlap  column circle_plane_offdiag
};
CircleSummary summarize_circles(const CircleDiagnostics& diag, const std::vector<int>& freqs);

}  // namespace grokscope::metrics
