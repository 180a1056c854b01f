// Spectral metrics of one matrix A (m x n), from its singular values sigma_1 >= ... >= sigma_r >= 0, r = min(m, n).
// Everything is computed in double from one SVD without singular vectors (LAPACK's dgesdd through kernels/lapack.h;
// Eigen::BDCSVD if LAPACK reports a failure); cost O(m n min(m, n)). Deep-linear (product-of-layers) quantities are in deep_linear.h.
// Bad input (k < 0, p <= 0) throws std::invalid_argument; an empty matrix has no singular values.
#pragma once

#include <Eigen/Core>

#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

// All min(m, n) singular values, descending.
Eigen::VectorXd singular_values(MatrixRef a);

// The first min(k, r) singular values, descending (k >= 0).
Eigen::VectorXd top_singular_values(MatrixRef a, int k);

// The scalar metrics below, given the singular values (any order; entries must be >= 0).
//   stable rank      srank(A) = ||A||_F^2 / ||A||_2^2 = sum_i sigma_i^2 / sigma_1^2         (Tan et al. Eq. 2.3)
//                    in [1, rank A]; 0 for the zero matrix (a convention: the ratio is 0/0).
//   effective rank   erank(A) = exp(H(p)), H(p) = -sum_i p_i log p_i, p_i = sigma_i / sum_j sigma_j
//                    (Roy & Vetterli 2007: p_i from singular values, not their squares; 0 log 0 = 0), in [1, rank A];
//                    0 for the zero matrix. Liu et al. 2022's "effective dimension" uses variance fractions
//                    p_i ~ sigma_i^2 of the centred matrix instead: pass squared=true (no centring done here).
//   nuclear norm     ||A||_* = sum_i sigma_i                                                  (= Schatten p = 1)
//   Schatten-p       ||A||_{S_p}^p = sum_i sigma_i^p, p > 0 (a quasi-norm for p < 1). Singular values at or below
//                    the numerical-rank tolerance r eps sigma_1 count as 0 (for p < 1 a round-off sigma ~ 1e-16
//                    would otherwise add 1e-16^p, e.g. 1e-8 at p = 1/2).                     (Tan et al. Eq. 2.7)
double stable_rank_from_sv(const Eigen::VectorXd& sv);
double effective_rank_from_sv(const Eigen::VectorXd& sv, bool squared = false);
double nuclear_norm_from_sv(const Eigen::VectorXd& sv);
double schatten_from_sv(const Eigen::VectorXd& sv, double p);

// The same from the matrix (one SVD each; use spectral_summary() for several at once).
double stable_rank(MatrixRef a);
double effective_rank(MatrixRef a, bool squared = false);
double nuclear_norm(MatrixRef a);
double schatten(MatrixRef a, double p);

// Everything above from one SVD: the per-matrix block of a metrics row.
struct SpectralSummary {
  Eigen::VectorXd sv;            // all singular values, descending
  double frobenius = 0.0;        // ||A||_F = sqrt(sum sigma_i^2)
  double spectral = 0.0;         // ||A||_2 = sigma_1 (0 if A is empty)
  double stable_rank = 0.0;      // column srank_<matrix>
  double effective_rank = 0.0;   // column erank_<matrix> (Roy-Vetterli, p_i ~ sigma_i)
  double nuclear = 0.0;          // column nuc_<matrix>
};
SpectralSummary spectral_summary(MatrixRef a);

}  // namespace grokscope::metrics
