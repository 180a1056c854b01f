// The diagonal net's margin targets (eval.probes = [..., "margin_targets"]; opt-in; Lyu et al. §2.4 Cor. 3.6, 3.7):
// at the first evaluation the max-L2-margin and max-L1-margin linear classifiers w*_2, w*_1 of the training rows
// (theory/max_margin.h, CLP), then at every evaluation, with w = u^L - v^L the net's effective linear map:
//   cos_w_l1, cos_w_l2             cos(w, w*_1), cos(w, w*_2)
//   margin_ratio_l1, _l2           (min_i y_i <w, x_i> / ||w||_p) / gamma_p, p = 1, 2: 1 exactly when w is a
//                                  max-Lp-margin classifier (NaN while w = 0)
//   acc_test_w_l1, acc_test_w_l2   test accuracy of w*_1 and w*_2 (ties 1/2); constant
// Kernel phase: w ~ w*_2 (the diagonal net's NTK at u = v is proportional to the linear kernel); rich phase: w ->
// w*_1. All NaN when the training rows are not linearly separable.
#pragma once

#include <Eigen/Core>

#include "grokscope/train/config.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

template <class T>
class MarginTargetsProbe final : public Probe<T> {
 public:
  MarginTargetsProbe(const ParamLayout& layout, int depth);
  static bool applies(const ModelConfig& model, const TaskData<T>& data) {
    return model.kind == ModelKind::diagonal && data.target == TargetKind::binary && !data.train.generated();
  }
  std::vector<std::string> columns() const override {
    return {"cos_w_l1", "cos_w_l2", "margin_ratio_l1", "margin_ratio_l2", "acc_test_w_l1", "acc_test_w_l2"};
  }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  void build(const TaskData<T>& data);

  const ParamInfo* u_;
  const ParamInfo* v_;
  int depth_;
  bool built_ = false, failed_ = false;
  Eigen::MatrixXd z_;                       // rows y_i x_i (n x d)
  Eigen::VectorXd w1_, w2_;                 // w*_1, w*_2 (d)
  double gamma1_ = 0.0, gamma2_ = 0.0, acc1_ = 0.0, acc2_ = 0.0;
};

}  // namespace grokscope::detail
