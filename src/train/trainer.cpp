// The training loop: full-batch or minibatch steps, log-spaced evaluations, online clocks, divergence handling.
// Step s means "after s optimizer updates"; the evaluation at step s measures the parameters theta_s. In full-batch
// mode the training forward pass at theta_s also provides the train metrics of that evaluation (no extra pass).
#include "grokscope/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include "grokscope/core/error.h"
#include "grokscope/data/modular_dataset.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/mlp.h"
#include "grokscope/nn/param_export.h"
#include "grokscope/optim/param_groups.h"
#include "grokscope/train/eval_schedule.h"

namespace grokscope {

namespace {

using Clock_ = std::chrono::steady_clock;
double seconds_since(Clock_::time_point t0) { return std::chrono::duration<double>(Clock_::now() - t0).count(); }

template <class T>
InputBatch<T> batch_of(const TokenDataset& ds) {
  return InputBatch<T>{.n = ds.n, .dim = ds.dim, .tokens_per_row = ds.tokens_per_row, .tokens = ds.tokens.data()};
}

template <class T>
class TrainingRun {
 public:
  TrainingRun(const RunConfig& config, RunObserver& observer)
      : config_(config),
        observer_(observer),
        task_(make_modular_task(config.task)),
        model_(config.model, MlpShape{.input_dim = task_.input_dim, .token_input = true, .output_dim = task_.n_classes}),
        schedule_(config.eval, config.train.steps),
        clocks_(config.eval) {
    const ParamLayout& layout = model_.layout();
    const auto n_params = static_cast<size_t>(layout.total_size());
    params_.resize(n_params);
    grads_.resize(n_params);
    last_good_.resize(n_params);
    Rng init_rng(config.train.seed);
    model_.init_params(params_.data(), init_rng);
    optimizer_ = make_optimizer<T>(config.optim, resolve_param_ranges(layout, config.optim), layout.total_size());

    full_batch_ = config.train.batch_size == 0 || config.train.batch_size >= task_.train.n;
    const int64_t train_rows = full_batch_ ? task_.train.n : config.train.batch_size;
    train_ws_ = model_.make_workspace(train_rows);
    eval_ws_ = model_.make_workspace(full_batch_ ? task_.test.n : std::max(task_.train.n, task_.test.n));
    d_out_.resize(static_cast<size_t>(train_rows * task_.n_classes));
    if (!full_batch_) {
      batch_.dim = task_.train.dim;
      batch_.tokens_per_row = task_.train.tokens_per_row;
      batch_tokens_.resize(static_cast<size_t>(train_rows * batch_.tokens_per_row));
      batch_labels_.resize(static_cast<size_t>(train_rows));
      order_.resize(static_cast<size_t>(task_.train.n));
    }
    columns_ = {"step", "time", "loss_train", "acc_train", "margin_train", "loss_test", "acc_test", "margin_test"};
    for (const auto& p : layout.params()) columns_.push_back("norm_" + p.name);
    columns_.push_back("norm_total");
  }

