// Gradient-flow mode of the trainer (see flow_stepper.h).
#include "flow_stepper.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/optim/param_groups.h"

namespace grokscope::detail {

namespace {

theory::GradientFlowOptions flow_options(const OptimConfig& o) {
  return theory::GradientFlowOptions{
      .rtol = o.flow_rtol,
      .atol = o.flow_atol,
      .dt_max = o.flow_dt_max > 0 ? o.flow_dt_max : std::numeric_limits<double>::infinity(),
      .dt_floor = o.flow_dt_floor};
}

}  // namespace

template <class T>
FlowStepper<T>::FlowStepper(const Model<T>& model, const TaskData<T>& data, const RunConfig& config)
    : objective_(model, data.train, config.loss, data.target),
      flow_(resolve_param_ranges(model.layout(), config.optim), model.layout().total_size(),
            flow_options(config.optim)),
      gradient_([this](const T* theta, T* grad) { return evaluate(theta, grad); }),
      options_{.rtol = config.optim.flow_rtol,
               .atol = config.optim.flow_atol,
               .dt_max = config.optim.flow_dt_max,
               .dt_floor = config.optim.flow_dt_floor} {
  const auto n = static_cast<size_t>(model.layout().total_size());
  last_point_.resize(n);
  last_grad_.resize(n);
}

template <class T>
double FlowStepper<T>::evaluate(const T* theta, T* grad) {
  const double loss = objective_(theta, grad);
  std::copy(theta, theta + last_point_.size(), last_point_.begin());
  have_last_ = grad != nullptr && std::isfinite(loss);
  if (have_last_) std::copy(grad, grad + last_grad_.size(), last_grad_.begin());
  last_stats_ = objective_.last_stats();
  return loss;
}

template <class T>
bool FlowStepper<T>::step_towards(T* params, double t_end) {
  const double remaining = t_end - flow_.time();
  const double dt = flow_.advance(params, gradient_, remaining);
  if (dt <= 0.0) return false;
  if (dt == remaining) flow_.set_time(t_end);   // landed: exactly t_end, free of rounding
  return true;
}

template <class T>
BatchStats FlowStepper<T>::stats_at(const T* params, T* grads) {
  if (!have_last_ || !std::equal(last_point_.begin(), last_point_.end(), params)) {
    ++metric_passes_;
    evaluate(params, grads);
    return last_stats_;
  }
  std::copy(last_grad_.begin(), last_grad_.end(), grads);
  return last_stats_;
}

template <class T>
std::vector<std::string> FlowStepper<T>::columns() {
  return {"flow_evals", "flow_steps", "flow_rejected", "flow_forced", "flow_dt"};
}

template <class T>
void FlowStepper<T>::append_values(std::vector<double>& row) const {
  row.insert(row.end(), {static_cast<double>(flow_.gradient_evaluations()), static_cast<double>(flow_.accepted_steps()),
                         static_cast<double>(flow_.rejected_steps()), static_cast<double>(flow_.forced_steps()),
                         flow_.last_dt()});
}

template <class T>
FlowSummary FlowStepper<T>::summary() const {
  FlowSummary s = options_;
  s.gradient_evaluations = flow_.gradient_evaluations();
  s.metric_passes = metric_passes_;
  s.accepted_steps = flow_.accepted_steps();
  s.rejected_steps = flow_.rejected_steps();
  s.forced_steps = flow_.forced_steps();
  s.last_dt = flow_.last_dt();
  return s;
}

template class FlowStepper<float>;
template class FlowStepper<double>;

}  // namespace grokscope::detail
