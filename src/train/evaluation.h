// Internal to the trainer: one evaluation of theta_s, i.e. one metrics row.
// The row is: step, time, loss / accuracy / min margin on the training and the test set, the columns of the step
// mode (log time and log loss of the loss-scaled schedule, the integrator's columns of gradient flow), the norm of
// every parameter tensor and of all of them, then the probes' columns. Evaluation owns the test-set evaluator (and
// the training-set one of minibatch runs), the probes, the online clocks and the early-stop rule, and keeps every
// row for the post-run clock analysis. The trainer supplies what only it knows: the training-set stats of a
// full-batch step, the mode columns' values, the gradient at theta_s.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "batches.h"
#include "early_stop.h"
#include "grokscope/core/clock.h"
#include "grokscope/core/run_config.h"
#include "grokscope/data/dataset.h"
#include "grokscope/metrics/clocks.h"
#include "grokscope/nn/model.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

// What the trainer knows about theta_s when it asks for its evaluation.
template <class T>
struct EvalInput {
  int64_t step = 0;
  double time = 0.0;
  const T* params = nullptr;
  const T* grads = nullptr;              // the full-batch gradient at theta_s, or null
  const BatchStats* train = nullptr;     // full-training-set stats at theta_s, or null: measured here (minibatch runs)
  std::vector<double> mode_values;       // one per mode column
};

template <class T>
class Evaluation {
 public:
  // mode_columns: the step mode's own columns, placed after the eight base columns.
  Evaluation(const RunConfig& config, const Model<T>& model, const TaskData<T>& data, const T* params_init,
             bool full_batch, const std::vector<std::string>& mode_columns);

  const std::vector<std::string>& columns() const { return columns_; }
  // Probes that watch every step (e.g. the parameter path) see theta_step here.
  void observe_step(int64_t step, const T* params);
  // Measures theta_s, updates the clocks and the early-stop rule; returns the row (also kept in history()).
  const std::vector<double>& measure(const EvalInput<T>& in);

  const EvalPoint& last() const { return last_; }
  const std::vector<double>& last_row() const { return history_.back(); }
  const std::vector<std::vector<double>>& history() const { return history_; }
  ClockTracker& clocks() { return clocks_; }
  const EarlyStopRule& early_stop() const { return early_stop_; }

 private:
  void append_norms(const T* params, std::vector<double>& row) const;

  const Model<T>& model_;
  const TaskData<T>& data_;
  const T* params_init_;
  bool regression_;
  std::vector<std::unique_ptr<Probe<T>>> probes_;
  std::unique_ptr<SetEvaluator<T>> train_eval_, test_eval_;   // train_eval_: minibatch runs only
  std::vector<std::string> columns_;
  ClockTracker clocks_;
  EarlyStopRule early_stop_;
  EvalPoint last_;
  std::vector<std::vector<double>> history_;
};

}  // namespace grokscope::detail