  RunSummary run() {
    RunStart start;
    start.columns = columns_;
    start.split = split_arrays(task_);
    start.params_init = export_params(model_.layout(), params_.data());
    start.n_params = model_.layout().total_size();
    start.n_train = task_.train.n;
    start.n_test = task_.test.n;
    start.blas_threads = kernels::blas_threads();
    observer_.on_start(start);

    RunSummary summary;
    const auto t0 = Clock_::now();
    auto last_progress = t0;
    int64_t last_progress_step = 0;
    const int64_t total = config_.train.steps;
    int64_t step = 0;
    bool have_good = false;  // last_good_ holds parameters with a finite loss
    for (;; ++step) {
      const bool eval = schedule_.is_eval_step(step);
      if (step == total) {
        evaluate(step, nullptr);
        finish(summary, RunStatus::completed, "completed all steps", step, params_);
        break;
      }
      if (observer_.stop_requested()) {
        evaluate(step, nullptr);
        finish(summary, RunStatus::stopped, "stopped on request", step, params_);
        break;
      }
      const BatchStats train_stats = forward_backward(step);
      if (!std::isfinite(train_stats.loss)) {
        const std::string msg =
            have_good ? "training loss became " + std::string(std::isnan(train_stats.loss) ? "nan" : "inf") +
                            " at step " + std::to_string(step) + "; parameters of step " + std::to_string(step - 1) +
                            " (the last finite loss) are saved"
                      : "training loss is not finite at initialization (step 0)";
        clocks_.finish("run diverged");
        finish(summary, RunStatus::diverged, msg, have_good ? step - 1 : 0, have_good ? last_good_ : params_);
        break;
      }
      if (eval) evaluate(step, full_batch_ ? &train_stats : nullptr);
      if (early_stop_due(step)) {
        finish(summary, RunStatus::completed, "early stop: every clock fired and held", step, params_);
        break;
      }
      std::memcpy(last_good_.data(), params_.data(), sizeof(T) * params_.size());
      have_good = true;
      const double mult = lr_multiplier(step);
      optimizer_->step(params_.data(), grads_.data(), mult);
      add_time(config_.optim.lr * mult);

      const auto now = Clock_::now();
      if (now - last_progress > std::chrono::milliseconds(250)) {
        const double dt = std::chrono::duration<double>(now - last_progress).count();
        observer_.on_progress(Progress{.step = step + 1,
                                       .total_steps = total,
                                       .seconds = seconds_since(t0),
                                       .steps_per_second = static_cast<double>(step + 1 - last_progress_step) / dt,
                                       .acc_train = last_acc_train_,
                                       .acc_test = last_acc_test_,
                                       .loss_train = last_loss_train_});
        last_progress = now;
        last_progress_step = step + 1;
      }
    }
    summary.timing.seconds = seconds_since(t0);
    summary.timing.eval_seconds = eval_seconds_;
    summary.timing.steps_per_second =
        summary.timing.seconds > 0 ? static_cast<double>(step) / summary.timing.seconds : 0.0;
    summary.clocks = clocks_.all();
    summary.final_columns = columns_;
    summary.final_values = last_row_;
    observer_.on_finish(summary, export_params(model_.layout(), summary.status == RunStatus::diverged
                                                                    ? final_params_->data()
                                                                    : params_.data()));
    return summary;
  }

 private:
  // Continuous time with compensated (Neumaier) summation: 10^7 steps of lr 1e-3 stay exact to the last digits.
  void add_time(double dt) {
    const double t = time_ + dt;
    time_comp_ += std::abs(time_) >= std::abs(dt) ? (time_ - t) + dt : (dt - t) + time_;
    time_ = t;
  }
  double time() const { return time_ + time_comp_; }

  double lr_multiplier(int64_t step) const {
    const int64_t w = config_.optim.warmup_steps;
    if (w <= 0) return 1.0;
    return std::min(1.0, static_cast<double>(step) / static_cast<double>(w));
  }

  // Forward and backward on the training batch of this step; grads_ holds the gradient afterwards.
  BatchStats forward_backward(int64_t step) {
    InputBatch<T> x;
    const int32_t* labels = nullptr;
    if (full_batch_) {
      x = batch_of<T>(task_.train);
      labels = task_.train.labels.data();
    } else {
      x = next_minibatch();
      labels = batch_labels_.data();
    }
    const T* out = model_.forward(params_.data(), x, *train_ws_);
    const BatchStats stats =
        classification_loss<T>(config_.loss, out, x.n, task_.n_classes, labels, d_out_.data());
    if (std::isfinite(stats.loss)) model_.backward(params_.data(), x, d_out_.data(), grads_.data(), *train_ws_);
    return stats;
  }

  InputBatch<T> next_minibatch() {
    const int64_t b = config_.train.batch_size;
    const int tpr = task_.train.tokens_per_row;
    if (cursor_ == 0 || cursor_ >= task_.train.n) {  // new epoch: a fresh permutation (PyTorch DataLoader shuffle)
      for (int64_t i = 0; i < task_.train.n; ++i) order_[static_cast<size_t>(i)] = i;
      batch_rng_.shuffle(order_);
      cursor_ = 0;
    }
    const int64_t n = std::min(b, task_.train.n - cursor_);  // the last batch of an epoch may be smaller
    for (int64_t k = 0; k < n; ++k) {
      const int64_t row = order_[static_cast<size_t>(cursor_ + k)];
      for (int t = 0; t < tpr; ++t)
        batch_tokens_[static_cast<size_t>(k * tpr + t)] = task_.train.tokens[static_cast<size_t>(row * tpr + t)];
      batch_labels_[static_cast<size_t>(k)] = task_.train.labels[static_cast<size_t>(row)];
    }
    cursor_ += n;
    batch_.n = n;
    batch_.tokens = batch_tokens_.data();
    return batch_;
  }

  BatchStats evaluate_set(const TokenDataset& ds, Workspace& ws) {
    const T* out = model_.forward(params_.data(), batch_of<T>(ds), ws);
    return classification_loss<T>(config_.loss, out, ds.n, task_.n_classes, ds.labels.data(), nullptr);
  }

