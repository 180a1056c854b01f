// The training loop: full-batch or minibatch steps, log-spaced evaluations, online clocks, divergence handling.
// Step s means "after s optimizer updates"; the evaluation at step s measures the parameters theta_s. In full-batch
// mode the training forward pass at theta_s also provides the train metrics of that evaluation (no extra pass), and
// the gradient it leaves behind is the one probes see.
// optim.schedule = "loss_scaled" (Lyu et al. App. B.1): the gradient is that of log L (= grad L / L, nn/log_loss.h), so
// the optimizer's step is lr / L times grad L, and the time sum_t lr / L_t is accumulated as its log (log-add-exp).
// With optim.loss_scaled_initial_phase, steps at log L > -5 are plain ones at lr 10 lr (Lyu's code).
// train.label_noise_std > 0 (label-noise SGD, Lyu App. B.2): each step's batch targets get fresh N(0, std^2) draws from
// their own Rng (seeded from train.seed), so the run stays deterministic; evaluations always use the clean targets.
// optim.grad_filter (Grokfast, optim/grad_filter.h) rewrites each step's gradient just before the optimizer step (after
// the evaluation of that step, so probes see the plain gradient). optim.fixed_norm = c (Omnigrok, optim/fixed_norm.h)
// scales the initial parameters by c (params_init.npz holds the scaled ones) and rescales them to that norm after
// every optimizer step.
// optim.kind = "gradient_flow": no optimizer; the integrator takes its own steps (flow_stepper.h) and the rows, step s
// of the schedule at the continuous time s * lr, are evaluated at the dense-output points inside them.
#include "grokscope/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>

#include "batches.h"
#include "evaluation.h"
#include "flow_stepper.h"
#include "grokscope/core/error.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/nn/log_loss.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/nn/objective.h"
#include "grokscope/nn/param_export.h"
#include "grokscope/optim/fixed_norm.h"
#include "grokscope/optim/grad_filter.h"
#include "grokscope/optim/param_groups.h"
#include "grokscope/train/clock_analysis.h"
#include "grokscope/train/eval_schedule.h"
#include "grokscope/train/memory_estimate.h"

namespace grokscope {

namespace {

using WallClock = std::chrono::steady_clock;
double seconds_since(WallClock::time_point t0) {
  return std::chrono::duration<double>(WallClock::now() - t0).count();
}

// CPU time of the process, all threads (what the benchmark compares with PyTorch's timed steps, bench/compare.py).
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

constexpr int64_t kMaxTrajectoryParams = 10000;

template <class T>
class TrainingRun {
 public:
  TrainingRun(const RunConfig& config, RunObserver& observer)
      : config_(config),
        observer_(observer),
        data_(make_task_data<T>(config.task)),
        model_(make_model<T>(config.model, data_)),
        schedule_(config.eval, config.train.steps) {
    const ParamLayout& layout = model_->layout();
    const auto n_params = static_cast<size_t>(layout.total_size());
    if (config.eval.record_trajectory && layout.total_size() > kMaxTrajectoryParams)
      throw ConfigError("eval.record_trajectory", "true",
                        fmt::format("the model has {} parameters; trajectories are recorded for at most {}",
                                    layout.total_size(), kMaxTrajectoryParams));
    params_.resize(n_params);
    grads_.resize(n_params);
    last_good_.resize(n_params);
    Rng init_rng(config.train.seed);
    model_->init_params(params_.data(), init_rng);
    if (!config.model.init_values.empty()) apply_init_values(*model_, config.model.init_values, params_.data());
    if (config.optim.fixed_norm > 0) {
      const double norm = l2_norm(params_.data(), layout.total_size());
      if (!(norm > 0))
        throw ConfigError("optim.fixed_norm", fmt::format("{}", config.optim.fixed_norm),
                          "the initial parameters have norm 0: there is no sphere to hold them on");
      fixed_norm_ = config.optim.fixed_norm * norm;
      rescale_to_norm(params_.data(), layout.total_size(), fixed_norm_);
    }
    params_init_ = params_;
    if (!flow_mode_) {
      optimizer_ = make_optimizer<T>(config.optim, resolve_param_ranges(layout, config.optim), layout.total_size());
      grad_filter_ = make_grad_filter<T>(config.optim, layout.total_size());
    }

    const Dataset<T>& train = data_.train;
    full_batch_ = config.train.batch_size == 0 || config.train.batch_size >= train.n;
    if (loss_scaled_ && !full_batch_)
      throw ConfigError("train.batch_size", std::to_string(config.train.batch_size),
                        fmt::format("optim.schedule = \"loss_scaled\" needs the full batch ({} training rows)",
                                    train.n));
    if (flow_mode_ && !full_batch_)
      throw ConfigError("train.batch_size", std::to_string(config.train.batch_size),
                        fmt::format("optim.kind = \"gradient_flow\" needs the full batch ({} training rows)", train.n));
    if (flow_mode_) flow_ = std::make_unique<detail::FlowStepper<T>>(*model_, data_, config);
    const int64_t train_rows = full_batch_ ? train.n : config.train.batch_size;
    if (label_noise_) {   // validate() allows it only with the squared loss, i.e. a regression task
      GS_CHECK(data_.target == TargetKind::regression && !flow_mode_);
      noisy_targets_.resize(static_cast<size_t>(train_rows * model_->output_dim()));
    }
    if (!flow_mode_) {   // the flow evaluates the training set through its own objective
      train_ws_ = model_->make_workspace(train_rows);
      d_out_.resize(static_cast<size_t>(train_rows * model_->output_dim()));
    }
    if (!full_batch_)
      sampler_ = std::make_unique<detail::MinibatchSampler<T>>(train, config.train.batch_size, model_->output_dim(),
                                                               config.train.seed ^ 0x9e3779b97f4a7c15ULL);
    std::vector<std::string> mode_columns;
    if (loss_scaled_) mode_columns = {"log_time", "log_loss_train"};
    if (flow_)
      for (const auto& c : detail::FlowStepper<T>::columns()) mode_columns.push_back(c);
    eval_ = std::make_unique<detail::Evaluation<T>>(config, *model_, data_, params_init_.data(), full_batch_,
                                                    mode_columns);
  }

