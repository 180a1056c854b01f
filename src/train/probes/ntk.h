// The kernel-predictor probe (eval.probes = [..., "ntk"]; opt-in, not part of "default"): at the first evaluation it
// builds the NTK predictor at the initial parameters (theory/kernel_predictor.h: min-norm interpolant on the training
// set, regression tasks with stored data only) and then compares the network's test outputs with it:
//   ntk_cos_test   cos(f(theta_t; X_test) - f(theta_0; X_test), f_ntk(X_test) - f(theta_0; X_test)) (flattened;
//                  with Lyu's zero-output init the offsets vanish)
//   ntk_dist_test  ||f(theta_t; X_test) - f_ntk(X_test)|| / ||f_ntk(X_test)||
//   ntk_loss_test  the kernel predictor's own test loss (mean squared error over rows and outputs; a constant)
// Lyu's early (kernel) phase sits on the predictor (cos -> 1, dist -> 0) and leaves it at the transition.
// theory/kernel_predictor depends only on nn/ and data/, so this probe does not make train/ depend on the rest of
// theory/.
#pragma once

#include <memory>

#include "grokscope/theory/kernel_predictor.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

template <class T>
class NtkProbe final : public Probe<T> {
 public:
  static bool applies(const TaskData<T>& data) {
    return data.target == TargetKind::regression && !data.train.generated() && !data.test.generated();
  }
  std::vector<std::string> columns() const override { return {"ntk_cos_test", "ntk_dist_test", "ntk_loss_test"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  std::unique_ptr<theory::KernelPredictor<T>> predictor_;
  Eigen::MatrixXd f0_test_, ntk_test_;
  double ntk_loss_ = 0.0;
};

}  // namespace grokscope::detail
