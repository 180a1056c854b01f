// simulate_isolated_dynamics: the MU-5 run loop and its metrics rows (see theory/isolated_dynamics.h).
#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <chrono>
#include <cmath>
#include <limits>

#include "grokscope/core/rng.h"
#include "grokscope/data/modular.h"
#include "grokscope/metrics/circle.h"
#include "grokscope/metrics/fourier.h"
#include "grokscope/theory/isolated_dynamics.h"
#include "grokscope/metrics/clocks.h"

namespace grokscope::theory {

namespace {

using WallClock = std::chrono::steady_clock;
double seconds_since(WallClock::time_point t0) {
  return std::chrono::duration<double>(WallClock::now() - t0).count();
}

const std::vector<std::string> kColumns = {
    "step",           "time",           "loss_train",         "acc_train",          "loss_test",
    "acc_test",       "margin_test",    "norm_E",             "norm_W",             "objective",
    "delta_norm",     "cond_HHt",       "min_eig_HHt",        "max_eig_HHt",        "dead_units",
    "fourier_gini_E", "n_key_freqs",    "circle_rho_logdev",  "circle_cos_abs",     "circle_sim_offdiag",
    "circle_plane_offdiag", "circle_rho_logdev_key", "circle_cos_abs_key"};

struct SetStats {
  double loss = 0.0, acc = 0.0, margin = std::numeric_limits<double>::infinity();
};

// Musat's loss (sum over outputs of the squared error, mean over rows), argmax accuracy (first index on ties) and
// the minimum logit margin.
SetStats set_stats(const Eigen::MatrixXd& out, const std::vector<int32_t>& labels) {
  SetStats s;
  const Eigen::Index n = out.rows();
  for (Eigen::Index i = 0; i < n; ++i) {
    const int y = labels[static_cast<size_t>(i)];
    Eigen::Index arg = 0;
    double best_other = -std::numeric_limits<double>::infinity();
    for (Eigen::Index j = 0; j < out.cols(); ++j) {
      const double v = out(i, j);
      const double diff = v - (j == y ? 1.0 : 0.0);
      s.loss += diff * diff;
      if (v > out(i, arg)) arg = j;
      if (j != y) best_other = std::max(best_other, v);
    }
    s.acc += arg == y ? 1.0 : 0.0;
    s.margin = std::min(s.margin, out(i, y) - best_other);
  }
  if (n > 0) {
    s.loss /= static_cast<double>(n);
    s.acc /= static_cast<double>(n);
  }
  return s;
}

NpyArray export_matrix(const std::string& name, const Eigen::MatrixXd& m) {
  // Row-major copy of m (rows x cols).
  std::vector<double> data(static_cast<size_t>(m.size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) data[static_cast<size_t>(r * m.cols() + c)] = m(r, c);
  return NpyArray{name, {m.rows(), m.cols()}, std::move(data)};
}

// w1 = E^T (d x p), w2 = W^T (p x d): PyTorch orientation of the bias-free MLP of isolated_run_config.
std::vector<NpyArray> export_params(const Eigen::MatrixXd& e, const Eigen::MatrixXd& w) {
  return {export_matrix("w1", e.transpose()), export_matrix("w2", w.transpose())};
}

class IsolatedRun {
 public:
  IsolatedRun(const IsolatedConfig& config, RunObserver& observer)
      : config_(config),
        observer_(observer),
        table_(make_modular_table(*parse_mod_op(config.op), config.p, PairSet::unordered)),
        split_(make_split(table_.rows(), n_train(config, table_.rows()), config.split_seed)),
        train_(rows_of(split_.train_idx)),
        test_(rows_of(split_.test_idx)),
        dynamics_(config.p, config.activation, config.leaky_slope, train_.a, train_.b, train_.c,
                  config.max_condition),
        clocks_(EvalConfig{}, false) {
    const double std = config.init_std > 0.0 ? config.init_std : 1.0 / std::sqrt(static_cast<double>(config.p));
    e_.resize(config.p, config.width);
    Rng rng(config.seed);
    for (Eigen::Index j = 0; j < e_.rows(); ++j)
      for (Eigen::Index u = 0; u < e_.cols(); ++u) e_(j, u) = std * rng.normal();
  }

  RunSummary run() {
    RunSummary summary;
    const auto t0 = WallClock::now();
    auto last_progress = t0;
    IsolatedDynamics::State state;
    std::string failure;
    bool have_state = try_state(0, state, failure);

    RunStart start;
    start.columns = kColumns;
    start.split = split_arrays();
    start.params_init = export_params(e_, have_state ? state.w : nan_matrix(config_.width, config_.p));
    start.n_params = e_.size();
    start.n_train = dynamics_.rows();
    start.n_test = static_cast<int64_t>(test_.a.size());
    start.blas_threads = 1;
    observer_.on_start(start);

    Eigen::MatrixXd e_good = e_, w_good = have_state ? state.w : nan_matrix(config_.width, config_.p);
    int64_t step = 0;
    for (;; ++step) {
      if (!have_state) {
        // state still holds the last good point (step - 1): record it unless it was just recorded.
        if (step > 0) {
          e_ = e_good;
          if (last_eval_step_ != step - 1) evaluate(step - 1, state, dynamics_.direction(e_, state));
        }
        clocks_.finish("run diverged");
        end(summary, RunStatus::diverged, failure, step > 0 ? step - 1 : 0);
        break;
      }
      const Eigen::MatrixXd delta = dynamics_.direction(e_, state);
      const bool last = step == config_.steps;
      const bool stop = !last && observer_.stop_requested();
      if (last || stop || step % config_.eval_every == 0) evaluate(step, state, delta);
      e_good = e_;
      w_good = state.w;
      if (last) {
        end(summary, RunStatus::completed, "completed all steps", step);
        break;
      }
      if (stop) {
        end(summary, RunStatus::stopped, "stopped on request", step);
        break;
      }
      e_ += config_.lr * delta;
      have_state = try_state(step + 1, state, failure);
      if (seconds_since(last_progress) > 0.25) {
        last_progress = WallClock::now();
        const double secs = seconds_since(t0);
        observer_.on_progress(Progress{.step = step + 1, .total_steps = config_.steps, .seconds = secs,
                                       .steps_per_second = static_cast<double>(step + 1) / secs,
                                       .acc_train = 1.0, .acc_test = last_acc_test_, .loss_train = 0.0});
      }
    }
    summary.timing.seconds = seconds_since(t0);
    summary.timing.eval_seconds = eval_seconds_;
    summary.timing.steps_per_second =
        summary.timing.seconds > 0 ? static_cast<double>(summary.steps_done) / summary.timing.seconds : 0.0;
    summary.clocks = clocks_.all();
    summary.final_columns = kColumns;
    summary.final_values = last_row_;
    observer_.on_finish(summary, export_params(e_good, w_good));
    return summary;
  }

 private:
  struct Rows {
    std::vector<int32_t> a, b, c;
  };
  static int64_t n_train(const IsolatedConfig& c, int64_t rows) {
    return c.n_train > 0 ? c.n_train : static_cast<int64_t>(std::floor(c.train_fraction * static_cast<double>(rows)));
  }
  Rows rows_of(const std::vector<int64_t>& idx) const {
    Rows r;
    for (int64_t i : idx) {
      r.a.push_back(table_.a[static_cast<size_t>(i)]);
      r.b.push_back(table_.b[static_cast<size_t>(i)]);
      r.c.push_back(table_.c[static_cast<size_t>(i)]);
    }
    return r;
  }
  static Eigen::MatrixXd nan_matrix(int rows, int cols) {
    return Eigen::MatrixXd::Constant(rows, cols, std::numeric_limits<double>::quiet_NaN());
  }
  std::vector<NpyArray> split_arrays() const {
    auto n = [](const auto& v) { return static_cast<int64_t>(v.size()); };
    return {NpyArray{"train_idx", {n(split_.train_idx)}, split_.train_idx},
            NpyArray{"test_idx", {n(split_.test_idx)}, split_.test_idx},
            NpyArray{"a", {n(table_.a)}, table_.a},
            NpyArray{"b", {n(table_.b)}, table_.b},
            NpyArray{"c", {n(table_.c)}, table_.c}};
  }

  bool try_state(int64_t step, IsolatedDynamics::State& state, std::string& failure) {
    try {
      state = dynamics_.state(e_, step);
      return true;
    } catch (const IllConditioned& err) {
      failure = err.what();
      return false;
    }
  }

  void evaluate(int64_t step, const IsolatedDynamics::State& s, const Eigen::MatrixXd& delta) {
    const auto t0 = WallClock::now();
    const SetStats train = set_stats(s.h * s.w, train_.c);
    const SetStats test = set_stats(dynamics_.predict(e_, s.w, test_.a, test_.b), test_.c);
    double min_eig = std::nan(""), max_eig = std::nan("");
    if (config_.spectrum) {
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(s.gram, Eigen::EigenvaluesOnly);
      min_eig = eig.eigenvalues().minCoeff();
      max_eig = eig.eigenvalues().maxCoeff();
    }
    double dead = 0.0;
    for (Eigen::Index u = 0; u < s.z.cols(); ++u) {
      bool active = false;
      for (Eigen::Index i = 0; i < s.z.rows() && !active; ++i) active = s.z(i, u) > 0.0;
      dead += active ? 0.0 : 1.0;
    }
    if (config_.activation != Activation::relu) dead = 0.0;   // only ReLU units can be dead
    const metrics::FrequencyNorms fn = metrics::frequency_norms(e_);
    const std::vector<int> keys = metrics::key_frequencies(fn.norms, 0.25);
    const metrics::CircleDiagnostics circles = metrics::circle_diagnostics(e_);
    std::vector<int> all(static_cast<size_t>(circles.rho.size()));
    for (size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int>(k) + 1;
    const metrics::CircleSummary sum_all = metrics::summarize_circles(circles, all);
    const metrics::CircleSummary sum_key =
        keys.empty() ? metrics::CircleSummary{std::nan(""), std::nan(""), std::nan(""), std::nan("")}
                     : metrics::summarize_circles(circles, keys);
    const double time = config_.lr * static_cast<double>(step);
    std::vector<double> row = {static_cast<double>(step), time, train.loss, train.acc, test.loss, test.acc,
                               test.margin, e_.norm(), s.w.norm(), dynamics_.objective(e_, s), delta.norm(),
                               s.condition, min_eig, max_eig, dead, metrics::gini(fn.norms),
                               static_cast<double>(keys.size()), sum_all.rho_logdev, sum_all.cos_abs,
                               sum_all.sim_offdiag, sum_all.plane_offdiag, sum_key.rho_logdev, sum_key.cos_abs};
    last_acc_test_ = test.acc;
    last_eval_step_ = step;
    clocks_.update(EvalPoint{.step = step, .time = time, .loss_train = train.loss, .acc_train = train.acc,
                             .acc_test = test.acc, .loss_test = test.loss});
    last_row_ = row;
    observer_.on_eval(row);
    eval_seconds_ += seconds_since(t0);
  }

  void end(RunSummary& summary, RunStatus status, const std::string& message, int64_t steps_done) {
    if (status != RunStatus::diverged) clocks_.finish(status == RunStatus::stopped ? "run was stopped" : "run ended");
    summary.status = status;
    summary.message = message;
    summary.steps_done = steps_done;
    summary.time = config_.lr * static_cast<double>(steps_done);
  }

  const IsolatedConfig& config_;
  RunObserver& observer_;
  ModularTable table_;
  Split split_;
  Rows train_, test_;
  IsolatedDynamics dynamics_;
  ClockTracker clocks_;
  Eigen::MatrixXd e_;   // p x d
  std::vector<double> last_row_;
  double last_acc_test_ = 0.0;
  int64_t last_eval_step_ = -1;
  double eval_seconds_ = 0.0;
};

}  // namespace

RunSummary simulate_isolated_dynamics(const IsolatedConfig& config, RunObserver& observer) {
  validate(config);
  const auto t0 = WallClock::now();
  IsolatedRun run(config, observer);
  const double setup = seconds_since(t0);
  RunSummary summary = run.run();
  summary.timing.setup_seconds = setup;
  return summary;
}

}  // namespace grokscope::theory
