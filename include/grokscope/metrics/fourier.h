// Fourier metrics for modular tasks with modulus p: the real Fourier basis of Z_p (Nanda et al. 2023), per-frequency
// norms of a matrix whose rows are indexed by residue, the Gini coefficient, key frequencies and the rule gap S_rule
// of the two-clocks paper (App. F.5). Musat's circle diagnostics are in circle.h; Nanda's restricted and excluded
// losses in fourier_loss.h. Rows-by-residue matrices of an MLP: see input_slot_embeddings() below and
// docs/diagnostics.md. Bad input (p < 2, a frequency out of range) throws std::invalid_argument.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

// Number of nonzero frequencies of Z_p: k = 1..floor(p/2).
int num_frequencies(int p);

// The real orthonormal Fourier basis B of Z_p (p x p, row r is a function of the residue x = 0..p-1):
//   row 0      1/sqrt(p)                                    "const"
//   row 2k-1   cos(2 pi k x / p) / ||cos(2 pi k . / p)||    "cos k",  k = 1..floor(p/2)
//   row 2k     sin(2 pi k x / p) / ||sin(2 pi k . / p)||    "sin k",  k = 1..floor((p-1)/2)
// For odd p this is Nanda's basis exactly. For even p, sin(pi x) = 0 is left out (Nanda's code would divide by zero)
// and cos_{p/2} = (-1)^x / sqrt(p) is the last row, so B is square and B B^T = I for every p >= 2.
Eigen::MatrixXd fourier_basis(int p);
std::vector<std::string> fourier_basis_names(int p);

// Fourier coefficients of a p x d matrix E (rows = residues): C = B E (p x d); row r of C is the d-vector of the
// basis function r. fourier_component_norms returns ||C_r|| for each basis row r (p values).
Eigen::MatrixXd fourier_coefficients(MatrixRef e);
Eigen::VectorXd fourier_component_norms(MatrixRef e);

// Per-frequency norms of E (p x d, p = e.rows()): the norm of the projection of E onto span{cos_k, sin_k} along the
// residue axis,  n_k = sqrt(||cos_k^T E||^2 + ||sin_k^T E||^2),  k = 1..floor(p/2), and of the constant
// n_0 = ||1^T E|| / sqrt(p). sum_k n_k^2 + n_0^2 = ||E||_F^2 (Parseval). Cost O(p^2 d).
struct FrequencyNorms {
  double constant = 0.0;   // n_0
  Eigen::VectorXd norms;   // norms(k-1) = n_k
};
FrequencyNorms frequency_norms(MatrixRef e);

// Gini coefficient of a nonnegative vector c of length N (Hurley & Rickard 2009, science.md §6): with c sorted ascending,
//   G = 1 - 2 sum_{k=1}^{N} (c_(k) / ||c||_1) ((N - k + 1/2) / N).
// G = 0 for a constant vector, 1 - 1/N for a one-hot vector (the maximum); 0 by convention for the zero vector.
// Column fourier_gini_<matrix> is gini(frequency_norms(E).norms) (constant component excluded). Throws on c_i < 0.
double gini(const Eigen::VectorXd& c);

// Key frequencies: every k (1-based, ascending) with norms(k-1) >= fraction * max_k norms — the TransformerLens
// grokking-demo rule (W_E frequency norm > max/4) with the fraction as a parameter (0 < fraction <= 1).
// Empty when all norms are 0.
std::vector<int> key_frequencies(const Eigen::VectorXd& norms, double fraction = 0.25);

// Rule gap (Tan et al. App. F.5):  S_rule = ||(I - P_rule) A||_F^2 / (||A||_F^2 + delta), A is p x d with rows
// indexed by residue and P_rule the orthogonal projection (on the residue axis) onto span{cos_k, sin_k : k in keys},
// plus the constant when include_constant (the default: a common offset carries no information about the input and
// Nanda's restricted loss keeps it too). S_rule in [0, 1]: the fraction of Frobenius energy outside the rule
// subspace. Computed as a residual (not ||A||^2 - ||P A||^2), so small gaps keep full relative precision.
// Cost O(p |keys| d). keys must be distinct and in 1..floor(p/2).
double rule_gap(MatrixRef a, const std::vector<int>& keys, double delta = 1e-12, bool include_constant = true);

// The p x (slots * width) residue-indexed view of a token-input first layer. The flat buffer stores w1 transposed
// (in x out, row-major: row i = weights of input i, see nn/param_layout.h); with `slots` one-hot blocks of p inputs
// (concat encoding: 2, sum encoding: 1) the embedding of slot s is rows [s p, (s+1) p) of that buffer, and the
// result puts the slots side by side: A = [E_0 | E_1 | ...]. This is the A of S_rule and the E of the Fourier
// metrics for the MLP (srank/Gini of the whole A; per-slot blocks are A.middleCols(s * width, width)).
template <class T>
Eigen::MatrixXd input_slot_embeddings(const T* w1_transposed, int p, int slots, int64_t width);

}  // namespace grokscope::metrics
