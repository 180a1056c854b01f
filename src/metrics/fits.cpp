// Least-squares fits and threshold clocks (see metrics/fits.h).
#include "grokscope/metrics/fits.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "check.h"

namespace grokscope::metrics {

namespace {
void check_sizes(const char* fn, size_t nx, size_t ny) {
  if (nx != ny) detail::fail(fn, "x has {} points but y has {}", nx, ny);
}

// OLS on the points already filtered; `skipped` is carried into the result.
LineFit ols(const std::vector<double>& x, const std::vector<double>& y, int64_t skipped) {
  LineFit f;
  f.skipped = skipped;
  f.n = static_cast<int64_t>(x.size());
  if (f.n == 0) return f;
  double mx = 0.0, my = 0.0;
  f.x_lo = f.x_hi = x[0];
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
    f.x_lo = std::min(f.x_lo, x[i]);
    f.x_hi = std::max(f.x_hi, x[i]);
  }
  mx /= static_cast<double>(f.n);
  my /= static_cast<double>(f.n);
  double sxx = 0.0, sxy = 0.0, syy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0.0)) return f;  // fewer than two distinct x
  f.ok = true;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  double ss_res = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double r = (y[i] - my) - f.slope * (x[i] - mx);
    ss_res += r * r;
  }
  f.r2 = syy > 0.0 ? 1.0 - ss_res / syy : std::numeric_limits<double>::quiet_NaN();
  return f;
}

// Collects (fx(x), fy(y)) for points with lo <= x <= hi; a non-finite transformed pair is skipped and counted.
template <class FX, class FY>
LineFit fit_transformed(std::span<const double> x, std::span<const double> y, double lo, double hi, FX fx, FY fy) {
  std::vector<double> xs, ys;
  int64_t skipped = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] >= lo && x[i] <= hi)) continue;
    const double u = fx(x[i]), v = fy(y[i]);
    if (!std::isfinite(u) || !std::isfinite(v)) {
      ++skipped;
      continue;
    }
    xs.push_back(u);
    ys.push_back(v);
  }
  return ols(xs, ys, skipped);
}

double identity(double v) { return v; }
double log_positive(double v) { return v > 0.0 ? std::log(v) : std::numeric_limits<double>::quiet_NaN(); }
}  // namespace

LineFit fit_line(std::span<const double> x, std::span<const double> y) {
  check_sizes("fit_line", x.size(), y.size());
  const double inf = std::numeric_limits<double>::infinity();
  return fit_transformed(x, y, -inf, inf, identity, identity);
}

LineFit fit_line_window(std::span<const double> x, std::span<const double> y, double x_lo, double x_hi) {
  check_sizes("fit_line_window", x.size(), y.size());
  return fit_transformed(x, y, x_lo, x_hi, identity, identity);
}

FastClockFit fit_fast_clock(std::span<const double> t, std::span<const double> loss, double t_fit, double t_end) {
  check_sizes("fit_fast_clock", t.size(), loss.size());
  FastClockFit f;
  f.line = fit_transformed(t, loss, t_fit, t_end, identity, log_positive);
  if (f.line.ok) f.nu = -f.line.slope;
  return f;
}

PowerLawFit fit_power_law(std::span<const double> t, std::span<const double> s, double t0, double t_lo,
                          double t_hi) {
  check_sizes("fit_power_law", t.size(), s.size());
  PowerLawFit f;
  f.line = fit_transformed(
      t, s, t_lo, t_hi, [t0](double v) { return log_positive(v - t0); }, log_positive);
  if (!f.line.ok) return f;
  f.exponent = f.line.slope;
  f.prefactor = std::exp(f.line.intercept);
  if (f.exponent < 0.0) f.kl_theta = 0.5 * (1.0 - 1.0 / f.exponent);
  return f;
}

StructuralClock structural_clock(std::span<const double> t, std::span<const double> s, double eta, int hold) {
  check_sizes("structural_clock", t.size(), s.size());
  if (hold < 1) detail::fail("structural_clock", "hold = {} must be >= 1", hold);
  StructuralClock c;
  if (t.empty()) return c;
  c.t_last = t.back();
  int64_t run = 0;  // length of the current run of S <= eta
  for (size_t i = 0; i < s.size(); ++i) {
    run = (s[i] <= eta) ? run + 1 : 0;  // false for NaN
    if (run == hold) {
      const size_t first = i + 1 - static_cast<size_t>(hold);
      c.fired = true;
      c.index = static_cast<int64_t>(first);
      c.t = t[first];
      if (first > 0) c.t_prev = t[first - 1];
      return c;
    }
  }
  return c;
}

}  // namespace grokscope::metrics
