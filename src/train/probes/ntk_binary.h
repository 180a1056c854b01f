// The kernel-predictor probe for binary classification (eval.probes = [..., "ntk"] on a task with +-1 labels and a
// one-output model; opt-in). At the first evaluation it builds the NTK max-margin classifier at the initial
// parameters (theory/kernel_classifier.h: problem K1, solved with CLP) and then compares the network's test outputs
// with f_ntk(x) = <grad f(theta_0; x), h*>:
//   ntk_agree_test  fraction of test rows where sign f(theta_t; x) = sign f_ntk(x) (a zero output counts 1/2)
//   ntk_cos_test    cos(f(theta_t; X_test) - f(theta_0; X_test), f_ntk(X_test)) over the test rows
//   ntk_acc_test    the kernel classifier's own test accuracy (ties 1/2); constant
//   ntk_margin      gamma_ntk = 1 / ||h*|| in the features at theta_0; constant
//   ntk_support     number of support vectors (training rows with dual weight > 0); constant
// All NaN when the NTK features do not separate the training labels. Lyu's Thm 3.4: the early (kernel) phase sits on
// the classifier (agree -> 1, cos -> 1) and leaves it at the transition.
#pragma once

#include <memory>

#include "grokscope/theory/kernel_classifier.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

template <class T>
class NtkBinaryProbe final : public Probe<T> {
 public:
  NtkBinaryProbe(const Model<T>& model, const TaskData<T>& data);
  static bool applies(const Model<T>& model, const TaskData<T>& data) {
    return data.target == TargetKind::binary && model.output_dim() == 1 && !data.train.generated();
  }
  std::vector<std::string> columns() const override {
    return {"ntk_agree_test", "ntk_cos_test", "ntk_acc_test", "ntk_margin", "ntk_support"};
  }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  Eigen::VectorXd outputs(const T* params);   // f(params; X_test)

  const Model<T>& model_;
  const Dataset<T>* test_;
  Dataset<T> cached_;                          // the test set when it is generated and small enough to keep
  std::unique_ptr<Workspace> ws_;
  int64_t chunk_ = 1;
  bool built_ = false, failed_ = false;
  Eigen::VectorXd f0_test_, ntk_test_;
  double acc_ = 0.0, margin_ = 0.0, support_ = 0.0;
};

}  // namespace grokscope::detail
