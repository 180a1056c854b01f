// Nanda et al.'s restricted and excluded losses (science.md §4.2, §6), for the logit table of any model on the ordered
// addition task mod p. The table has p^2 rows and p columns: row r = a p + b is the input (a, b) in the order of
// make_modular_table(add, p, ordered) and column c the logit of class c (drop any extra token logits first); a
// row-major model output enters as to_matrix(out, p * p, p). Labels are y_r = (a + b) mod p.
//
// Directions on the (a, b) grid (each unit norm over the p^2 cells, w_k = 2 pi k / p):
//   u_k = (cos_k (x) cos_k - sin_k (x) sin_k) / sqrt 2 = (sqrt 2 / p) cos(w_k (a + b))
//   v_k = (sin_k (x) cos_k + cos_k (x) sin_k) / sqrt 2 = (sqrt 2 / p) sin(w_k (a + b))
// (cos_k, sin_k the unit rows of fourier_basis). For each class c, with L_c the p x p slice and mu_c its mean,
//   P_c = sum_{k in K} <L_c, u_k> u_k + <L_c, v_k> v_k
//   restricted:  R_c = mu_c + P_c      (the constant component = per-class mean added back, Nanda's bias correction)
//   excluded:    X_c = L_c - P_c       (no bias correction)
// For k = p/2 (even p) the cos direction is normalized by its own norm and the sin direction vanishes.
// Since u_k, v_k depend on (a+b) mod p only, P is computed from the anti-diagonal sums D[s, c] = sum_{a+b=s} L[a,b,c]:
// cost O(p^3 + p^2 |K|), no p^2 x p^2 basis is ever built.
// With K = all frequencies, R keeps exactly the part of L that depends on (a+b) mod p (its anti-diagonal means), so
// restricted loss = full loss whenever the logits are functions of a+b (a grokked, clean Fourier circuit).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

// Mean cross-entropy over the listed rows of a logit matrix (n x C):
//   (1/|R|) sum_{r in R} [ logsumexp_j z_{r,j} - z_{r, y_r} ]    (labels has one entry per row of logits, in [0, C))
// Computed in double with the max subtracted, as log1p(sum_{j != y} e^{z_j - z_y}) when y is the argmax so tiny
// losses keep full precision (as nn/loss.h). Empty rows give NaN.
double cross_entropy(MatrixRef logits, const std::vector<int32_t>& labels, const std::vector<int64_t>& rows);

// y_r = (a + b) mod p for r = a p + b, r < p^2.
std::vector<int32_t> addition_labels(int p);

// The p^2 x p tables R and X defined above. keys: distinct frequencies in 1..floor(p/2).
Eigen::MatrixXd restricted_logits(MatrixRef table, int p, const std::vector<int>& keys);
Eigen::MatrixXd excluded_logits(MatrixRef table, int p, const std::vector<int>& keys);

// The three losses over one row set (Nanda: excluded loss on the training rows; the split of the restricted loss is
// not stated — call twice to get both sets). Columns loss_restricted, loss_excluded.
struct FourierLosses {
  double full = 0.0;         // cross_entropy(table)
  double restricted = 0.0;   // cross_entropy(R)
  double excluded = 0.0;     // cross_entropy(X)
};
FourierLosses fourier_losses(MatrixRef table, int p, const std::vector<int>& keys, const std::vector<int64_t>& rows);

}  // namespace grokscope::metrics
