// The kernel (NTK) predictor at initialization for regression (Lyu et al. §2.2, problem K2; science.md §6 "Kernel
// predictor"): with features phi(x) = grad_theta f(theta_0; x) (one row per (input, output) pair),
//   h* = argmin ||h||  s.t.  f(theta_0; x_i) + <phi(x_i), h> = y_i          (the min-norm interpolant)
//      = Phi^T alpha,   K alpha = y - f(theta_0; X),   K = Phi Phi^T (n_train*outputs square)
//   f_ntk(x) = f(theta_0; x) + <phi(x), h*> = f(theta_0; x) + k(x)^T K^+ (y - f_0)
// (Lyu's zero-output init makes f(theta_0; .) = 0; the offset keeps the predictor exact for any init.) K is factored
// with a Cholesky factorization; when it fails or its estimated condition number exceeds max_condition (duplicate
// features, e.g. both (i, j) and (j, i) observed in matrix completion) the solve falls back to a complete orthogonal
// decomposition (the min-norm least-squares alpha, i.e. the pseudo-inverse of K) and reports the numerical rank.
// Features are exact: one backward pass per (row, output). What it does not do: classification (the max-margin
// problem K1: theory/kernel_classifier.h), generated (on-demand) datasets.
#pragma once

#include <Eigen/Core>
#include <string>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/model.h"

namespace grokscope::theory {

// Rows (set.n * output_dim) x P of gradients of each output of each row at params: row i*out + k = d f_k(x_i)/d theta.
template <class T>
Eigen::MatrixXd output_jacobian(const Model<T>& model, const T* params, const Dataset<T>& set);

template <class T>
class KernelPredictor {
 public:
  // model, params0 (copied) and the stored regression set train (targets n x output_dim).
  KernelPredictor(const Model<T>& model, const T* params0, const Dataset<T>& train, double max_condition = 1e12);

  // f_ntk on a stored set: set.n x output_dim, row-major like the model's outputs.
  Eigen::MatrixXd predict(const Dataset<T>& set) const;
  // The outputs of the network at params on a stored set (same layout), for comparisons.
  Eigen::MatrixXd network(const T* params, const Dataset<T>& set) const;

  const Eigen::VectorXd& direction() const { return h_; }   // h* (P)
  double condition() const { return condition_; }           // estimated cond(K) (Cholesky rcond), inf if it failed
  int64_t rank() const { return rank_; }                    // numerical rank of K (rows when Cholesky was used)
  bool used_fallback() const { return fallback_; }
  // The largest |f_ntk(x_i) - y_i| on the training rows (0 up to rounding when K has full rank or y is consistent).
  double train_residual() const { return train_residual_; }

 private:
  const Model<T>& model_;
  std::vector<T> params0_;
  Eigen::VectorXd h_;
  double condition_ = 0.0;
  int64_t rank_ = 0;
  bool fallback_ = false;
  double train_residual_ = 0.0;
};

}  // namespace grokscope::theory
