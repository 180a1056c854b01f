// Verdict check of Musat's toy 1+1+1=3 (MU-2, science.md §3.1, Fig. 2): one training sample x = (1, ..., 1) in R^N,
// y = N, a linear model y_hat = <w, x>, squared loss (<w, x> - y)^2 and PyTorch's coupled weight decay wd. The loss
// gradient 2 (<w, x> - y) x is parallel to x, so the component of w orthogonal to x (its offset from the diagonal)
// obeys exactly
//   P w_{t+1} = (1 - eta wd) P w_t,        P = I - x x^T / |x|^2,
// while <w, x> reaches the zero-loss plane <w, x> = y within a few steps. From any init the path therefore goes to
// the plane first and then along a straight line (P w keeps its direction) to the min-norm point of the regularized
// loss, w* = 2y / (2|x|^2 + wd) x (for N = 3: 6 / (6 + wd) (1, 1, 1)).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

namespace {

// Per step: distance to the plane |<w, x> - y| / |x| and the orthogonal component P w, for x = 1_N, y = N.
struct PlaneGeometry {
  std::vector<double> dist_plane, signed_plane, dist_level, dist_min_norm, orth_norm;
  std::vector<std::vector<double>> orth;   // P w_t
};

PlaneGeometry geometry(const std::vector<std::vector<double>>& w, double w_star) {
  PlaneGeometry g;
  const size_t n_dim = w.size(), n = n_dim ? w[0].size() : 0;
  const double norm_x = std::sqrt(static_cast<double>(n_dim)), y = static_cast<double>(n_dim);
  for (size_t t = 0; t < n; ++t) {
    double s = 0.0;
    for (size_t k = 0; k < n_dim; ++k) s += w[k][t];
    const double mean = s / static_cast<double>(n_dim);
    std::vector<double> orth(n_dim);
    double orth2 = 0.0, star2 = 0.0;
    for (size_t k = 0; k < n_dim; ++k) {
      orth[k] = w[k][t] - mean;
      orth2 += orth[k] * orth[k];
      star2 += (w[k][t] - w_star) * (w[k][t] - w_star);
    }
    g.dist_plane.push_back(std::abs(s - y) / norm_x);
    g.signed_plane.push_back((s - y) / norm_x);
    g.dist_level.push_back(std::abs(s - w_star * static_cast<double>(n_dim)) / norm_x);   // plane through w*
    g.dist_min_norm.push_back(std::sqrt(star2));
    g.orth_norm.push_back(std::sqrt(orth2));
    g.orth.push_back(std::move(orth));
  }
  return g;
}

}  // namespace

std::vector<Verdict> mu2_verdicts(const std::vector<Mu2Series>& series, double rate_tol, double path_tol,
                                  double end_tol, double straight_tol, double min_ratio) {
  std::vector<Verdict> out;
  for (const auto& s : series) {
    const std::string& tag = s.label;
    const size_t n_dim = s.w.size(), n = n_dim ? std::min(s.step.size(), s.w[0].size()) : 0;
    if (n < 3 || n_dim < 2) {
      out.push_back(missing("decay_rate " + tag, "the offset from the diagonal decays at 1 - eta wd per step",
                            "no trajectory.csv with w1[k] columns"));
      continue;
    }
    const double y = static_cast<double>(n_dim), x2 = static_cast<double>(n_dim);
    const double c_star = 2.0 * y / (2.0 * x2 + s.weight_decay);
    const PlaneGeometry g = geometry(s.w, c_star);
    const double predicted = s.lr * s.weight_decay;
    out.push_back(within_relative("decay_rate " + tag,
                                  fmt::format("1 - rate of |P w| per step = eta wd (relative tolerance {})",
                                              num(rate_tol)),
                                  1.0 - geometric_rate(s.step, g.orth_norm, 1e-9), predicted, rate_tol));
    double worst = 0.0;
    for (size_t t = 0; t < n; ++t) {
      const double f = std::pow(1.0 - predicted, s.step[t]);
      double d2 = 0.0;
      for (size_t k = 0; k < n_dim; ++k) d2 += std::pow(g.orth[t][k] - f * g.orth[0][k], 2);
      worst = std::max(worst, std::sqrt(d2));
    }
    out.push_back(at_most("closed_form " + tag, "P w_t = (1 - eta wd)^t P w_0 at every step (P: off the diagonal)",
                          worst, path_tol, "max |deviation|"));
    double end_err = 0.0;
    for (size_t k = 0; k < n_dim; ++k) end_err = std::max(end_err, std::abs(s.w[k][n - 1] - c_star));
    out.push_back(at_most("min_norm_end " + tag,
                          fmt::format("w ends at the min-norm point 2N/(2N + wd) (1, ..., 1) = {} (1, ..., 1)",
                                      num(c_star)),
                          end_err, end_tol, "max |w - w*|"));
    const int64_t i_fit = detail::settle_index(g.dist_plane, std::abs(c_star * x2 - y) / std::sqrt(x2), 0.01);
    const int64_t i_rule = detail::settle_index(g.orth_norm, 0.0, 0.01);
    const double t_fit = i_fit < 0 ? kNaN : s.step[static_cast<size_t>(i_fit)];
    const double t_rule = i_rule < 0 ? kNaN : s.step[static_cast<size_t>(i_rule)];
    out.push_back(at_least("plane_first " + tag,
                           fmt::format("the plane is reached (distance within 1% of its limit) long before the "
                                       "min-norm point (|P w| within 1% of 0): ratio >= {}", num(min_ratio)),
                           t_rule / std::max(t_fit, 1.0), min_ratio,
                           fmt::format("t_rule / t_fit = {} / {}", num(t_rule), num(t_fit))));
    // Straight segment once on the plane (its distance within 1e-9 of the initial one, so that the fast component
    // along x no longer bends the path): the largest distance of w_t from the line through that point and w*,
    // relative to the segment's length.
    const int64_t i_on = detail::settle_index(g.dist_plane, std::abs(c_star * x2 - y) / std::sqrt(x2), 1e-9);
    double bend = kNaN;
    if (i_on >= 0) {
      const size_t a = static_cast<size_t>(i_on);
      std::vector<double> dir(n_dim);
      double len2 = 0.0;
      for (size_t k = 0; k < n_dim; ++k) dir[k] = c_star - s.w[k][a], len2 += dir[k] * dir[k];
      const double len = std::sqrt(len2);
      bend = 0.0;
      if (len > 0.0) {
        for (size_t t = a; t < n; ++t) {
          double along = 0.0;
          for (size_t k = 0; k < n_dim; ++k) along += (s.w[k][t] - s.w[k][a]) * dir[k] / len;
          double off2 = 0.0;
          for (size_t k = 0; k < n_dim; ++k) off2 += std::pow(s.w[k][t] - s.w[k][a] - along * dir[k] / len, 2);
          bend = std::max(bend, std::sqrt(off2) / len);
        }
      }
    }
    out.push_back(at_most("straight_to_min_norm " + tag,
                          "on the plane, w moves on a straight line to the min-norm point (largest distance from "
                          "that line / segment length)",
                          bend, straight_tol, fmt::format("from step {}: max relative distance",
                                                          num(i_on < 0 ? kNaN : s.step[static_cast<size_t>(i_on)]))));
  }
  return out;
}

