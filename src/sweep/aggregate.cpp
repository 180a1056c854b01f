// Aggregation across seeds and scaling-law fits (see sweep/aggregate.h).
#include "grokscope/sweep/aggregate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/io/run_dir.h"
#include "grokscope/sweep/grid.h"

namespace grokscope::sweep {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

ClockStats stats_of(const std::string& name, double eps, std::vector<double> steps, std::vector<double> times) {
  ClockStats s;
  s.clock = name;
  s.eps = eps;
  s.n = static_cast<int>(steps.size());
  std::sort(steps.begin(), steps.end());
  std::sort(times.begin(), times.end());
  for (double v : steps) {
    if (!std::isfinite(v)) continue;
    ++s.n_fired;
    s.min = std::isnan(s.min) ? v : std::min(s.min, v);
    s.max = std::isnan(s.max) ? v : std::max(s.max, v);
  }
  s.median = censored_quantile(steps, 0.5);
  s.q25 = censored_quantile(steps, 0.25);
  s.q75 = censored_quantile(steps, 0.75);
  s.median_time = censored_quantile(times, 0.5);
  s.q25_time = censored_quantile(times, 0.25);
  s.q75_time = censored_quantile(times, 0.75);
  return s;
}

double config_number(const json& config, const char* section, const char* key) {
  if (!config.is_object() || !config.contains(section) || !config[section].contains(key)) return kNaN;
  const json& v = config[section][key];
  return v.is_number() ? v.get<double>() : kNaN;
}

std::string law_x_name(FitLaw law, const std::string& x) {
  switch (law) {
    case FitLaw::linear: return x;
    case FitLaw::log:
    case FitLaw::power: return "ln(" + x + ")";
    case FitLaw::log_inverse: return "ln(1/" + x + ")";
    case FitLaw::inverse: return "1/" + x;
  }
  return x;
}

void fit_points(FitResult& f) {
  std::vector<double> xs, ys;
  for (size_t i = 0; i < f.x.size(); ++i) {
    xs.push_back(law_x(f.spec.law, f.x[i]));
    ys.push_back(law_y(f.spec.law, f.y[i]));
  }
  f.line = metrics::fit_line(xs, ys);
}
}  // namespace

double censored_quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  const double a = sorted[lo], b = sorted[hi];
  if (!std::isfinite(a) || (frac > 0 && !std::isfinite(b))) return kNaN;
  return frac > 0 ? a + frac * (b - a) : a;
}

double law_x(FitLaw law, double x) {
  switch (law) {
    case FitLaw::linear: return x;
    case FitLaw::log:
    case FitLaw::power: return x > 0 ? std::log(x) : kNaN;
    case FitLaw::log_inverse: return x > 0 ? -std::log(x) : kNaN;
    case FitLaw::inverse: return x != 0 ? 1.0 / x : kNaN;
  }
  return kNaN;
}

double law_y(FitLaw law, double y) { return law == FitLaw::power ? (y > 0 ? std::log(y) : kNaN) : y; }

double law_curve(FitLaw law, double a, double b, double x) {
  const double y = a + b * law_x(law, x);
  return law == FitLaw::power ? std::exp(y) : y;
}

const ClockStats* CellSummary::clock(const std::string& name) const {
  for (const auto& c : clocks)
    if (c.clock == name) return &c;
  return nullptr;
}

std::string FitResult::group_label() const {
  std::string s;
  for (const auto& [k, v] : group) {
    const size_t dot = k.rfind('.');
    s += (s.empty() ? "" : ", ") + (dot == std::string::npos ? k : k.substr(dot + 1)) + "=" + value_label(v);
  }
  return s;
}

