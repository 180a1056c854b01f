// Sweep figures: clocks against axes, fits, phase diagrams (see plot/sweep_figures.h).
#include "grokscope/plot/sweep_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "grokscope/sweep/grid.h"

namespace grokscope::plot {

using nlohmann::json;
using sweep::CellSummary;
using sweep::SweepData;

namespace {

constexpr size_t kMaxSeries = 6;

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string clock_color(const std::string& clock) {
  if (clock == "t_fit") return "#1f77b4";
  if (clock == "t_gen") return "#2ca02c";
  if (clock == "t_rep") return "#9467bd";
  if (clock == "t_below") return "#8c564b";
  return "#ff7f0e";
}

// Cells grouped by the values of every axis but `skip` (several axes may be skipped), in grid order.
std::vector<std::vector<const CellSummary*>> group_cells(const SweepData& d, const std::vector<size_t>& skip) {
  std::vector<std::string> keys;
  std::vector<std::vector<const CellSummary*>> groups;
  for (const auto& cell : d.analysis.cells) {
    std::string key;
    for (size_t a = 0; a < cell.values.size(); ++a)
      if (std::find(skip.begin(), skip.end(), a) == skip.end()) key += cell.values[a].dump() + "\n";
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      keys.push_back(key);
      groups.emplace_back();
      it = keys.end() - 1;
    }
    groups[static_cast<size_t>(it - keys.begin())].push_back(&cell);
  }
  return groups;
}

std::string group_label(const SweepData& d, const CellSummary& cell, const std::vector<size_t>& skip) {
  std::string s;
  for (size_t a = 0; a < cell.values.size(); ++a)
    if (std::find(skip.begin(), skip.end(), a) == skip.end())
      s += (s.empty() ? "" : ", ") + d.spec.axes[a].label + "=" + sweep::value_label(cell.values[a]);
  return s;
}

// Explicit 1-2-5 tics for a log axis that spans fewer than three decades (gnuplot would label only the decades).
std::string log_tics(const char* axis, const std::vector<double>& v) {
  double lo = INFINITY, hi = 0;
  for (double x : v)
    if (std::isfinite(x) && x > 0) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!(hi > 0) || hi / lo >= 1000) return "";
  std::string tics;
  for (double decade = std::pow(10.0, std::floor(std::log10(lo))); decade <= hi * 10; decade *= 10)
    for (double m : {1.0, 2.0, 5.0}) {
      const double t = m * decade;
      if (t >= lo / 2.5 && t <= hi * 2.5) tics += fmt::format("{}{:g}", tics.empty() ? "" : ", ", t);
    }
  return fmt::format("set {}tics ({})\n", axis, tics);
}

bool wants_log(const std::vector<double>& v, double ratio) {
  double lo = INFINITY, hi = 0;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    if (x <= 0) return false;
    lo = std::min(lo, x), hi = std::max(hi, x);
  }
  return hi > 0 && hi / lo >= ratio;
}

