// The zero-loss-direction probe (see probes/zero_loss.h).
#include "zero_loss.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/metrics/kernel_distance.h"
#include "grokscope/optim/param_groups.h"

namespace grokscope::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

template <class T>
ZeroLossProbe<T>::ZeroLossProbe(const RunConfig& config, const ParamLayout& layout)
    : schedule_(config.eval, config.train.steps),
      total_steps_(config.train.steps),
      n_params_(layout.total_size()),
      lookback_(config.eval.zl_lookback),
      loss_(config.loss),
      options_{.steps = config.eval.zl_project_steps,
               .lr = config.eval.zl_project_lr,
               .momentum = config.eval.zl_project_momentum,
               .tolerance = config.eval.zl_project_tol,
               .rank_rtol = config.eval.zl_rank_rtol},
      ranges_(resolve_param_ranges(layout, config.optim)) {}

template <class T>
void ZeroLossProbe<T>::observe_step(int64_t step, const T* params) {
  const int64_t target = step + lookback_;
  if (step != 0 && (target > total_steps_ || !schedule_.is_eval_step(target))) return;
  snapshots_[step].assign(params, params + n_params_);
}

template <class T>
void ZeroLossProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  std::fill(out, out + columns().size(), kNaN);
  const int64_t n = ctx.model.layout().total_size();
  const theory::NormMinimizingDirection dir = theory::norm_minimizing_direction(
      ctx.model, ctx.data.train, loss_, ctx.data.target, ctx.params, options_);
  Eigen::VectorXd theta(n);
  for (int64_t i = 0; i < n; ++i) theta[i] = static_cast<double>(ctx.params[i]);
  out[2] = dir.dist;
  out[3] = dir.loss;
  out[4] = static_cast<double>(dir.steps);
  if (dir.direction.size() == n) {
    out[5] = static_cast<double>(dir.rank);
    out[6] = theta.norm() > 0.0 ? dir.direction.norm() / theta.norm() : kNaN;
  }

  const int64_t ref = std::max<int64_t>(0, ctx.step - lookback_);
  const auto it = snapshots_.find(ref);
  if (it != snapshots_.end() && ctx.step > ref) {
    Eigen::VectorXd dtheta(n);
    for (int64_t i = 0; i < n; ++i) dtheta[i] = theta[i] - static_cast<double>(it->second[static_cast<size_t>(i)]);
    if (dir.direction.size() == n) out[0] = metrics::cosine_similarity(dtheta.data(), dir.direction.data(), n);
    // -grad L_lambda at theta_e: the loss gradient (no decay) plus each tensor's weight decay times theta.
    if (!objective_) objective_ = std::make_unique<theory::ModelObjective<T>>(ctx.model, ctx.data.train, loss_,
                                                                             ctx.data.target);
    std::vector<T> grad(static_cast<size_t>(n));
    if (std::isfinite((*objective_)(ctx.params, grad.data()))) {
      Eigen::VectorXd descent(n);
      for (int64_t i = 0; i < n; ++i) descent[i] = -static_cast<double>(grad[static_cast<size_t>(i)]);
      for (const ParamRange& r : ranges_)
        for (int64_t i = r.offset; i < r.offset + r.size; ++i) descent[i] -= r.weight_decay * theta[i];
      out[1] = metrics::cosine_similarity(dtheta.data(), descent.data(), dtheta.size());
    }
  }
  snapshots_.erase(snapshots_.begin(), snapshots_.lower_bound(ref));   // later evaluations look further ahead
}

template class ZeroLossProbe<float>;
template class ZeroLossProbe<double>;

}  // namespace grokscope::detail