namespace {

using ClockNames = std::vector<std::pair<std::string, double>>;   // name, eps

// Status counts, and the clock names in order of first appearance, ranked t_fit, t_gen, t_cls... first, then t_rep
// and t_below, then gen_over_fit.
ClockNames count_runs_and_clocks(const std::vector<RunRecord>& runs, SweepAnalysis& out) {
  ClockNames names;
  for (const auto& r : runs) {
    ++out.status_counts[r.status];
    ++out.n_runs;
    if (!is_finished_status(r.status)) continue;
    ++out.n_finished;
    for (const auto& c : r.clocks)
      if (std::none_of(names.begin(), names.end(), [&](const auto& n) { return n.first == c.name; }))
        names.emplace_back(c.name, c.eps);
  }
  std::stable_sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
    auto rank = [](const std::string& n) { return n == "gen_over_fit" ? 2 : n == "t_rep" || n == "t_below" ? 1 : 0; };
    return rank(a.first) < rank(b.first);
  });
  for (const auto& n : names) out.clock_names.push_back(n.first);
  return names;
}

// The cells in order of first appearance with their axis values; returns each cell's runs.
std::vector<std::vector<const RunRecord*>> group_cells(const SweepSpec& spec, const std::vector<RunRecord>& runs,
                                                       std::vector<CellSummary>& cells) {
  std::vector<std::vector<const RunRecord*>> members;
  for (const auto& r : runs) {
    auto it = std::find_if(cells.begin(), cells.end(), [&](const CellSummary& c) { return c.cell == r.cell; });
    if (it == cells.end()) {
      CellSummary c;
      c.cell = r.cell;
      c.cell_index = r.cell_index;
      for (const auto& axis : spec.axes) {
        json v;
        for (const auto& [k, val] : r.axes)
          if (k == axis.key) v = val;
        c.values.push_back(v);
      }
      cells.push_back(std::move(c));
      members.emplace_back();
      it = cells.end() - 1;
    }
    members[static_cast<size_t>(it - cells.begin())].push_back(&r);
  }
  return members;
}

// A cell's counts, phase (the most frequent label), median test accuracy and clock statistics over its finished runs.
void summarize_cell(CellSummary& cell, const std::vector<const RunRecord*>& members, const ClockNames& names) {
  std::vector<double> acc;
  for (const RunRecord* r : members) {
    ++cell.n_runs;
    if (!is_finished_status(r->status)) continue;
    ++cell.n_finished;
    if (!r->phase.empty()) ++cell.phase_counts[r->phase];
    if (auto a = r->final_metric("acc_test"); a && std::isfinite(*a)) acc.push_back(*a);
    if (std::isnan(cell.lr)) {
      cell.lr = config_number(r->config, "optim", "lr");
      cell.weight_decay = config_number(r->config, "optim", "weight_decay");
    }
  }
  std::sort(acc.begin(), acc.end());
  cell.acc_test_median = censored_quantile(acc, 0.5);
  int best = 0;
  for (const char* label : {"grokking", "comprehension", "memorization", "confusion"}) {
    auto it = cell.phase_counts.find(label);
    if (it != cell.phase_counts.end() && it->second > best) best = it->second, cell.phase = label;
  }
  for (const auto& [name, eps] : names) {
    std::vector<double> steps, times;
    for (const RunRecord* r : members) {
      if (!is_finished_status(r->status)) continue;
      const ClockValue* c = r->clock(name);
      const bool fired = c && c->fired && std::isfinite(c->step);
      steps.push_back(fired ? c->step : kInf);
      times.push_back(fired && std::isfinite(c->time) ? c->time : kInf);
    }
    cell.clocks.push_back(stats_of(name, eps, steps, times));
  }
}

// A fit over eps: per cell, the median t_cls(eps) against ln(1/eps) (cells with fewer than two thresholds: none).
void fit_over_eps(const SweepSpec& spec, const FitSpec& fs_, const std::vector<CellSummary>& cells,
                  std::vector<FitResult>& fits) {
  const std::string unit = fs_.in_time ? "time" : "steps";
  for (const auto& cell : cells) {
    if (cell.n_finished == 0) continue;
    FitResult f;
    f.spec = fs_;
    f.cell = cell.cell;
    for (size_t a = 0; a < spec.axes.size(); ++a) f.group.emplace_back(spec.axes[a].key, cell.values[a]);
    f.x_name = "ln(1/eps)";
    f.y_name = "t_cls (" + unit + ")";
    for (const auto& c : cell.clocks) {
      if (c.clock.rfind("t_cls(", 0) != 0) continue;
      if (c.eps < fs_.x_min || c.eps > fs_.x_max) continue;
      const double y = fs_.in_time ? c.median_time : c.median;
      if (std::isnan(y)) {
        ++f.censored;
        continue;
      }
      f.x.push_back(c.eps);
      f.y.push_back(y);
      f.y_lo.push_back(fs_.in_time ? c.q25_time : c.q25);
      f.y_hi.push_back(fs_.in_time ? c.q75_time : c.q75);
    }
    if (f.x.size() + static_cast<size_t>(f.censored) < 2) continue;  // fewer than two thresholds
    fit_points(f);
    fits.push_back(std::move(f));
  }
}

