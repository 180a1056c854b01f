// simulate_landscape: GD on a toy landscape from several starts, with the geometry of Thm 4.14 in each metrics row
// (see theory/landscape_run.h).
#include "grokscope/theory/landscape_run.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "grokscope/core/error.h"

namespace grokscope::theory {

namespace {

using WallClock = std::chrono::steady_clock;
double seconds_since(WallClock::time_point t0) {
  return std::chrono::duration<double>(WallClock::now() - t0).count();
}

constexpr const char* kGroup[] = {"loss", "theta1", "theta2", "dist", "cos", "ratio", "c_pred", "dist_sing"};

std::vector<std::string> columns(size_t starts) {
  std::vector<std::string> c = {"step", "time", "loss_train"};
  for (size_t k = 0; k < starts; ++k)
    for (const char* g : kGroup) c.push_back(fmt::format("{}_s{}", g, k));
  return c;
}

NpyArray export_theta(const std::vector<Vec2>& theta) {
  std::vector<double> data;
  for (const auto& t : theta) data.insert(data.end(), t.begin(), t.end());
  return NpyArray{"theta", {static_cast<int64_t>(theta.size()), 2}, std::move(data)};
}

// The metrics row at `step` (see the header for the columns).
std::vector<double> row_at(const ToyLandscape& land, const std::vector<Vec2>& theta, int64_t step, double lr) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> row = {static_cast<double>(step), lr * static_cast<double>(step), 0.0};
  const std::vector<Vec2> singular = land.singular_points();
  for (const auto& t : theta) {
    const double loss = land.loss(t);
    row[2] = std::max(row[2], loss);
    const Projection p = land.project(t);
    const double cos = abs_cosine(land.loss_grad(t), p.tangent);
    double dist_sing = singular.empty() ? nan : std::numeric_limits<double>::infinity();
    for (const auto& q : singular) dist_sing = std::min(dist_sing, std::hypot(p.point[0] - q[0], p.point[1] - q[1]));
    const double ratio = p.dist > 0.0 ? cos / p.dist : nan;
    for (double v : {loss, t[0], t[1], p.dist, cos, ratio, land.orthogonality_constant(p), dist_sing}) row.push_back(v);
  }
  return row;
}

}  // namespace

void validate(const LandscapeConfig& c) {
  auto fail = [](const std::string& key, const std::string& value, const std::string& why) {
    throw ConfigError("landscape." + key, value, why);
  };
  if (c.starts.size() % 2 != 0)
    fail("starts", fmt::format("{} numbers", c.starts.size()), "must hold (θ1, θ2) pairs: an even count");
  for (double v : c.starts)
    if (!std::isfinite(v)) fail("starts", fmt::format("{}", v), "must be finite");
  if (!(c.lr > 0.0 && std::isfinite(c.lr))) fail("lr", fmt::format("{}", c.lr), "must be positive and finite");
  if (!(c.weight_decay >= 0.0 && std::isfinite(c.weight_decay)))
    fail("weight_decay", fmt::format("{}", c.weight_decay), "must be >= 0 and finite");
  if (c.steps < 1 || c.steps > 1000000000) fail("steps", std::to_string(c.steps), "must be in [1, 1e9]");
}

std::vector<Vec2> default_landscape_starts(LandscapeKind kind) {
  switch (kind) {
    case LandscapeKind::parabola: {
      const double s5 = std::sqrt(5.0);
      std::vector<Vec2> out;
      for (double d : {-1.0, 0.5, 1.0}) out.push_back({1.0 - 2.0 * d / s5, 1.0 + d / s5});
      return out;
    }
    case LandscapeKind::curved: return {{3.0, 1.0}, {0.5, 0.2}, {-2.0, -1.0}};
    case LandscapeKind::singular: return {{1.0, 1.0}, {2.0, 1.0}, {1.05, 1.0}};
    case LandscapeKind::leaky_relu: return {{-2.0, -1.0}, {-1.0, 1.0}, {3.0, 1.0}};
  }
  GS_CHECK(false);
  return {};
}