  RunSummary run() {
    RunStart start;
    start.columns = eval_->columns();
    start.split = data_.arrays;
    start.params_init = export_params(model_->layout(), params_.data());
    start.n_params = model_->layout().total_size();
    start.n_train = data_.train.n;
    start.n_test = data_.test.n;
    start.blas_threads = kernels::blas_threads();
    if (config_.eval.record_trajectory)
      for (const auto& p : model_->layout().params())
        for (int64_t i = 0; i < p.size(); ++i) start.trajectory_columns.push_back(fmt::format("{}[{}]", p.name, i));
    observer_.on_start(start);

    RunSummary summary;
    t0_ = last_progress_ = WallClock::now();
    const double cpu0 = process_cpu_seconds();
    const int64_t steps = flow_ ? run_flow(summary) : run_steps(summary);
    summary.timing.seconds = seconds_since(t0_);
    summary.timing.eval_seconds = eval_seconds_;
    summary.timing.cpu_seconds = process_cpu_seconds() - cpu0;
    summary.timing.eval_cpu_seconds = eval_cpu_seconds_;
    summary.timing.steps_per_second =
        summary.timing.seconds > 0 ? static_cast<double>(steps) / summary.timing.seconds : 0.0;
    if (flow_) summary.flow = flow_->summary();
    summary.clocks = eval_->clocks().all();
    const ClockAnalysis analysis = analyze_clocks(config_.eval, eval_->columns(), eval_->history(), summary.clocks);
    summary.clocks.push_back(analysis.t_rep);
    summary.rep_metric = analysis.rep_metric;
    // The early stop watches the online clocks only; say so when the representation clock (computed afterwards)
    // did not fire, so the message never reads as if every clock had.
    if (summary.message == detail::EarlyStopRule::kMessage && !analysis.t_rep.fired)
      summary.message += fmt::format("; t_rep did not fire ({})", analysis.t_rep.reason);
    summary.analysis = analysis.values;
    summary.final_columns = eval_->columns();
    summary.final_values = eval_->last_row();
    observer_.on_finish(summary, export_params(model_->layout(), final_params_->data()));
    return summary;
  }

