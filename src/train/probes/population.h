// The population probe (eval.probes "population", part of "default") of Lyu et al.'s label-noise experiment (App. B.2,
// catalog LY-8): a diagonal net w = u^L - v^L on task.kind = "sparse_regression" (x ~ N(0, I_d), y = <w*, x>).
//   loss_population     ||w - w*||^2: the exact population loss E_x (<w, x> - <w*, x>)^2 (isotropic Gaussian x)
//   loss_population_gf  ||w_GF - w*||^2 of the gradient-flow limit theta_GF (a constant)
//   dist_w_gf           ||w - w_GF|| / ||w_GF||
//   loss_train_gf       the full-batch training loss at theta_GF: how close the flow got to zero loss (a constant)
// theta_GF is computed once, at the first evaluation: gradient flow d theta/dt = -grad L(theta) of the clean
// full-batch training loss (no weight decay, no label noise; theory/gradient_flow.h, rtol 1e-8, atol 1e-12) from the
// run's initial parameters, integrated to t = 1, 2, 4, ... until L <= 1e-12 L(theta_0), or L no longer decreases
// between doublings (the rounding floor of the dtype), or t = 2^14. Not for other models or tasks.
#pragma once

#include <vector>

#include "grokscope/train/config.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

template <class T>
class PopulationProbe final : public Probe<T> {
 public:
  static bool applies(const RunConfig& config) {
    return config.model.kind == ModelKind::diagonal && config.task.kind == TaskKind::sparse_regression;
  }
  explicit PopulationProbe(const RunConfig& config) : loss_(config.loss) {}
  std::vector<std::string> columns() const override {
    return {"loss_population", "loss_population_gf", "dist_w_gf", "loss_train_gf"};
  }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  void solve_flow(const ProbeContext<T>& ctx);

  LossConfig loss_;
  std::vector<double> w_star_, w_gf_;
  double loss_population_gf_ = 0.0, loss_train_gf_ = 0.0;
};

}  // namespace grokscope::detail