namespace detail {

CheckOutput check_mu2(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  std::vector<Mu2Series> series;
  for (const auto& run : in.runs) {
    Mu2Series s;
    s.label = run_label(run);
    s.lr = run.config_number("optim.lr");
    s.weight_decay = run.config_number("optim.weight_decay");
    const int cs = run.trajectory.find("step");
    if (cs >= 0) s.step = run.trajectory.values[static_cast<size_t>(cs)];
    for (int k = 0;; ++k) {
      const int c = run.trajectory.find(fmt::format("w1[{}]", k));
      if (c < 0) break;
      s.w.push_back(run.trajectory.values[static_cast<size_t>(c)]);
    }
    if (!s.w.empty() && !s.w[0].empty()) {
      std::string start, end;
      for (size_t k = 0; k < s.w.size(); ++k) {
        start += fmt::format("{}{}", k ? ", " : "", num(s.w[k].front()));
        end += fmt::format("{}{}", k ? ", " : "", num(s.w[k].back()));
      }
      out.measured.push_back(fmt::format("{}: wd={}, eta={}: ({}) -> ({}) after {} steps", s.label,
                                         num(s.weight_decay), num(s.lr), start, end, num(s.step.back())));
    }
    series.push_back(std::move(s));
  }
  out.verdicts = mu2_verdicts(series, in.param("rate_tol", 1e-6), in.param("path_tol", 1e-9),
                              in.param("end_tol", 1e-3), in.param("straight_tol", 1e-6), in.param("min_ratio", 5));
  if (!figs) return out;

  std::string dist = "set logscale y\nset format y '10^{%L}'\nset xlabel 'step'\nset ylabel 'distance'\n"
                     "set key top right\nplot ";
  std::string plane = "set xlabel 'distance to the min-norm point w*'\n"
                      "set ylabel 'signed distance to the plane w1 + w2 + w3 = 3'\nset key top left\n"
                      "plot 0 dt 2 lc rgb '#7f7f7f' title 'zero-loss plane'";
  bool any = false;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    if (s.w.size() < 2 || s.w[0].empty()) continue;
    const double n_dim = static_cast<double>(s.w.size());
    const PlaneGeometry g = geometry(s.w, 2.0 * n_dim / (2.0 * n_dim + s.weight_decay));
    std::vector<double> step(s.step.begin(), s.step.begin() + static_cast<std::ptrdiff_t>(g.dist_plane.size()));
    const std::string file = fmt::format("mu2_{}.dat", i);
    figs->data(file, columns_text({"step", "dist_plane", "dist_min_norm", "orth_norm", "signed_plane", "dist_level"},
                                  {step, g.dist_plane, g.dist_min_norm, g.orth_norm, g.signed_plane, g.dist_level}));
    dist += fmt::format("{}'{}' using 1:($6+1e-17) with lines lt {} title '{} to the plane', '' using 1:3 with lines "
                        "lt {} dt 2 title '{} to w*'",
                        any ? ", " : "", file, i + 1, s.label, i + 1, s.label);
    plane += fmt::format(", '{}' using 3:5 with linespoints lt {} pt 7 ps 0.4 title '{}'", file, i + 1, s.label);
    any = true;
  }
  if (!any) return out;
  figs->figure("mu2_distances", "MU-2: distance to the plane through w* parallel to the zero-loss plane (solid: "
                                "reached in ~20 steps) and to the min-norm point w* (dashed: rate 1 - eta wd) against "
                                "step, for each init",
               dist + "\n");
  figs->figure("mu2_path", "MU-2: the path in (distance to w*, signed distance to the zero-loss plane): onto the "
                           "plane within a few steps, then along it to w* (which sits just below the plane: weight "
                           "decay shrinks it to 6/(6 + wd) (1, 1, 1))",
               plane + "\n");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
