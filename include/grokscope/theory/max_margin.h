// Max-margin linear classifiers through the origin (Lyu et al. §2.2 problem K1; §2.4 Cor. 3.6 and 3.7), solved with
// COIN-OR CLP (Debian coinor-libclp-dev; the only file that includes CLP headers is src/theory/max_margin.cpp).
// The training rows enter as z_i = y_i x_i (y_i = +-1), the rows of Z (n x d), or through their Gram matrix Z Z^T.
//   L2:  w*_2 = argmin ||w||_2  s.t.  <z_i, w> >= 1.  Solved as its dual on the simplex (a QP in n variables),
//          beta* = argmin_{beta >= 0, sum beta = 1} beta^T G beta,   G = Z Z^T,
//        whose u = Z^T beta* is the min-norm point of conv{z_i}: gamma_2 = ||u|| is the max margin of a unit
//        vector and w*_2 = u / gamma_2^2 (so ||w*_2|| = 1 / gamma_2). Needs only G, so it serves any kernel.
//   L1:  w*_1 = argmin ||w||_1  s.t.  <z_i, w> >= 1, as the LP  max t  s.t. <z_i, w+ - w-> >= t,
//        sum(w+ + w-) <= 1, w+-  >= 0, solved by column generation over coordinates (exact: it stops when no
//        coordinate outside the working set has |(Z^T pi)_j| > mu, pi and mu the LP's duals); w*_1 = w / t*,
//        gamma_1 = t* = 1 / ||w*_1||_1.
// Data that is not separable (gamma <= 1e-9 of the data scale), a solver failure or a solution that breaks the
// margin constraints throw MarginError with a one-line message; nothing returns a garbage classifier.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <stdexcept>

namespace grokscope::theory {

class MarginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MaxMargin {
  Eigen::VectorXd weights;   // w* (d), scaled so that min_i <z_i, w*> = 1; empty from max_l2_margin_dual
  Eigen::VectorXd dual;      // L2: beta* (n, on the simplex); L1: the LP's row duals pi (n, sum 1)
  double margin = 0.0;       // gamma = 1 / ||w*|| (L2 or L1 norm): the margin of the unit-norm classifier
  int64_t support = 0;       // rows with dual weight > 1e-6 / n (the support vectors)
  int64_t nonzeros = 0;      // L1: coordinates with |w*_j| > 1e-9 ||w*||_inf; L2: 0
  int rounds = 0;            // L1: LP solves of the column generation; L2: 1
};

// The L2 dual from a Gram matrix G (n x n, symmetric positive semidefinite): dual and margin (weights empty).
MaxMargin max_l2_margin_dual(const Eigen::MatrixXd& gram);
// w*_2 from the rows z_i = y_i x_i (n x d).
MaxMargin max_l2_margin(const Eigen::MatrixXd& z);
// w*_1 from the rows z_i = y_i x_i (n x d). Rows are read per coordinate, so d may be 10^5 or more.
MaxMargin max_l1_margin(const Eigen::MatrixXd& z);

}  // namespace grokscope::theory
