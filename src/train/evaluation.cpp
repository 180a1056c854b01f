// One evaluation of theta_s (see evaluation.h).
#include "evaluation.h"

#include <cmath>

#include "grokscope/core/error.h"
#include "grokscope/train/probes.h"

namespace grokscope::detail {

template <class T>
Evaluation<T>::Evaluation(const RunConfig& config, const Model<T>& model, const TaskData<T>& data,
                          const T* params_init, bool full_batch, const std::vector<std::string>& mode_columns)
    : model_(model),
      data_(data),
      params_init_(params_init),
      regression_(data.target == TargetKind::regression),
      probes_(make_probes<T>(config, model, data)),
      clocks_(config.eval, regression_),
      early_stop_(config.train) {
  if (!full_batch) train_eval_ = std::make_unique<SetEvaluator<T>>(model, data.train, config.loss, data.target);
  test_eval_ = std::make_unique<SetEvaluator<T>>(model, data.test, config.loss, data.target);
  columns_ = {"step", "time", "loss_train", "acc_train", "margin_train", "loss_test", "acc_test", "margin_test"};
  columns_.insert(columns_.end(), mode_columns.begin(), mode_columns.end());
  for (const auto& p : model.layout().params()) columns_.push_back("norm_" + p.name);
  columns_.push_back("norm_total");
  for (const auto& probe : probes_)
    for (const auto& c : probe->columns()) columns_.push_back(c);
}

template <class T>
void Evaluation<T>::observe_step(int64_t step, const T* params) {
  for (auto& probe : probes_) probe->observe_step(step, params);
}

template <class T>
const std::vector<double>& Evaluation<T>::measure(const EvalInput<T>& in) {
  GS_CHECK(in.train || train_eval_);
  const BatchStats train = in.train ? *in.train : train_eval_->evaluate(in.params);
  const BatchStats test = test_eval_->evaluate(in.params);
  std::vector<double> row = {static_cast<double>(in.step), in.time,  train.loss,     train.accuracy(),
                             train.min_margin,              test.loss, test.accuracy(), test.min_margin};
  if (regression_) row[3] = row[6] = std::nan("");
  row.insert(row.end(), in.mode_values.begin(), in.mode_values.end());
  append_norms(in.params, row);
  const ProbeContext<T> ctx{.model = model_,
                            .data = data_,
                            .params = in.params,
                            .params_init = params_init_,
                            .grads = in.grads,
                            .train = train,
                            .test = test,
                            .step = in.step,
                            .time = in.time};
  for (auto& probe : probes_) {
    const size_t at = row.size();
    row.resize(at + probe->columns().size(), std::nan(""));
    probe->measure(ctx, row.data() + at);
  }
  GS_CHECK(row.size() == columns_.size());
  last_ = EvalPoint{.step = in.step,
                    .time = in.time,
                    .loss_train = train.loss,
                    .acc_train = train.accuracy(),
                    .acc_test = test.accuracy(),
                    .loss_test = test.loss};
  clocks_.update(last_);
  early_stop_.observe(clocks_, last_);
  history_.push_back(std::move(row));
  return history_.back();
}

// The Euclidean norm of each parameter tensor, then of all of them, accumulated in double.
template <class T>
void Evaluation<T>::append_norms(const T* params, std::vector<double>& row) const {
  double total_sq = 0.0;
  for (const auto& p : model_.layout().params()) {
    double sq = 0.0;
    for (int64_t i = 0; i < p.size(); ++i) {
      const double v = params[p.offset + i];
      sq += v * v;
    }
    row.push_back(std::sqrt(sq));
    total_sq += sq;
  }
  row.push_back(std::sqrt(total_sq));
}

template class Evaluation<float>;
template class Evaluation<double>;

}  // namespace grokscope::detail