 private:
  // The optimizer's loop, step by step; returns the steps taken.
  int64_t run_steps(RunSummary& summary) {
    const int64_t total = config_.train.steps;
    int64_t step = 0;
    bool have_good = false;  // last_good_ holds parameters with a finite loss
    for (;; ++step) {
      record_trajectory(step);
      eval_->observe_step(step, params_.data());
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
      const BatchStats train_stats = forward_backward();
      if (!std::isfinite(train_stats.loss)) {
        const std::string msg =
            have_good ? fmt::format("training loss became {} at step {}; parameters of step {} (the last finite loss) "
                                    "are saved",
                                    std::isnan(train_stats.loss) ? "nan" : "inf", step, step - 1)
                      : "training loss is not finite at initialization (step 0)";
        eval_->clocks().finish("run diverged");
        finish(summary, RunStatus::diverged, msg, have_good ? step - 1 : 0, have_good ? last_good_ : params_);
        break;
      }
      const bool eval_step = schedule_.is_eval_step(step);
      // With label noise the step's own stats are those of the noisy targets: the evaluation recomputes clean ones.
      const BatchStats* own = full_batch_ && !label_noise_ ? &train_stats : nullptr;
      if (eval_step) evaluate(step, own);
      // The run ends with a row at the step it stops at, so that summary.final and params_final describe the same
      // parameters: an early stop due between two evaluations evaluates there first, and stops only if the
      // conditions still hold.
      if (eval_->early_stop().due(step) && !eval_step) evaluate(step, own);
      if (eval_->early_stop().due(step)) {
        finish(summary, RunStatus::completed, detail::EarlyStopRule::kMessage, step, params_);
        break;
      }
      std::memcpy(last_good_.data(), params_.data(), sizeof(T) * params_.size());
      have_good = true;
      const double mult = lr_multiplier(step);
      const bool plain = initial_phase_ && log_loss_train_ > kInitialPhaseLogLoss;
      if (plain)   // grads_ = grad log L = grad L / L: the plain step takes 10 grad L
        for (T& g : grads_) g *= static_cast<T>(10.0 * std::exp(log_loss_train_));
      if (grad_filter_) grad_filter_->apply(grads_.data());
      optimizer_->step(params_.data(), grads_.data(), mult);
      if (fixed_norm_ > 0) rescale_to_norm(params_.data(), static_cast<int64_t>(params_.size()), fixed_norm_);
      if (plain)
        add_log_time(std::log(10.0 * config_.optim.lr * mult));
      else if (loss_scaled_)
        add_log_time(std::log(config_.optim.lr * mult) - log_loss_train_);
      else
        add_time(config_.optim.lr * mult);

      report_progress(step + 1);
    }
    return step;
  }

  // optim.kind = "gradient_flow": the integrator takes its own steps (the last one shortened to end at exactly
  // train.steps * lr) and every row s of the schedule at or before its time is evaluated at t = s * lr: at the
  // integrator's point when it is there, else at the dense-output point inside the last step (params_ holds it for
  // the evaluation, then the integrator's point again). Stop requests are polled between integrator steps. Returns
  // the steps (time / lr) reached. An accepted point always has a finite loss, so a failure keeps params_ as they
  // are: the last accepted point.
  int64_t run_flow(RunSummary& summary) {
    const std::vector<int64_t> evals = schedule_.steps();
    const double lr = config_.optim.lr;
    const double t_end = static_cast<double>(evals.back()) * lr;
    const auto reached = [&] { return static_cast<int64_t>(flow_->time() / lr); };  // off the grid: floor
    std::vector<T> at_flow(params_.size());   // the integrator's point while params_ holds an interpolated one
    record_trajectory(0);
    for (size_t e = 0;;) {
      for (; e < evals.size() && static_cast<double>(evals[e]) * lr <= flow_->time(); ++e) {
        const int64_t step = evals[e];
        const double t = static_cast<double>(step) * lr;
        const bool interpolated = t != flow_->time();
        if (interpolated) {
          at_flow = params_;
          GS_CHECK(flow_->interpolate(t, params_.data()));
          params_time_ = t;
        }
        eval_->observe_step(step, params_.data());   // the flow visits only these
        const BatchStats stats = flow_->stats_at(params_.data(), grads_.data());
        if (!std::isfinite(stats.loss)) {  // only at step 0: every other row is at or next to an accepted point
          eval_->clocks().finish("run diverged");
          finish(summary, RunStatus::diverged, "training loss is not finite at initialization (step 0)", 0, params_);
          return 0;
        }
        evaluate(step, &stats);
        if (e + 1 == evals.size()) {
          finish(summary, RunStatus::completed, "completed all steps", step, params_);
          return step;
        }
        if (eval_->early_stop().due(step)) {   // ends at this row, interpolated or not
          finish(summary, RunStatus::completed, detail::EarlyStopRule::kMessage, step, params_);
          return step;
        }
        if (interpolated) {
          params_ = at_flow;
          params_time_ = flow_->time();
        }
      }
      if (observer_.stop_requested()) {
        const BatchStats now = flow_->stats_at(params_.data(), grads_.data());
        evaluate(reached(), &now);
        finish(summary, RunStatus::stopped, "stopped on request", reached(), params_);
        return reached();
      }
      if (!flow_->step_towards(params_.data(), t_end)) {
        eval_->clocks().finish("run diverged");
        finish(summary, RunStatus::diverged,
               fmt::format("{}; the parameters at t = {:.17g} (the last accepted point, finite loss) are saved",
                           flow_->failure(), flow_->time()),
               reached(), params_);
        return reached();
      }
      params_time_ = flow_->time();
      record_trajectory(flow_->accepted_steps());
      report_progress(reached());
    }
  }

