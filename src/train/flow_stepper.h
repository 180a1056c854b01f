// Internal to the trainer: optim.kind = "gradient_flow". Integrates d theta/dt = -(grad L(theta) + lambda (.) theta)
// on the full-batch training loss with the adaptive Dormand-Prince integrator (theory/gradient_flow.h); lambda per
// parameter range from optim.weight_decay and optim.groups (resolve_param_ranges, as for SGD). It remembers the
// statistics and gradient of the last point it evaluated, so a metrics row at the end of an accepted step costs no
// extra pass. It knows nothing of the evaluation schedule: the trainer asks for steps and dense-output points.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/model.h"
#include "grokscope/theory/gradient_flow.h"
#include "grokscope/theory/model_objective.h"
#include "grokscope/train/config.h"
#include "grokscope/core/run.h"

namespace grokscope::detail {

template <class T>
class FlowStepper {
 public:
  // model and data must outlive the stepper; data.train must be a stored (not generated) set.
  FlowStepper(const Model<T>& model, const TaskData<T>& data, const RunConfig& config);
  FlowStepper(const FlowStepper&) = delete;              // the integrator's callback holds `this`
  FlowStepper& operator=(const FlowStepper&) = delete;

  // One accepted integrator step from params (in place) towards t_end > time(), shortened to land on t_end exactly.
  // False when the flow fails (failure() says why and when); params are then unchanged, a point of finite loss.
  bool step_towards(T* params, double t_end);
  double time() const { return flow_.time(); }
  const std::string& failure() const { return flow_.failure(); }
  int64_t accepted_steps() const { return flow_.accepted_steps(); }
  // The flow at a time t inside the last accepted step (dense output, no gradient evaluation); false outside it.
  bool interpolate(double t, T* out) const { return flow_.interpolate(t, out); }

  // Full-batch train statistics at params, and grad L(params) (no weight decay) into grads: those of the
  // integrator's last evaluation when it was at params, else one forward/backward pass (a metric pass).
  BatchStats stats_at(const T* params, T* grads);

  // Metrics columns: flow_evals (the integrator's gradient evaluations so far), flow_steps (accepted steps),
  // flow_rejected, flow_forced (accepted at dt_floor with an error estimate > 1), flow_dt (the last accepted step).
  static std::vector<std::string> columns();
  void append_values(std::vector<double>& row) const;
  FlowSummary summary() const;

 private:
  double evaluate(const T* theta, T* grad);   // the objective; remembers the point, its gradient and statistics

  theory::ModelObjective<T> objective_;
  theory::GradientFlow<T> flow_;
  typename theory::GradientFlow<T>::Gradient gradient_;   // evaluate(), as the integrator calls it
  FlowSummary options_;                                    // rtol, atol, dt_max, dt_floor as configured
  std::vector<T> last_point_, last_grad_;                  // the last evaluated point and its gradient
  BatchStats last_stats_;
  bool have_last_ = false;                                 // last_* hold a finite evaluation with its gradient
  int64_t metric_passes_ = 0;
};

}  // namespace grokscope::detail