void clocks_vs_axis(const SweepData& d, size_t ax, FigureSet& set, DrawnFigures& out) {
  const auto& axis = d.spec.axes[ax];
  std::vector<std::string> clocks;
  for (const char* c : {"t_fit", "t_gen", "t_rep", "t_below"})
    if (std::find(d.analysis.clock_names.begin(), d.analysis.clock_names.end(), c) != d.analysis.clock_names.end())
      clocks.push_back(c);
  if (clocks.empty()) return;
  auto groups = group_cells(d, {ax});
  if (groups.size() > kMaxSeries) {
    out.notes.push_back(fmt::format("clocks_vs_{}: {} groups of the other axes, the first {} drawn", axis.label,
                                    groups.size(), kMaxSeries));
    groups.resize(kMaxSeries);
  }
  const std::string stem = "clocks_vs_" + sanitize(axis.label);
  std::string data, runs_data, plot, runs_plot;
  std::vector<double> xs, ys;
  int block = 0;
  for (size_t c = 0; c < clocks.size(); ++c) {
    for (size_t g = 0; g < groups.size(); ++g) {
      data += fmt::format("# {} {}\n", clocks[c], group_label(d, *groups[g][0], {ax}));
      for (const CellSummary* cell : groups[g]) {
        const auto* s = cell->clock(clocks[c]);
        const double x = cell->values[ax].get<double>();
        xs.push_back(x);
        if (s) ys.push_back(s->median);
        data += fmt::format("{} {} {} {}\n", gp_num(x), gp_num(s ? s->median : NAN), gp_num(s ? s->q25 : NAN),
                            gp_num(s ? s->q75 : NAN));
      }
      data += "\n\n";
      std::string title = clocks[c] + " median";
      if (groups.size() > 1) title += " (" + group_label(d, *groups[g][0], {ax}) + ")";
      plot += fmt::format("{}'{}.dat' index {} using 1:2:3:4 with yerrorlines lc rgb '{}' lw 2 dt {} pt {} ps 1.1 "
                          "title {}",
                          plot.empty() ? "plot " : ", ", stem, block++, clock_color(clocks[c]), g + 1, 7 + 2 * g,
                          gp_quote(title));
    }
    runs_data += "# " + clocks[c] + "\n";
    bool any_run = false;
    for (const auto& r : d.runs) {
      const auto* v = r.clock(clocks[c]);
      if (!sweep::is_finished_status(r.status) || !v || !v->fired) continue;
      for (const auto& [k, val] : r.axes)
        if (k == axis.key && val.is_number()) {
          runs_data += fmt::format("{} {}\n", gp_num(val.get<double>()), gp_num(v->step));
          any_run = true;
        }
    }
    if (!any_run) runs_data += "NaN NaN\n";
    runs_data += "\n\n";
    runs_plot += fmt::format(", '{}_runs.dat' index {} using 1:2 with points pt 6 ps 0.7 lc rgb '#70{}' title {}", stem,
                             c, clock_color(clocks[c]).substr(1), gp_quote(c == 0 ? "single runs" : ""));
  }
  plot += runs_plot;
  if (std::none_of(ys.begin(), ys.end(), [](double y) { return std::isfinite(y); }))
    return out.notes.push_back(stem + ": no clock fired in more than half of the runs of any cell");
  set.data(stem + ".dat", data);
  set.data(stem + "_runs.dat", runs_data);
  std::string b = fmt::format("set title {} noenhanced\n",
                              gp_quote(fmt::format("Clocks against {} — sweep {} (median over seeds, bars: quartiles)",
                                                   axis.label, d.spec.name)));
  b += fmt::format("set xlabel {} noenhanced\nset ylabel 'step'\nset key outside right top noenhanced\n",
                   gp_quote(axis.label + " (" + axis.key + ")"));
  if (axis.scale == sweep::AxisScale::log || wants_log(xs, 8)) b += "set logscale x\n" + log_tics("x", xs);
  if (wants_log(ys, 5)) b += "set logscale y\n" + log_tics("y", ys);
  b += "set autoscale fix\nset offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08\n" + plot + "\n";
  set.figure(stem, fmt::format("Clocks against {} (median over seeds; bars: quartiles; circles: single runs).",
                               axis.key),
             b, 1100, 600);
}

