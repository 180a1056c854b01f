// Verdict check of Musat's gradient orthogonality on the toy landscapes (MU-3, science.md §3.1 Fig. 3-4, §3.3
// Thm 4.14): along GD trajectories approaching the zero-loss set Z, |cos(grad L, T_{proj_Z theta})| < C dist_Z(theta)
// where Z has no singular points. Near a smooth point p of Z the tangential part of grad L is O(dist^2) and its
// normal part O(dist), so |cos| = C(p) dist + O(dist^2): a straight line through 0 on linear axes, slope 1 on log-log
// axes, with the slope C(p) = |t^T hess r(p) n| / |grad r(p)| computed by the instrument (theory/toy_landscape.h).
// At a singular point (grad r = 0) C is infinite and the bound need not hold. The runs are instrument = "landscape"
// sweeps: one run per landscape, one column group per start (theory/landscape_run.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"
#include "grokscope/metrics/fits.h"

namespace grokscope::reproduce {

std::vector<Verdict> mu3_verdicts(const std::vector<Mu3Series>& series, const Mu3Params& p) {
  std::vector<Verdict> out;
  for (const auto& s : series) {
    const std::string& tag = s.label;
    const size_t n = std::min({s.dist.size(), s.cos.size(), s.c_pred.size(), s.dist_sing.size()});
    if (n < 2) {
      out.push_back(missing("linear " + tag, "|cos(grad L, T_Z)| falls linearly with dist_Z", "no rows"));
      continue;
    }
    // Singular end: the projection is as close to a singular point as theta is to Z.
    const double d_end = s.dist[n - 1], sing_end = s.dist_sing[n - 1];
    if (std::isfinite(sing_end) && sing_end <= p.singular_factor * d_end) {
      const bool approached = d_end <= 0.1 * s.dist[0];
      Verdict v = at_least("singular_no_bound " + tag,
                           fmt::format("at a singular point of Z (excluded by Thm 4.14) no bound |cos| < C dist holds: "
                                       "|cos| stays >= {} while dist falls >= 10x",
                                       num(p.min_singular_cos)),
                           approached ? s.cos[n - 1] : kNaN, p.min_singular_cos,
                           fmt::format("dist {} -> {}, |cos| {} -> {}, |cos|/dist at the end {}", num(s.dist[0]),
                                       num(d_end), num(s.cos[0]), num(s.cos[n - 1]), num(s.cos[n - 1] / d_end)));
      out.push_back(std::move(v));
      continue;
    }
    std::vector<double> x, y, lx, ly;
    double c_last = kNaN;
    for (size_t i = 0; i < n; ++i) {
      if (!(s.dist[i] >= p.fit_lo && s.dist[i] <= p.fit_hi) || !std::isfinite(s.cos[i])) continue;
      x.push_back(s.dist[i]);
      y.push_back(s.cos[i]);
      c_last = s.c_pred[i];
      if (s.cos[i] > 0.0) lx.push_back(std::log(s.dist[i])), ly.push_back(std::log(s.cos[i]));
    }
    const std::string window = fmt::format("{} rows with dist in [{}, {}]", x.size(), num(p.fit_lo), num(p.fit_hi));
    if (x.size() < 5) {
      out.push_back(missing("linear " + tag, "|cos| falls linearly with dist_Z", "fewer than 5 " + window));
      continue;
    }
    if (c_last <= p.zero_tol) {
      // C = 0: the gradient is exactly normal to Z (a straight Z, or a symmetric approach).
      double worst = 0.0;
      for (size_t i = 0; i < n; ++i)
        if (std::isfinite(s.cos[i])) worst = std::max(worst, s.cos[i]);
      out.push_back(at_most("normal_gradient " + tag,
                            fmt::format("C = 0 here (Z straight, or approached symmetrically): grad L is normal to Z, "
                                        "max |cos| over every row <= {}",
                                        num(p.zero_tol)),
                            worst, p.zero_tol, "max |cos|"));
      continue;
    }
    const metrics::LineFit lin = metrics::fit_line(x, y);
    const metrics::LineFit log = metrics::fit_line(lx, ly);
    const double x_max = *std::max_element(x.begin(), x.end());
    out.push_back(at_least("linear " + tag,
                           fmt::format("|cos| = slope dist + intercept over the approach: R^2 >= {}", num(p.min_r2)),
                           lin.r2, p.min_r2, fmt::format("R^2 over {}", window)));
    out.push_back(at_most("through_zero " + tag,
                          fmt::format("the line goes through 0: |intercept| <= {} x slope x max dist",
                                      num(p.intercept_tol)),
                          std::abs(lin.intercept) / (std::abs(lin.slope) * x_max), p.intercept_tol,
                          fmt::format("intercept {}, slope {}: |intercept| / (slope x {})", num(lin.intercept),
                                      num(lin.slope), num(x_max))));
    out.push_back(within_relative("power_one " + tag,
                                  fmt::format("log-log slope of |cos| against dist = 1 (tolerance {})",
                                              num(p.exponent_tol)),
                                  log.slope, 1.0, p.exponent_tol));
    out.push_back(within_relative("slope_c " + tag,
                                  fmt::format("slope = C(proj_Z) = |t' hess r n| / |grad r| = {} (relative "
                                              "tolerance {})",
                                              num(c_last), num(p.slope_tol)),
                                  lin.slope, c_last, p.slope_tol));
  }
  return out;
}

namespace detail {

namespace {
std::string kind_of(const RunData& run) {
  std::string label = run_label(run);
  const size_t eq = label.find('=');
  return eq == std::string::npos ? label : label.substr(eq + 1);
}

// The zero-loss set of a landscape as parametric gnuplot curves (set parametric is on), or "" when unknown.
std::string zero_set_curves(const std::string& kind) {
  const std::string z = " with lines lc rgb '#7f7f7f' lw 2";
  if (kind == "parabola") return "t, t**2" + z + " title 'Z'";
  if (kind == "curved") return "exp(t/2), exp(-t/2)" + z + " title 'Z', -exp(t/2), -exp(-t/2)" + z + " notitle";
  if (kind == "singular") return "t, 0" + z + " title 'Z', 0, t" + z + " notitle";
  if (kind == "leaky_relu") return "1 + t, 1 - t" + z + " title 'Z'";
  return "";
}
}  // namespace

CheckOutput check_mu3(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  std::vector<Mu3Series> series;
  struct Drawn {
    std::string kind;
    std::vector<std::string> files;
  };
  std::vector<Drawn> drawn;
  for (const auto& run : in.runs) {
    const std::string kind = kind_of(run);
    Drawn d{kind, {}};
    for (int k = 0;; ++k) {
      const auto dist = run.column(fmt::format("dist_s{}", k));
      if (dist.empty()) break;
      Mu3Series s;
      s.label = fmt::format("{}/s{}", kind, k);
      s.step = steps(run);
      s.dist = dist;
      s.cos = run.column(fmt::format("cos_s{}", k));
      s.c_pred = run.column(fmt::format("c_pred_s{}", k));
      s.dist_sing = run.column(fmt::format("dist_sing_s{}", k));
      const auto t1 = run.column(fmt::format("theta1_s{}", k)), t2 = run.column(fmt::format("theta2_s{}", k));
      if (!t1.empty() && !s.cos.empty())
        out.measured.push_back(fmt::format(
            "{}: theta ({}, {}) -> ({}, {}) in {} steps; dist {} -> {}, |cos| {} -> {}, C(proj) at the end {}", s.label,
            num(t1.front()), num(t2.front()), num(t1.back()), num(t2.back()), num(s.step.back()), num(dist.front()),
            num(dist.back()), num(s.cos.front()), num(s.cos.back()), num(s.c_pred.back())));
      if (figs && !t1.empty()) {
        const std::string file = fmt::format("mu3_{}_s{}.dat", kind, k);
        figs->data(file, columns_text({"step", "dist", "cos", "c_pred", "theta1", "theta2"},
                                      {s.step, s.dist, s.cos, s.c_pred, t1, t2}));
        d.files.push_back(file);
      }
      series.push_back(std::move(s));
    }
    drawn.push_back(std::move(d));
  }
  Mu3Params p;
  p.fit_lo = in.param("fit_lo", p.fit_lo);
  p.fit_hi = in.param("fit_hi", p.fit_hi);
  p.min_r2 = in.param("min_r2", p.min_r2);
  p.intercept_tol = in.param("intercept_tol", p.intercept_tol);
  p.exponent_tol = in.param("exponent_tol", p.exponent_tol);
  p.slope_tol = in.param("slope_tol", p.slope_tol);
  p.zero_tol = in.param("zero_tol", p.zero_tol);
  p.singular_factor = in.param("singular_factor", p.singular_factor);
  p.min_singular_cos = in.param("min_singular_cos", p.min_singular_cos);
  out.verdicts = mu3_verdicts(series, p);
  if (!figs) return out;

  for (const auto& d : drawn) {
    if (d.files.empty()) continue;
    std::string cos = fmt::format(
        "set logscale xy\nset format x '10^{{%L}}'\nset format y '10^{{%L}}'\nset xlabel 'dist_Z(θ)'\n"
        "set ylabel '|cos(∇L, T_Z)|'\nset key bottom right\nset xrange [1e-14:*]\nset yrange [1e-17:2]\n"
        "set object 1 rect from {},1e-17 to {},2 fc rgb '#eeeeee' behind\nplot ",
        plot::gp_num(p.fit_lo), plot::gp_num(p.fit_hi));
    std::string path = "set parametric\nset trange [-4:4]\nset xlabel 'θ1'\nset ylabel 'θ2'\nset size ratio -1\n"
                       "set key outside right\nset xrange [-2.5:3.5]\nset yrange [-2.5:3.5]\nplot " +
                       zero_set_curves(d.kind);
    for (size_t k = 0; k < d.files.size(); ++k) {
      cos += fmt::format("{}'{}' using 2:($3+1e-17) with lines lt {} lw 2 title 's{}', '' using 2:($4*$2) with lines "
                         "lt {} dt 2 title 's{}: C(proj) dist'",
                         k ? ", " : "", d.files[k], k + 1, k, k + 1, k);
      path += fmt::format(", '{}' using 5:6 with linespoints lt {} pt 7 ps 0.4 title 's{}'", d.files[k], k + 1, k);
    }
    figs->figure("mu3_cos_" + d.kind,
                 fmt::format("MU-3 {}: |cos| between grad L and the tangent of Z at the projection, against dist_Z, "
                             "per start (solid), and the predicted C(proj) dist (dashed); grey: the fit window",
                             d.kind),
                 cos + "\n");
    figs->figure("mu3_path_" + d.kind,
                 fmt::format("MU-3 {}: the GD paths (dots: recorded steps) and the zero-loss set Z (grey)", d.kind),
                 path + "\n", 800, 700);
  }
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
