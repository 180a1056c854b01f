// The kernel (NTK) predictor at initialization for binary classification (Lyu et al. §2.2, problem K1, Thm 3.4):
// with features phi(x) = grad_theta f(theta_0; x) of a one-output model and labels y_i = +-1,
//   h* = argmin ||h||  s.t.  y_i <phi(x_i), h> >= 1          (the max-L2-margin classifier in the NTK features)
//   f_ntk(x) = <phi(x), h*>,   prediction sign(f_ntk(x))
// solved from the kernel K = Phi Phi^T alone (theory/max_margin.h: the dual QP on the simplex, n variables, CLP),
// h* = Phi^T (y . beta*) / gamma^2. f(theta_0; x) is left out of f_ntk: Lyu's Assumption 3.2 (zero output at
// init: the diagonal net's u = v, a zero last layer) makes it 0, and Thm 3.4 divides the output by Z(alpha) -> inf,
// so a finite offset does not survive; init_output_max() reports max |f(theta_0; x_i)| on the training rows so a
// run can see whether the assumption holds. Costs: Phi (n x P doubles) while building, then h* (P); one forward and
// backward pass per row of each set predicted (generated sets in chunks). Not separable: MarginError.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/model.h"
#include "grokscope/theory/max_margin.h"

namespace grokscope::theory {

template <class T>
class KernelClassifier {
 public:
  // model (output_dim 1), params0 (copied) and a stored binary train set (labels +-1). Throws std::invalid_argument
  // for another kind of model or set, MarginError when the features do not separate the labels.
  KernelClassifier(const Model<T>& model, const T* params0, const Dataset<T>& train);

  // f_ntk(x) = <phi(x), h*> for every row of a stored or generated set (set.n values).
  Eigen::VectorXd predict(const Dataset<T>& set) const;

  const Eigen::VectorXd& direction() const { return h_; }   // h* (P)
  double margin() const { return margin_; }                 // gamma_ntk = 1 / ||h*|| (features at theta_0)
  int64_t support() const { return support_; }              // support vectors (training rows with beta_i > 0)
  const Eigen::VectorXd& dual() const { return dual_; }     // beta* (n, on the simplex)
  double init_output_max() const { return init_output_max_; }
  // min_i y_i f_ntk(x_i) (1 up to the solver's tolerance).
  double train_min_margin() const { return train_min_margin_; }

 private:
  const Model<T>& model_;
  std::vector<T> params0_;
  Eigen::VectorXd h_, dual_;
  double margin_ = 0.0;
  int64_t support_ = 0;
  double init_output_max_ = 0.0;
  double train_min_margin_ = 0.0;
};

}  // namespace grokscope::theory
