// Gradient-flow mode: integrates  d theta/dt = -(grad L(theta) + lambda (.) theta)  (Lyu Eq. 3, Musat Eq. 3; the
// weight decay lambda per parameter range, PyTorch's coupled convention: the gradient of (lambda/2)||theta||^2) with
// the adaptive Dormand-Prince 5(4) explicit Runge-Kutta pair (Hairer, Norsett & Wanner, "Solving ODEs I", II.4-5):
// 7 stages, first-same-as-last (6 new gradient evaluations per attempted step), the 5th-order solution is kept and
// the embedded 4th-order one gives the error estimate
//   err = || dt sum_j e_j k_j  /  (atol + rtol max(|theta_i|, |theta_new_i|)) ||   (RMS over entries, or max)
// A step is accepted when err <= 1; the next step is dt * clamp(safety err^(-1/5), fac_min, fac_max). The tolerance
// bounds the LOCAL error of each step; the global error over many steps is measured in tests/theory (about 1-1.5x
// the tolerance on a decaying linear flow over t in [0, 10]).
// The state is kept in double even for T = float (the gradient is evaluated at the state rounded to T), so tiny
// steps are not lost to float rounding. What it does not do: stiff problems (the stability limit of an explicit
// method, dt <~ 3.3 / lambda_max(Hessian), still applies), minibatches (the gradient must be deterministic).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "grokscope/optim/optimizer.h"

namespace grokscope::theory {

struct GradientFlowOptions {
  double rtol = 1e-6;          // relative tolerance of the local error (per entry)
  double atol = 1e-9;          // absolute tolerance of the local error (per entry)
  double dt_initial = 0.0;     // first step; 0 = automatic (Hairer's starting-step rule, one extra evaluation)
  double dt_max = std::numeric_limits<double>::infinity();
  double dt_min = 0.0;         // a step that must shrink below max(dt_min, 1e-15 (1 + |t|)) fails (see advance)
  // Steps never shrink below dt_floor (0 = off): a step of dt_floor whose error estimate exceeds 1 is accepted
  // anyway (counted in forced_steps()), so the cost is bounded by that of GD with step dt_floor (6 evaluations per
  // step). Needed for ReLU networks, whose flow has a discontinuous right-hand side: where a pre-activation of a
  // training row sits at 0 (a sliding mode) the local error estimate is O(dt) and the error control alone would
  // shrink steps to O(tolerance). Must be <= dt_max; dt_min is ignored when dt_floor > 0.
  double dt_floor = 0.0;
  bool max_norm = false;       // error norm: RMS over entries (Hairer; default) or the maximum over entries
  double safety = 0.9;
  double fac_min = 0.2;        // the step shrinks at most 5x after a rejection ...
  double fac_max = 10.0;       // ... and grows at most 10x after an acceptance
};

template <class T>
class GradientFlow {
 public:
  // Writes grad L(theta) (WITHOUT weight decay) into grad and returns L(theta). Must be deterministic; a non-finite
  // return value or gradient makes the step that evaluated it a rejected one.
  using Gradient = std::function<double(const T* theta, T* grad)>;

  // ranges: per-range weight decay lambda (ParamRange::lr is unused); entries not covered have lambda = 0.
  GradientFlow(std::vector<ParamRange> ranges, int64_t size, const GradientFlowOptions& options);
  GradientFlow(std::vector<ParamRange> ranges, int64_t size, double rtol, double atol, double dt_initial,
               double dt_max);

  // One accepted step from theta (in place), of length dt <= dt_limit (dt_limit > 0); returns the dt taken.
  // Rejected attempts are retried with smaller steps inside. Returns 0 and leaves theta unchanged when the flow
  // fails: the loss or gradient at theta itself is not finite, or the step would have to shrink below dt_min
  // (failure() says which and where). If theta was changed outside since the last call, the cached gradient
  // (first-same-as-last) is dropped and recomputed.
  double advance(T* theta, const Gradient& grad, double dt_limit);
  // Advances until time() == t_end exactly (steps clipped to land on it); false on failure (see advance).
  bool advance_to(T* theta, const Gradient& grad, double t_end);
  // Dense output: the solution at a time t inside the last accepted step, [time() - last_dt(), time()] (before any
  // set_time), written to out, from the continuous extension of order 4 of Dormand and Prince (Hairer, Norsett &
  // Wanner II.6; no gradient evaluation). Valid until the next advance; false (out untouched) when there is no
  // accepted step to interpolate in or t lies outside it.
  bool interpolate(double t, T* out) const;

  double time() const { return time_ + time_comp_; }   // continuous time integrated so far (compensated sum)
  void set_time(double t) { time_ = t; time_comp_ = 0.0; }
  double loss() const { return loss_; }                // L(theta) at the current point (NaN before the first step)
  const std::vector<double>& velocity() const { return k_[0]; }   // d theta/dt at the current point
  int64_t gradient_evaluations() const { return evaluations_; }
  int64_t accepted_steps() const { return accepted_; }
  int64_t rejected_steps() const { return rejected_; }
  int64_t forced_steps() const { return forced_; }     // accepted at dt_floor with an error estimate above 1
  double last_error() const { return last_error_; }    // err of the last accepted step (<= 1)
  double last_dt() const { return last_dt_; }
  double next_dt() const { return dt_next_; }          // proposal for the next step (0 before the first step)
  const std::string& failure() const { return failure_; }
  int64_t size() const { return size_; }

 private:
  bool evaluate(const Gradient& grad, int stage);      // k_[stage] = f(point_); false if not finite
  bool sync_state(const T* theta);                     // loads theta into y_ when it changed outside
  double initial_step(const Gradient& grad);
  void add_time(double dt);
  double fail(const std::string& why);

  GradientFlowOptions options_;
  int64_t size_ = 0;
  std::vector<double> decay_;            // lambda per entry
  std::vector<double> y_, y_new_;        // state and candidate, in double
  std::vector<std::vector<double>> k_;   // 7 stage slopes f = -(grad + lambda theta)
  std::vector<T> point_, grad_;          // stage point and gradient in T
  bool have_k1_ = false;                 // k_[0] holds f(y_) (first-same-as-last)
  double loss_ = std::numeric_limits<double>::quiet_NaN();
  double stage_loss_ = 0.0;
  double time_ = 0.0, time_comp_ = 0.0;
  double dt_next_ = 0.0;
  double last_dt_ = 0.0;
  double last_error_ = 0.0;
  double step_start_ = 0.0;              // time at the start of the last accepted step
  bool dense_ = false;                   // y_new_ (the previous state) and k_ describe the last accepted step
  int64_t evaluations_ = 0, accepted_ = 0, rejected_ = 0, forced_ = 0;
  std::string failure_;
};

}  // namespace grokscope::theory