  // A progress report at most every 250 ms; done = steps (GD) or time / lr (flow) so far.
  void report_progress(int64_t done) {
    const auto now = WallClock::now();
    if (now - last_progress_ <= std::chrono::milliseconds(250)) return;
    const double dt = std::chrono::duration<double>(now - last_progress_).count();
    observer_.on_progress(Progress{.step = done,
                                   .total_steps = config_.train.steps,
                                   .seconds = seconds_since(t0_),
                                   .steps_per_second = static_cast<double>(done - last_progress_step_) / dt,
                                   .acc_train = eval_->last().acc_train,
                                   .acc_test = eval_->last().acc_test,
                                   .loss_train = eval_->last().loss_train,
                                   .early_stop = config_.train.early_stop,
                                   .early_stop_at = eval_->early_stop().stop_step()});
    last_progress_ = now;
    last_progress_step_ = done;
  }

  // Continuous time with compensated (Neumaier) summation: 10^7 steps of lr 1e-3 stay exact to the last digits.
  void add_time(double dt) {
    const double t = time_ + dt;
    time_comp_ += std::abs(time_) >= std::abs(dt) ? (time_ - t) + dt : (dt - t) + time_;
    time_ = t;
  }
  double time() const {
    if (flow_) return params_time_;
    return loss_scaled_ ? std::exp(log_time_) : time_ + time_comp_;
  }
  // log(time) += log(dt) in log space: log(e^x + e^y) = max + log1p(e^{-|x - y|}).
  void add_log_time(double log_dt) {
    if (log_dt == -std::numeric_limits<double>::infinity()) return;
    const double hi = std::max(log_time_, log_dt), lo = std::min(log_time_, log_dt);
    log_time_ = hi + std::log1p(std::exp(lo - hi));
  }

  double lr_multiplier(int64_t step) const { return warmup_multiplier(step, config_.optim.warmup_steps); }

  // Forward and backward on the training batch of this step; grads_ holds the gradient afterwards.
  BatchStats forward_backward() {
    detail::LabeledBatch<T> b = full_batch_ ? detail::whole(data_.train) : sampler_->next();
    if (label_noise_) {   // target + std z, z ~ N(0, 1) fresh per row and output, in row order
      const size_t count = static_cast<size_t>(b.x.n * model_->output_dim());
      const double std_dev = config_.train.label_noise_std;
      for (size_t k = 0; k < count; ++k)
        noisy_targets_[k] = static_cast<T>(static_cast<double>(b.targets[k]) + std_dev * noise_rng_.normal());
      b.targets = noisy_targets_.data();
    }
    const T* out = model_->forward(params_.data(), b.x, *train_ws_);
    const BatchStats stats =
        loss_scaled_ ? cross_entropy_log_loss<T>(out, b.x.n, model_->output_dim(), b.labels, d_out_.data(),
                                                 &log_loss_train_)
                     : compute_objective<T>(config_.loss, data_.target, out, b.x.n, model_->output_dim(), b.labels,
                                            b.targets, d_out_.data());
    if (std::isfinite(stats.loss)) model_->backward(params_.data(), b.x, d_out_.data(), grads_.data(), *train_ws_);
    return stats;
  }

  void record_trajectory(int64_t step) {
    if (!config_.eval.record_trajectory) return;
    std::vector<double> row(params_.begin(), params_.end());
    observer_.on_trajectory(step, time(), row);
  }

  // Records the evaluation of theta_step. train_stats, when given, are the full-train-set stats of this step (and
  // grads_ is the full-batch gradient at theta_step).
  void evaluate(int64_t step, const BatchStats* train_stats) {
    const auto t0 = WallClock::now();
    const double cpu0 = process_cpu_seconds();
    detail::EvalInput<T> in{.step = step, .time = time(), .params = params_.data(),
                            .grads = train_stats ? grads_.data() : nullptr, .train = train_stats, .mode_values = {}};
    BatchStats full;
    if (!train_stats && full_batch_) {
      full = evaluate_train_full();
      in.train = &full;
    }
    if (loss_scaled_) in.mode_values = {log_time_, log_loss_train_};  // log_loss_train_ is that of theta_step
    if (flow_) flow_->append_values(in.mode_values);
    observer_.on_eval(eval_->measure(in));
    eval_seconds_ += seconds_since(t0);
    eval_cpu_seconds_ += process_cpu_seconds() - cpu0;
  }