  // Records the evaluation of theta_step. train_stats, when given, are the full-train-set stats of this step.
  void evaluate(int64_t step, const BatchStats* train_stats) {
    const auto t0 = Clock_::now();
    const BatchStats train = train_stats ? *train_stats
                                         : evaluate_set(task_.train, full_batch_ ? *train_ws_ : *eval_ws_);
    const BatchStats test = evaluate_set(task_.test, *eval_ws_);
    std::vector<double> row = {static_cast<double>(step), time(), train.loss, train.accuracy(), train.min_margin,
                               test.loss, test.accuracy(), test.min_margin};
    double total_sq = 0.0;
    for (const auto& p : model_.layout().params()) {
      double sq = 0.0;
      for (int64_t i = 0; i < p.size(); ++i) {
        const double v = params_[static_cast<size_t>(p.offset + i)];
        sq += v * v;
      }
      row.push_back(std::sqrt(sq));
      total_sq += sq;
    }
    row.push_back(std::sqrt(total_sq));
    clocks_.update(EvalPoint{.step = step,
                             .time = time(),
                             .loss_train = train.loss,
                             .acc_train = train.accuracy(),
                             .acc_test = test.accuracy()});
    last_acc_train_ = train.accuracy();
    last_acc_test_ = test.accuracy();
    last_loss_train_ = train.loss;
    update_hold(step, train, test);
    last_row_ = row;
    observer_.on_eval(row);
    eval_seconds_ += seconds_since(t0);
  }

  // Early stop bookkeeping: held_since_ is the first step of the current unbroken stretch of evaluations at which
  // every clock has fired and the fit and generalization conditions hold.
  void update_hold(int64_t step, const BatchStats& train, const BatchStats& test) {
    const bool holds = clocks_.all_fired() && train.accuracy() >= 1.0 && test.accuracy() >= config_.eval.acc_threshold;
    if (!holds)
      held_since_ = -1;
    else if (held_since_ < 0)
      held_since_ = step;
  }

  bool early_stop_due(int64_t step) const {
    if (!config_.train.early_stop || held_since_ < 0 || step <= held_since_) return false;
    return static_cast<double>(step) >= (1.0 + config_.train.early_stop_margin) * static_cast<double>(held_since_);
  }

  void finish(RunSummary& summary, RunStatus status, const std::string& message, int64_t steps_done,
              const std::vector<T>& final_params) {
    if (status != RunStatus::diverged) clocks_.finish(status == RunStatus::stopped ? "run was stopped" : "run ended");
    summary.status = status;
    summary.message = message;
    summary.steps_done = steps_done;
    summary.time = time();
    final_params_ = &final_params;
  }

  const RunConfig& config_;
  RunObserver& observer_;
  ModularTask task_;
  Mlp<T> model_;
  EvalSchedule schedule_;
  ClockTracker clocks_;
  std::unique_ptr<Optimizer<T>> optimizer_;
  std::vector<T> params_, grads_, last_good_, d_out_;
  const std::vector<T>* final_params_ = nullptr;
  std::unique_ptr<Workspace> train_ws_, eval_ws_;
  bool full_batch_ = true;
  // minibatch state
  Rng batch_rng_{config_.train.seed ^ 0x9e3779b97f4a7c15ULL};
  std::vector<int64_t> order_;
  int64_t cursor_ = 0;
  std::vector<int32_t> batch_tokens_, batch_labels_;
  InputBatch<T> batch_;
  // metrics
  std::vector<std::string> columns_;
  std::vector<double> last_row_;
  double time_ = 0.0, time_comp_ = 0.0;
  double eval_seconds_ = 0.0;
  double last_acc_train_ = 0.0, last_acc_test_ = 0.0, last_loss_train_ = 0.0;
  int64_t held_since_ = -1;
};

template <class T>
RunSummary train_as(const RunConfig& config, RunObserver& observer) {
  const auto t0 = Clock_::now();
  TrainingRun<T> run(config, observer);
  const double setup = seconds_since(t0);
  RunSummary summary = run.run();
  summary.timing.setup_seconds = setup;
  return summary;
}

}  // namespace

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::completed: return "completed";
    case RunStatus::diverged: return "diverged";
    case RunStatus::stopped: return "stopped";
  }
  return "?";
}

RunSummary train(const RunConfig& config, RunObserver& observer) {
  validate(config);
  kernels::set_blas_threads(config.train.threads);
  return config.train.dtype == Dtype::f64 ? train_as<double>(config, observer) : train_as<float>(config, observer);
}

}  // namespace grokscope
