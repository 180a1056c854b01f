// The zero-loss-direction probe (eval.probes = [..., "zero_loss_direction"]; opt-in, not part of "default"; Musat
// App. D, catalog MU-4). At every evaluation e it projects theta_e onto the zero-loss set by GD without weight decay
// and forms Musat's norm-minimizing direction g~ there (theory/zero_loss_direction.h), then compares it with the
// actual update over the last c = eval.zl_lookback steps, dtheta = theta_e - theta_{max(0, e - c)}:
//   zl_cos_dtheta_gtilde  cos(dtheta, g~)
//   zl_cos_dtheta_grad    cos(dtheta, -(grad L(theta_e) + wd * theta_e))   (wd per tensor, as the optimizer has it)
//   zl_dist               ||theta_e - theta'||   (dist_Z estimate)
//   zl_loss               L(theta'), the training loss at the projection (should be ~0)
//   zl_steps              projection steps taken (fewer than eval.zl_project_steps when eval.zl_project_tol stops it)
//   zl_rank               numerical rank of J at theta'
//   zl_tangent_frac       ||g~|| / ||theta_e||   (the share of -theta tangent to the zero-loss set)
// theta_{e-c} comes from observe_step: the probe copies theta_s whenever s + c is a step of the evaluation schedule
// (and at s = 0), so an evaluation at an unplanned step (early stop, stop request) has NaN cosines; gradient-flow runs
// call observe_step only at evaluations, so there e - c must itself be one. Stored training sets only (the Jacobian
// is (n_train * outputs) x P, one backward per (row, output)).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "grokscope/optim/optimizer.h"
#include "grokscope/theory/zero_loss_direction.h"
#include "grokscope/train/eval_schedule.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

template <class T>
class ZeroLossProbe final : public Probe<T> {
 public:
  static bool applies(const TaskData<T>& data) { return !data.train.generated(); }
  ZeroLossProbe(const RunConfig& config, const ParamLayout& layout);
  std::vector<std::string> columns() const override {
    return {"zl_cos_dtheta_gtilde", "zl_cos_dtheta_grad", "zl_dist",        "zl_loss",
            "zl_steps",             "zl_rank",            "zl_tangent_frac"};
  }
  void observe_step(int64_t step, const T* params) override;
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  EvalSchedule schedule_;
  int64_t total_steps_;
  int64_t n_params_;
  int64_t lookback_;
  LossConfig loss_;
  theory::ZeroLossOptions options_;
  std::vector<ParamRange> ranges_;               // per-tensor weight decay for grad L_lambda
  std::map<int64_t, std::vector<T>> snapshots_;  // theta_s for the evaluations still to come, by s
  std::unique_ptr<theory::ModelObjective<T>> objective_;   // the training loss, for grad L at theta_e
};

}  // namespace grokscope::detail
