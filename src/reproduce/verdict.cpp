// Verdict constructors and the series helpers of reproduce/verdict.h.
#include "grokscope/reproduce/verdict.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "grokscope/metrics/fits.h"

namespace grokscope::reproduce {

nlohmann::json to_json(const Verdict& v) {
  nlohmann::json j = {{"name", v.name}, {"prediction", v.prediction}, {"measured", v.measured}, {"pass", v.pass}};
  j["value"] = std::isfinite(v.value) ? nlohmann::json(v.value) : nlohmann::json(nullptr);
  j["expected"] = std::isfinite(v.expected) ? nlohmann::json(v.expected) : nlohmann::json(nullptr);
  return j;
}

std::string num(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const double a = std::abs(v);
  if (a != 0 && (a >= 1e5 || a < 1e-3)) return fmt::format("{:.4g}", v);
  return fmt::format("{:.4g}", v);
}

Verdict within_relative(std::string name, std::string prediction, double measured, double predicted, double rel_tol,
                        std::string unit) {
  Verdict v{std::move(name), std::move(prediction), "", false, measured, predicted};
  const double rel = std::abs(measured - predicted) / std::abs(predicted);
  v.pass = std::isfinite(rel) && rel <= rel_tol;
  const std::string u = unit.empty() ? "" : " " + unit;
  v.measured = fmt::format("{}{} vs predicted {}{}: relative error {} (tolerance {})", num(measured), u, num(predicted),
                           u, num(rel), num(rel_tol));
  return v;
}

Verdict at_least(std::string name, std::string prediction, double measured, double bound, std::string what) {
  Verdict v{std::move(name), std::move(prediction), "", !std::isnan(measured) && measured >= bound, measured, bound};
  v.measured = fmt::format("{}{} (needs >= {})", what.empty() ? "" : what + " = ", num(measured), num(bound));
  return v;
}

Verdict at_most(std::string name, std::string prediction, double measured, double bound, std::string what) {
  Verdict v{std::move(name), std::move(prediction), "", !std::isnan(measured) && measured <= bound, measured, bound};
  v.measured = fmt::format("{}{} (needs <= {})", what.empty() ? "" : what + " = ", num(measured), num(bound));
  return v;
}

Verdict missing(std::string name, std::string prediction, std::string why) {
  return Verdict{std::move(name), std::move(prediction), "not measurable: " + why, false, kNaN, kNaN};
}

int64_t first_crossing(const std::vector<double>& values, double threshold, bool below) {
  for (size_t i = 0; i < values.size(); ++i)
    if (below ? values[i] <= threshold : values[i] >= threshold) return static_cast<int64_t>(i);
  return -1;
}

int64_t settled_crossing(const std::vector<double>& values, double threshold, bool below) {
  int64_t start = -1;
  for (size_t i = 0; i < values.size(); ++i) {
    const bool in = below ? values[i] <= threshold : values[i] >= threshold;
    if (!in) start = -1;
    else if (start < 0) start = static_cast<int64_t>(i);
  }
  return start;
}

double crossing_x(const std::vector<double>& xs, const std::vector<double>& values, double threshold, bool below) {
  const int64_t i = first_crossing(values, threshold, below);
  return i < 0 || static_cast<size_t>(i) >= xs.size() ? kNaN : xs[static_cast<size_t>(i)];
}

double geometric_rate(const std::vector<double>& t, const std::vector<double>& d, double relative_floor) {
  double peak = 0.0;
  for (double v : d)
    if (std::isfinite(v)) peak = std::max(peak, std::abs(v));
  std::vector<double> x, y;
  for (size_t i = 0; i < d.size() && i < t.size(); ++i) {
    if (!std::isfinite(d[i]) || std::abs(d[i]) <= relative_floor * peak || std::abs(d[i]) == 0) continue;
    x.push_back(t[i]);
    y.push_back(std::log(std::abs(d[i])));
  }
  const metrics::LineFit f = metrics::fit_line(x, y);
  return f.ok ? std::exp(f.slope) : kNaN;
}

bool monotone_decreasing(std::vector<double> xs, std::vector<double> ys, bool strict) {
  std::vector<size_t> order(xs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return xs[a] < xs[b]; });
  for (size_t k = 1; k < order.size(); ++k) {
    const double prev = ys[order[k - 1]], cur = ys[order[k]];
    if (std::isnan(prev) || std::isnan(cur)) return false;
    if (strict ? !(cur < prev) : !(cur <= prev)) return false;
  }
  return true;
}

}  // namespace grokscope::reproduce