std::vector<Vec2> landscape_starts(const LandscapeConfig& c) {
  if (c.starts.empty()) return default_landscape_starts(c.kind);
  std::vector<Vec2> out;
  for (size_t i = 0; i + 1 < c.starts.size(); i += 2) out.push_back({c.starts[i], c.starts[i + 1]});
  return out;
}

RunConfig landscape_run_config(const LandscapeConfig& c) {
  RunConfig r;
  r.optim.kind = OptimKind::sgd;
  r.optim.lr = c.lr;
  r.optim.weight_decay = 2.0 * c.weight_decay;
  r.train.steps = c.steps;
  r.train.dtype = Dtype::f64;
  r.train.threads = 1;
  return r;
}

RunSummary simulate_landscape(const LandscapeConfig& config, RunObserver& observer) {
  validate(config);
  const auto t0 = WallClock::now();
  const ToyLandscape land(config.kind);
  std::vector<Vec2> theta = landscape_starts(config);
  const std::vector<std::string> cols = columns(theta.size());

  RunStart start;
  start.columns = cols;
  start.params_init = {export_theta(theta)};
  start.n_params = 2;
  start.n_train = 1;
  start.blas_threads = 1;
  observer.on_start(start);

  RunSummary summary;
  summary.status = RunStatus::completed;
  summary.message = "completed all steps";
  std::vector<double> last_row;
  std::vector<Vec2> last_good = theta;
  double eval_seconds = 0.0;
  auto last_progress = t0;
  int64_t next_row = 0, step = 0;
  for (;; ++step) {
    bool finite = true;
    for (const auto& t : theta) finite = finite && std::isfinite(t[0]) && std::isfinite(t[1]);
    if (!finite) {
      summary.status = RunStatus::diverged;
      summary.message = fmt::format("step {}: θ is not finite", step);
      theta = last_good;
      --step;
      break;
    }
    last_good = theta;
    const bool last = step == config.steps;
    const bool stop = !last && observer.stop_requested();
    if (last || stop || step == next_row) {
      const auto te = WallClock::now();
      last_row = row_at(land, theta, step, config.lr);
      observer.on_eval(last_row);
      eval_seconds += seconds_since(te);
      next_row = step < 1000 ? step + 1 : std::max(step + 1, static_cast<int64_t>(std::ceil(1.01 * step)));
    }
    if (last) break;
    if (stop) {
      summary.status = RunStatus::stopped;
      summary.message = "stopped on request";
      break;
    }
    for (auto& t : theta) {
      const Vec2 g = land.loss_grad(t);
      const Vec2 old = t;
      for (int i = 0; i < 2; ++i) t[i] = old[i] - config.lr * (g[i] + 2.0 * config.weight_decay * old[i]);
    }
    if (seconds_since(last_progress) > 0.25) {
      last_progress = WallClock::now();
      const double secs = seconds_since(t0);
      observer.on_progress(Progress{.step = step + 1, .total_steps = config.steps, .seconds = secs,
                                    .steps_per_second = static_cast<double>(step + 1) / secs,
                                    .loss_train = last_row.size() > 2 ? last_row[2] : 0.0});
    }
  }
  summary.steps_done = std::max<int64_t>(step, 0);
  summary.time = config.lr * static_cast<double>(summary.steps_done);
  summary.timing.seconds = seconds_since(t0);
  summary.timing.eval_seconds = eval_seconds;
  summary.timing.steps_per_second =
      summary.timing.seconds > 0 ? static_cast<double>(summary.steps_done) / summary.timing.seconds : 0.0;
  summary.final_columns = cols;
  summary.final_values = last_row;
  observer.on_finish(summary, {export_theta(theta)});
  return summary;
}

}  // namespace grokscope::theory