// A new fit group of a fit over an axis; Lyu's t_gen against ln(alpha) gets the predicted slope 1/(lr wd).
FitResult new_axis_group(const FitSpec& fs_, const AxisSpec& axis, std::vector<std::pair<std::string, json>> group,
                         const CellSummary& cell, const std::vector<RunRecord>& runs) {
  const std::string unit = fs_.in_time ? "time" : "steps";
  FitResult f;
  f.spec = fs_;
  f.group = std::move(group);
  f.x_name = law_x_name(fs_.law, axis.label);
  f.y_name = (fs_.law == FitLaw::power ? "ln " : "") + fs_.clock +
             (fs_.clock == "gen_over_fit" ? std::string() : " (" + unit + ")");
  const bool lyu = fs_.law == FitLaw::log && axis.key == "model.init_scale" && fs_.clock == "t_gen";
  const json& cfg = [&]() -> const json& {
    static const json none;
    for (const auto& r : runs)
      if (r.cell == cell.cell && !r.config.is_null()) return r.config;
    return none;
  }();
  const bool decays = cfg.is_object() && cfg.contains("optim") &&
                      (cfg["optim"].value("kind", "") == "sgd" || cfg["optim"].value("kind", "") == "adamw");
  if (lyu && decays && cell.weight_decay > 0 && cell.lr > 0)
    f.predicted_slope = fs_.in_time ? 1.0 / cell.weight_decay : 1.0 / (cell.lr * cell.weight_decay);
  return f;
}

// A fit over an axis: one group per combination of the other axes' values, the cell medians against the axis.
void fit_over_axis(const SweepSpec& spec, const FitSpec& fs_, const AxisSpec& axis, const std::vector<RunRecord>& runs,
                   const std::vector<CellSummary>& cells, std::vector<FitResult>& fits) {
  const auto ax = static_cast<size_t>(&axis - spec.axes.data());
  std::vector<FitResult> groups;
  std::vector<std::string> group_keys;
  for (const auto& cell : cells) {
    if (cell.n_finished == 0) continue;
    std::string key;
    std::vector<std::pair<std::string, json>> group;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      if (a == ax) continue;
      key += cell.values[a].dump() + "\n";
      group.emplace_back(spec.axes[a].key, cell.values[a]);
    }
    auto it = std::find(group_keys.begin(), group_keys.end(), key);
    if (it == group_keys.end()) {
      groups.push_back(new_axis_group(fs_, axis, std::move(group), cell, runs));
      group_keys.push_back(key);
      it = group_keys.end() - 1;
    }
    FitResult& f = groups[static_cast<size_t>(it - group_keys.begin())];
    const double x = cell.values[ax].get<double>();
    if (x < fs_.x_min || x > fs_.x_max) continue;
    const ClockStats* c = cell.clock(fs_.clock);
    const double y = !c ? kNaN : fs_.in_time ? c->median_time : c->median;
    if (std::isnan(y)) {
      ++f.censored;
      continue;
    }
    f.x.push_back(x);
    f.y.push_back(y);
    f.y_lo.push_back(fs_.in_time ? c->q25_time : c->q25);
    f.y_hi.push_back(fs_.in_time ? c->q75_time : c->q75);
  }
  for (auto& f : groups) {
    fit_points(f);
    fits.push_back(std::move(f));
  }
}

}  // namespace

