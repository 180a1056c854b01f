// Musat's norm-minimizing direction on the zero-loss set (see theory/zero_loss_direction.h).
#include "grokscope/theory/zero_loss_direction.h"

#include <algorithm>
#include <cmath>

#include "grokscope/theory/kernel_predictor.h"

namespace grokscope::theory {

template <class T>
ZeroLossProjection<T> project_to_zero_loss(ModelObjective<T>& objective, const T* theta, int64_t n_params,
                                           const ZeroLossOptions& options) {
  const auto n = static_cast<size_t>(n_params);
  ZeroLossProjection<T> out;
  out.theta.assign(theta, theta + n);
  std::vector<T> grad(n), velocity(n, T(0));
  const auto lr = static_cast<T>(options.lr), mu = static_cast<T>(options.momentum);
  for (;; ++out.steps) {
    const bool last = out.steps >= options.steps;
    out.loss = objective(out.theta.data(), last ? nullptr : grad.data());
    if (last || !std::isfinite(out.loss) || out.loss < options.tolerance) break;
    // PyTorch SGD with momentum, no dampening: v <- mu v + g (v = g at the first step), theta <- theta - lr v.
    for (size_t i = 0; i < n; ++i) {
      velocity[i] = mu * velocity[i] + grad[i];
      out.theta[i] -= lr * velocity[i];
    }
  }
  return out;
}

TangentProjector::TangentProjector(const Eigen::MatrixXd& jacobian, double rank_rtol)
    : outer_(jacobian.transpose()), k_(std::min(jacobian.rows(), jacobian.cols())) {
  const Eigen::MatrixXd r = outer_.matrixQR().topRows(k_).triangularView<Eigen::Upper>();
  inner_.setThreshold(rank_rtol);
  inner_.compute(r);
  rank_ = inner_.rank();
}

// With the orthogonal B = Q1 diag(Q2, I_{P-k}), the first r coordinates of B^T v are its normal part (in range(J^T))
// and the other P - r its tangent part: zero the first r and map back.
Eigen::VectorXd TangentProjector::apply(const Eigen::VectorXd& v) const {
  Eigen::VectorXd w = outer_.householderQ().adjoint() * v;
  Eigen::VectorXd u = inner_.householderQ().adjoint() * w.head(k_);
  u.head(rank_).setZero();
  w.head(k_) = inner_.householderQ() * u;
  return outer_.householderQ() * w;
}

template <class T>
NormMinimizingDirection norm_minimizing_direction(const Model<T>& model, const Dataset<T>& train,
                                                  const LossConfig& loss, TargetKind target, const T* theta,
                                                  const ZeroLossOptions& options) {
  const int64_t n_params = model.layout().total_size();
  ModelObjective<T> objective(model, train, loss, target);
  const ZeroLossProjection<T> proj = project_to_zero_loss(objective, theta, n_params, options);
  NormMinimizingDirection out;
  out.loss = proj.loss;
  out.steps = proj.steps;
  Eigen::VectorXd minus_theta(n_params);
  double sq = 0.0;
  for (int64_t i = 0; i < n_params; ++i) {
    const auto k = static_cast<size_t>(i);
    minus_theta[i] = -static_cast<double>(theta[k]);
    const double d = static_cast<double>(theta[k]) - static_cast<double>(proj.theta[k]);
    sq += d * d;
  }
  out.dist = std::sqrt(sq);
  if (!std::isfinite(proj.loss) || !std::isfinite(out.dist)) return out;
  const TangentProjector tangent(output_jacobian(model, proj.theta.data(), train), options.rank_rtol);
  out.rank = tangent.rank();
  out.direction = tangent.apply(minus_theta);
  return out;
}

template ZeroLossProjection<float> project_to_zero_loss(ModelObjective<float>&, const float*, int64_t,
                                                        const ZeroLossOptions&);
template ZeroLossProjection<double> project_to_zero_loss(ModelObjective<double>&, const double*, int64_t,
                                                         const ZeroLossOptions&);
template NormMinimizingDirection norm_minimizing_direction(const Model<float>&, const Dataset<float>&,
                                                           const LossConfig&, TargetKind, const float*,
                                                           const ZeroLossOptions&);
template NormMinimizingDirection norm_minimizing_direction(const Model<double>&, const Dataset<double>&,
                                                           const LossConfig&, TargetKind, const double*,
                                                           const ZeroLossOptions&);

}  // namespace grokscope::theory
