// Representation clock and clock-rate fits (see train/clock_analysis.h).
#include "grokscope/train/clock_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/metrics/fits.h"

namespace grokscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> column(const std::vector<std::string>& columns, const std::vector<std::vector<double>>& rows,
                           const std::string& name) {
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) return {};
  const auto c = static_cast<size_t>(it - columns.begin());
  std::vector<double> out;
  for (const auto& r : rows) out.push_back(c < r.size() ? r[c] : kNaN);
  return out;
}

// The quantity that moves for the model at hand (docs/outputs.md): the embedding's stable rank (embedding MLP, the
// two-clocks paper's measure); the per-neuron Fourier concentration of the first layer (MLP on one-hot modular
// inputs, whose first-layer srank need not fall); the end-to-end map's stable rank (deep linear net); the factorized
// matrix's (matrix completion); the weights' l1/l2 ratio (diagonal net); else the first layer's stable rank.
std::string default_rep_metric(const std::vector<std::string>& columns) {
  for (const char* name : {"srank_E", "neuron_ipr", "srank_A", "srank_W", "w_l1_over_l2", "srank_w1"})
    if (std::find(columns.begin(), columns.end(), name) != columns.end()) return name;
  return "";
}

const Clock* find_clock(const std::vector<Clock>& clocks, const std::string& name) {
  for (const auto& c : clocks)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

ClockAnalysis analyze_clocks(const EvalConfig& config, const std::vector<std::string>& columns,
                             const std::vector<std::vector<double>>& rows, const std::vector<Clock>& clocks) {
  ClockAnalysis out;
  out.t_rep.name = "t_rep";
  out.t_rep.eps = config.rep_eta;
  out.rep_metric = config.rep_metric.empty() ? default_rep_metric(columns) : config.rep_metric;
  const std::vector<double> steps = column(columns, rows, "step");
  const std::vector<double> time = column(columns, rows, "time");
  const std::vector<double> x = out.rep_metric.empty() ? std::vector<double>{} : column(columns, rows, out.rep_metric);
  const Clock* fit = find_clock(clocks, "t_fit");
  const double t_fit = fit && fit->fired ? fit->time : kNaN;

  // Representation clock.
  std::vector<double> gap;
  if (out.rep_metric.empty()) {
    out.t_rep.reason = "no representation metric applies to this run (set eval.rep_metric)";
  } else if (x.empty()) {
    out.t_rep.reason = fmt::format("eval.rep_metric = \"{}\" is not a column of this run", out.rep_metric);
  } else if (rows.size() < 3) {
    out.t_rep.reason = "fewer than three evaluations";
  } else {
    // The metric may be undefined at the first evaluations (e.g. w_l1_over_l2 of a diagonal net, whose w starts at
    // 0): S is measured from its first finite value on; the undefined points count as not settled.
    size_t first = 0;
    while (first < x.size() && !std::isfinite(x[first])) ++first;
    const double origin = first < x.size() ? x[first] : kNaN;
    const double range = std::abs(origin - x.back());
    for (size_t i = 0; i < x.size(); ++i) gap.push_back(i >= first && range > 0 ? std::abs(x[i] - x.back()) / range : kNaN);
    size_t last_above = 0;  // the last evaluation at which the metric was still more than eta from its final value
    bool finite = range > 0 && std::isfinite(range);
    for (size_t i = 0; i < gap.size(); ++i) {
      if (i >= first && !std::isfinite(gap[i])) finite = false;
      if (!(gap[i] <= config.rep_eta)) last_above = i;
    }
    const size_t index = last_above + 1;
    if (!finite) {
      out.t_rep.reason = fmt::format("{} is constant or not finite over the run", out.rep_metric);
    } else if (index + 1 >= gap.size()) {
      out.t_rep.reason = fmt::format("{} was still moving at the end of the run (more than {} of its total change "
                                     "away from its final value at the last evaluation but one)",
                                     out.rep_metric, config.rep_eta);
    } else {
      out.t_rep.fired = true;
      out.t_rep.step = static_cast<int64_t>(steps[index]);
      out.t_rep.time = time[index];
      out.t_rep.bracket_lo = static_cast<int64_t>(steps[index - 1]);
    }
  }

  // Clock ratios.
  auto ratio = [&](const std::string& key, const Clock* a, const Clock* b) {
    if (a && b && a->fired && b->fired && b->step > 0)
      out.values.emplace_back(key, static_cast<double>(a->step) / static_cast<double>(b->step));
  };
  ratio("ratios.rep_over_fit", &out.t_rep, fit);
  for (const auto& c : clocks)
    if (c.name == "t_cls") ratio(fmt::format("ratios.rep_over_cls_{:g}", c.eps), &out.t_rep, &c);

  // Fast clock: exponential decay of the train loss after t_fit, up to its lowest point.
  const std::vector<double> loss = column(columns, rows, "loss_train");
  if (std::isfinite(t_fit) && !loss.empty()) {
    const auto lowest = static_cast<size_t>(std::min_element(loss.begin(), loss.end()) - loss.begin());
    const auto f = metrics::fit_fast_clock(time, loss, t_fit, time[lowest]);
    out.values.emplace_back("fast_clock.nu", f.nu);
    out.values.emplace_back("fast_clock.r2", f.line.r2);
    out.values.emplace_back("fast_clock.points", static_cast<double>(f.line.n));
    out.values.emplace_back("fast_clock.t_lo", f.line.x_lo);
    out.values.emplace_back("fast_clock.t_hi", f.line.x_hi);
  }
  // Slow clock: power law of the normalized gap from t_fit to t_rep.
  if (std::isfinite(t_fit) && out.t_rep.fired && !gap.empty()) {
    const auto f = metrics::fit_power_law(time, gap, t_fit, t_fit, out.t_rep.time);
    out.values.emplace_back("slow_clock.exponent", f.exponent);
    out.values.emplace_back("slow_clock.kl_theta", f.kl_theta);
    out.values.emplace_back("slow_clock.r2", f.line.r2);
    out.values.emplace_back("slow_clock.points", static_cast<double>(f.line.n));
  }
  return out;
}

}  // namespace grokscope