SweepAnalysis analyze(const SweepSpec& spec, const std::vector<RunRecord>& runs) {
  SweepAnalysis out;
  const ClockNames names = count_runs_and_clocks(runs, out);
  const auto members = group_cells(spec, runs, out.cells);
  for (size_t i = 0; i < out.cells.size(); ++i) summarize_cell(out.cells[i], members[i], names);
  std::sort(out.cells.begin(), out.cells.end(),
            [](const CellSummary& a, const CellSummary& b) { return a.cell_index < b.cell_index; });
  for (const FitSpec& fit : spec.effective_fits()) {
    if (fit.x == "eps")
      fit_over_eps(spec, fit, out.cells, out.fits);
    else if (const AxisSpec* axis = spec.find_axis(fit.x))
      fit_over_axis(spec, fit, *axis, runs, out.cells, out.fits);
  }
  return out;
}

namespace {
std::string num(double v) { return std::isnan(v) ? "" : fmt::format("{}", v); }
std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

void write_cells_csv(const fs::path& path, const SweepSpec& spec, const SweepAnalysis& a) {
  std::string out = "cell";
  for (const auto& axis : spec.axes) out += "," + csv_text(axis.key);
  out += ",n_runs,n_finished,phase,acc_test_median";
  for (const auto& c : a.clock_names)
    for (const char* s : {"_n_fired", "_median", "_q25", "_q75", "_min", "_max", "_median_time"})
      out += ',', out += csv_text(c + s);
  out += "\n";
  for (const auto& cell : a.cells) {
    out += csv_text(cell.cell);
    for (const auto& v : cell.values) out += ',', out += csv_text(v.is_string() ? v.get<std::string>() : v.dump());
    out += fmt::format(",{},{},{},{}", cell.n_runs, cell.n_finished, cell.phase, num(cell.acc_test_median));
    for (const auto& name : a.clock_names) {
      const ClockStats* c = cell.clock(name);
      if (!c) {
        out += ",,,,,,,";
        continue;
      }
      out += fmt::format(",{},{},{},{},{},{},{}", c->n_fired, num(c->median), num(c->q25), num(c->q75), num(c->min),
                         num(c->max), num(c->median_time));
    }
    out += "\n";
  }
  write_file_atomic(path, out);
}

void write_fits(const fs::path& csv_path, const fs::path& json_path, const SweepAnalysis& a) {
  std::string csv = "clock,x,law,unit,group,n,censored,slope,intercept,r2,predicted_slope,slope_over_predicted\n";
  json j = json::array();
  for (const auto& f : a.fits) {
    const std::string group = f.cell.empty() ? f.group_label() : f.cell;
    const double ratio = f.line.slope / f.predicted_slope;
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_text(f.spec.clock), csv_text(f.spec.x),
                       to_string(f.spec.law), f.spec.in_time ? "time" : "step", csv_text(group), f.line.n, f.censored,
                       num(f.line.slope), num(f.line.intercept), num(f.line.r2), num(f.predicted_slope), num(ratio));
    json jg = json::object();
    for (const auto& [k, v] : f.group) jg[k] = v;
    auto nullable = [](double v) { return std::isfinite(v) ? json(v) : json(); };
    json points = json::array();
    for (size_t i = 0; i < f.x.size(); ++i)
      points.push_back({{"x", f.x[i]}, {"y", f.y[i]}, {"y_q25", nullable(f.y_lo[i])}, {"y_q75", nullable(f.y_hi[i])}});
    j.push_back({{"clock", f.spec.clock}, {"x", f.spec.x}, {"law", to_string(f.spec.law)},
                 {"unit", f.spec.in_time ? "time" : "step"}, {"group", jg}, {"cell", f.cell},
                 {"x_name", f.x_name}, {"y_name", f.y_name}, {"n", f.line.n}, {"censored", f.censored},
                 {"slope", nullable(f.line.slope)}, {"intercept", nullable(f.line.intercept)},
                 {"r2", nullable(f.line.r2)}, {"predicted_slope", nullable(f.predicted_slope)},
                 {"slope_over_predicted", nullable(ratio)}, {"points", points}});
  }
  write_file_atomic(csv_path, csv);
  write_file_atomic(json_path, j.dump(2) + "\n");
}

}  // namespace grokscope::sweep