void fit_figure(const SweepData& d, const sweep::FitSpec& spec, int n, FigureSet& set, DrawnFigures& out) {
  std::vector<const sweep::FitResult*> fits;   // the groups with a fitted line
  bool any = false;
  for (const auto& f : d.analysis.fits)
    if (f.spec.clock == spec.clock && f.spec.x == spec.x && f.spec.law == spec.law && f.spec.in_time == spec.in_time) {
      any = true;
      if (f.line.ok) fits.push_back(&f);
    }
  const std::string stem = fmt::format("fit_{}_{}_vs_{}", n, sanitize(spec.clock),
                                       sanitize(spec.x == "eps" ? "eps" : d.spec.find_axis(spec.x)->label));
  if (!any) return;
  if (fits.empty()) return out.notes.push_back(stem + ": no fit (fewer than two points with a finite median clock)");
  if (fits.size() > kMaxSeries) {
    out.notes.push_back(fmt::format("{}: {} fits, the first {} drawn", stem, fits.size(), kMaxSeries));
    fits.resize(kMaxSeries);
  }
  std::string data, plot;
  int block = 0, drawn = 0;
  std::string keys;
  for (size_t g = 0; g < fits.size(); ++g) {
    const auto& f = *fits[g];
    data += "# points: x' y' y'_q25 y'_q75 (" + f.group_label() + ")\n";
    for (size_t i = 0; i < f.x.size(); ++i)
      data += fmt::format("{} {} {} {}\n", gp_num(sweep::law_x(f.spec.law, f.x[i])), gp_num(sweep::law_y(f.spec.law, f.y[i])),
                          gp_num(sweep::law_y(f.spec.law, f.y_lo[i])), gp_num(sweep::law_y(f.spec.law, f.y_hi[i])));
    if (f.x.empty()) data += "NaN NaN NaN NaN\n";
    data += "\n\n# fitted line\n";
    if (!f.line.ok) data += "NaN NaN\n";
    if (f.line.ok)
      for (double x : {f.line.x_lo, f.line.x_hi}) data += fmt::format("{} {}\n", gp_num(x), gp_num(f.line.intercept + f.line.slope * x));
    data += "\n\n# predicted slope through the mean of the points\n";
    if (!(f.line.ok && std::isfinite(f.predicted_slope))) data += "NaN NaN\n";
    if (f.line.ok && std::isfinite(f.predicted_slope)) {
      double mx = 0, my = 0;
      for (size_t i = 0; i < f.x.size(); ++i) mx += sweep::law_x(f.spec.law, f.x[i]), my += sweep::law_y(f.spec.law, f.y[i]);
      mx /= static_cast<double>(f.x.size()), my /= static_cast<double>(f.x.size());
      for (double x : {f.line.x_lo, f.line.x_hi}) data += fmt::format("{} {}\n", gp_num(x), gp_num(my + f.predicted_slope * (x - mx)));
    }
    data += "\n\n";
    const std::string group = f.group_label();
    const std::string color = fmt::format("lt {}", g + 1);
    plot += fmt::format("{}'{}.dat' index {} using 1:2:3:4 with yerrorbars {} pt 7 ps 1.2 title {}", plot.empty() ? "plot " : ", ",
                        stem, block, color, gp_quote(group.empty() ? "cells (median over seeds)" : group));
    if (f.line.ok) {
      std::string fit_text = fmt::format("slope {}, R² {:.3f}, n {}", short_num(f.line.slope), f.line.r2, f.line.n);
      if (f.censored) fit_text += fmt::format(" ({} censored)", f.censored);
      plot += fmt::format(", '' index {} using 1:2 with lines {} lw 2 title {}", block + 1, color, gp_quote(fit_text));
      ++drawn;
    }
    if (f.line.ok && std::isfinite(f.predicted_slope))
      plot += fmt::format(", '' index {} using 1:2 with lines {} lw 1.5 dt 2 title {}", block + 2, color,
                          gp_quote(fmt::format("Lyu: slope 1/({}) = {} (measured/predicted {:.2f})",
                                               spec.in_time ? "λ" : "ηλ", short_num(f.predicted_slope),
                                               f.line.slope / f.predicted_slope)));
    block += 3;
  }
  if (drawn == 0) return out.notes.push_back(stem + ": no fit (fewer than two points with a finite median clock)");
  set.data(stem + ".dat", data);
  const auto& f0 = *fits[0];
  std::string b = fmt::format("set title {} noenhanced\n",
                              gp_quote(fmt::format("{} vs {} — law {} (fit on cell medians)", spec.clock, f0.x_name,
                                                   sweep::to_string(spec.law))));
  b += fmt::format("set xlabel {} noenhanced\nset ylabel {} noenhanced\n", gp_quote(f0.x_name), gp_quote(f0.y_name));
  b += "set key outside below left Left reverse noenhanced maxrows 6\n";
  b += "set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08\n" + plot + "\n";
  set.figure(stem, fmt::format("Fit of {} against {} (law {}): cell medians with quartiles, fitted lines{}.",
                               spec.clock, f0.x_name, sweep::to_string(spec.law),
                               std::isfinite(f0.predicted_slope) ? ", and Lyu's predicted slope (dashed)" : ""),
             b, 1000, 700);
}