  // Full-batch train metrics without a training step (the final and the stopped evaluations).
  BatchStats evaluate_train_full() {
    const detail::LabeledBatch<T> b = detail::whole(data_.train);
    const T* out = model_->forward(params_.data(), b.x, *train_ws_);
    if (loss_scaled_)
      return cross_entropy_log_loss<T>(out, b.x.n, model_->output_dim(), b.labels, nullptr, &log_loss_train_);
    return compute_objective<T>(config_.loss, data_.target, out, b.x.n, model_->output_dim(), b.labels, b.targets,
                                nullptr);
  }

  void finish(RunSummary& summary, RunStatus status, const std::string& message, int64_t steps_done,
              const std::vector<T>& final_params) {
    if (status != RunStatus::diverged) eval_->clocks().finish(status == RunStatus::stopped ? "run was stopped" : "run ended");
    summary.status = status;
    summary.message = message;
    summary.steps_done = steps_done;
    summary.time = time();
    final_params_ = &final_params;
  }

  const RunConfig& config_;
  const bool loss_scaled_ = config_.optim.schedule == LrSchedule::loss_scaled;
  const bool initial_phase_ = loss_scaled_ && config_.optim.loss_scaled_initial_phase;
  static constexpr double kInitialPhaseLogLoss = -5.0;   // Lyu's threshold of the initial phase
  const bool flow_mode_ = config_.optim.kind == OptimKind::gradient_flow;
  const bool label_noise_ = config_.train.label_noise_std > 0;
  Rng noise_rng_{config_.train.seed ^ 0x6c6162656c6e6f69ULL};   // label noise ("labelnoi")
  std::vector<T> noisy_targets_;
  RunObserver& observer_;
  TaskData<T> data_;
  std::unique_ptr<Model<T>> model_;
  EvalSchedule schedule_;
  std::unique_ptr<Optimizer<T>> optimizer_;            // null in gradient-flow mode
  std::unique_ptr<GradFilter<T>> grad_filter_;         // null without optim.grad_filter
  double fixed_norm_ = 0.0;                            // optim.fixed_norm: the norm held, c ||theta_init||; 0 = off
  std::unique_ptr<detail::FlowStepper<T>> flow_;       // gradient-flow mode only
  std::vector<T> params_, params_init_, grads_, last_good_, d_out_;
  const std::vector<T>* final_params_ = nullptr;
  std::unique_ptr<Workspace> train_ws_;
  std::unique_ptr<detail::MinibatchSampler<T>> sampler_;
  bool full_batch_ = true;
  std::unique_ptr<detail::Evaluation<T>> eval_;        // the metrics rows, probes, clocks and early-stop rule
  double time_ = 0.0, time_comp_ = 0.0;
  double log_time_ = -std::numeric_limits<double>::infinity();  // loss_scaled: log of sum_t lr / L_t
  double log_loss_train_ = std::nan("");                          // loss_scaled: log L of the last train pass
  double eval_seconds_ = 0.0;
  double eval_cpu_seconds_ = 0.0;
  WallClock::time_point t0_, last_progress_;           // start of the loop, last progress report
  int64_t last_progress_step_ = 0;
  double params_time_ = 0.0;                           // gradient flow: the time of the point in params_
};

template <class T>
RunSummary train_as(const RunConfig& config, RunObserver& observer) {
  const auto t0 = WallClock::now();
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
    case RunStatus::failed: return "failed";
  }
  return "?";
}

RunSummary train(const RunConfig& config, RunObserver& observer) {
  validate(config);
  // Before anything is allocated: refuse a run that can never fit (train.max_memory, else the machine's memory);
  // an allocation that fails anyway is a MemoryError naming the phase (train/memory_estimate.h).
  const MemoryEstimate estimate = estimate_memory(config);
  check_memory(config, estimate, total_memory());
  kernels::set_blas_threads(config.train.threads);
  return run_with_memory_guard(estimate, observer, [&](RunObserver& guarded) {
    return config.train.dtype == Dtype::f64 ? train_as<double>(config, guarded) : train_as<float>(config, guarded);
  });
}

}  // namespace grokscope