int phase_code(const std::string& p) {
  if (p == "comprehension") return 0;
  if (p == "grokking") return 1;
  if (p == "memorization") return 2;
  if (p == "confusion") return 3;
  return -1;
}

void phase_figures(const SweepData& d, FigureSet& set, DrawnFigures& out) {
  if (d.spec.axes.size() < 2) return;
  const auto& ax = d.spec.axes[0];
  const auto& ay = d.spec.axes[1];
  auto groups = group_cells(d, {0, 1});
  if (groups.size() > kMaxSeries) {
    out.notes.push_back(fmt::format("phase diagrams: {} values of the other axes, the first {} drawn", groups.size(), kMaxSeries));
    groups.resize(kMaxSeries);
  }
  auto tics = [](const sweep::AxisSpec& a) {
    std::string s = "(";
    for (size_t i = 0; i < a.values.size(); ++i)
      s += fmt::format("{}{} {}", i ? ", " : "", gp_quote(sweep::value_label(a.values[i])), i);
    return s + ")";
  };
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string others = group_label(d, *groups[g][0], {0, 1});
    const std::string suffix = groups.size() > 1 ? fmt::format("_{}", g + 1) : "";
    std::string data = "# i j log10(t_gen/t_fit) phase_code \"ratio label\" \"phase label\"\n";
    bool any_ratio = false, any_phase = false;
    for (size_t j = 0; j < ay.values.size(); ++j) {
      for (size_t i = 0; i < ax.values.size(); ++i) {
        const CellSummary* cell = nullptr;
        for (const CellSummary* c : groups[g])
          if (c->values[0] == ax.values[i] && c->values[1] == ay.values[j]) cell = c;
        double ratio = NAN;
        std::string ratio_label = "\"\"", phase_label = "\"\"";
        int code = -1;
        if (cell && cell->n_finished > 0) {
          const auto* r = cell->clock("gen_over_fit");
          ratio = r ? r->median : NAN;
          ratio_label = std::isfinite(ratio) ? fmt::format("\"{}\"", short_num(ratio)) : "\"never\"";
          code = phase_code(cell->phase);
          if (code >= 0)
            phase_label = ax.values.size() <= 10 ? fmt::format("\"{} {}/{}\"", cell->phase,
                                                               cell->phase_counts.at(cell->phase), cell->n_finished)
                                                 : fmt::format("\"{}/{}\"", cell->phase_counts.at(cell->phase),
                                                               cell->n_finished);   // the colour names the phase
          any_ratio = any_ratio || std::isfinite(ratio);
          any_phase = any_phase || code >= 0;
        }
        data += fmt::format("{} {} {} {} {} {}\n", i, j, gp_num(std::isfinite(ratio) && ratio > 0 ? std::log10(ratio) : NAN),
                            code >= 0 ? std::to_string(code) : "NaN", ratio_label, phase_label);
      }
      data += "\n";
    }
    const std::string file = "phase" + suffix + ".dat";
    set.data(file, data);
    std::string common = fmt::format(
        "set xlabel {} noenhanced\nset ylabel {} noenhanced\nset xtics {} noenhanced\nset ytics {} noenhanced\n"
        "set xrange [-0.5:{}]\nset yrange [-0.5:{}]\nset grid noxtics noytics\nunset key\nset tics out nomirror\n"
        "set object 1 rect from graph 0, graph 0 to graph 1, graph 1 back fc rgb '#e6e6e6' fs solid\n"
        "set style textbox opaque noborder\n",
        gp_quote(ax.label + " (" + ax.key + ")"), gp_quote(ay.label + " (" + ay.key + ")"), tics(ax), tics(ay),
        ax.values.size() - 0.5, ay.values.size() - 0.5);
    const std::string where = others.empty() ? "" : " at " + others;
    // Wide enough for "comprehension 2/2" in every column (up to 10 columns; beyond, the labels are counts only).
    const int width = std::clamp(static_cast<int>(ax.values.size()) * 170 + 330, 900, 2100);
    if (!any_ratio) out.notes.push_back("phase_ratio" + suffix + ": t_gen never fired in more than half of the runs of any cell");
    if (!any_phase) out.notes.push_back("phase_labels" + suffix + ": no phase labels (no accuracy: a regression task)");
    if (any_ratio) {
      std::string b = fmt::format("set title {} noenhanced\n", gp_quote("Median t_gen / t_fit — sweep " + d.spec.name + where));
      b += common;
      b += "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n";
      b += "set cblabel 'log_{10}(t_{gen} / t_{fit})'\n";
      b += fmt::format("plot '{}' using 1:2:3 with image, '' using 1:2:5 with labels boxed font ',10'\n", file);
      set.figure("phase_ratio" + suffix,
                 "Phase diagram: log10 of the median t_gen/t_fit per cell (grey, \"never\": t_gen censored)" +
                     (others.empty() ? std::string(".") : " at " + others + "."),
                 b, width, 700);
    }
    if (any_phase) {
      std::string b = fmt::format("set title {} noenhanced\n", gp_quote("Phase (majority over seeds) — sweep " + d.spec.name + where));
      b += common;
      b += "set palette defined (0 '#2ca02c', 1 '#1f77b4', 2 '#ff7f0e', 3 '#d62728')\nset palette maxcolors 4\n";
      b += "set cbrange [-0.5:3.5]\nset cbtics ('comprehension' 0, 'grokking' 1, 'memorization' 2, 'confusion' 3)\n";
      b += "set rmargin 18\n";
      b += fmt::format("plot '{}' using 1:2:4 with image, '' using 1:2:6 with labels boxed font ',9'\n", file);
      set.figure("phase_labels" + suffix,
                 fmt::format("Phase labels (after Liu et al. 2022: accuracy threshold {:g}; grokking when s_test >= "
                             "{:g} s_train{}), majority over seeds{}",
                             d.spec.phase.threshold, d.spec.phase.gap_ratio,
                             d.spec.phase.gap_steps > 0 ? fmt::format(" and s_test - s_train >= {} steps",
                                                                      d.spec.phase.gap_steps)
                                                        : "",
                             others.empty() ? "." : " at " + others + "."),
                 b, width, 700);
    }
  }
}

}  // namespace

DrawnFigures plot_sweep(const std::filesystem::path& dir, const SweepData& d, const std::string& gnuplot) {
  DrawnFigures out;
  FigureSet set(dir / "figures");
  if (d.analysis.n_finished == 0) {
    out.notes.push_back("no finished run yet: no figures");
    return out;
  }
  for (size_t a = 0; a < d.spec.axes.size(); ++a)
    if (d.spec.axes[a].numeric() && d.spec.axes[a].values.size() >= 2) clocks_vs_axis(d, a, set, out);
  int n = 0;
  for (const auto& f : d.spec.effective_fits()) fit_figure(d, f, ++n, set, out);
  phase_figures(d, set, out);
  if (d.spec.axes.size() < 2) out.notes.push_back("phase diagrams need two axes");
  if (!set.empty()) out.figures = set.render(gnuplot);
  return out;
}

}  // namespace grokscope::plot
