// Per-run figures from metrics.csv and summary.json (see plot/run_figures.h). The parameter figures (Fourier
// spectrum, trajectories) are in run_params_figures.cpp.
#include "grokscope/plot/run_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "run_figures_detail.h"

namespace grokscope::plot {

namespace fs = std::filesystem;
using nlohmann::json;

RunView load_run_view(const fs::path& dir) {
  RunView v;
  v.dir = dir;
  v.name = fs::absolute(dir).lexically_normal().filename().string();
  if (v.name.empty()) v.name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  const bool has_metrics = fs::exists(dir / "metrics.csv"), has_summary = fs::exists(dir / "summary.json");
  if (!has_metrics && !has_summary)
    throw IoError(fmt::format("{}: not a run directory (no metrics.csv or summary.json)", dir.string()));
  if (has_metrics) v.metrics = read_metrics_csv(dir / "metrics.csv");
  if (has_summary) {
    std::ifstream in(dir / "summary.json");
    try {
      v.summary = json::parse(in);
    } catch (const json::exception& e) {
      throw IoError(fmt::format("{}: malformed summary.json: {}", dir.string(), e.what()));
    }
  }
  if (std::ifstream in(dir / "config.toml", std::ios::binary); in) {
    std::ostringstream s;
    s << in.rdbuf();
    v.config_text = s.str();
  }
  if (v.summary.is_object() && v.summary.contains("config")) {
    v.config = v.summary["config"];
  } else if (!v.config_text.empty()) {
    try {
      v.config = to_json(parse_run_config(v.config_text, {}, (dir / "config.toml").string()));
    } catch (const std::exception&) {
    }
  }
  return v;
}

namespace detail {

std::vector<Mark> clock_marks(const RunView& run, bool with_cls) {
  std::vector<Mark> marks;
  if (!run.summary.is_object() || !run.summary.contains("clocks")) return marks;
  const json& c = run.summary["clocks"];
  auto add = [&](const std::string& label, const json& j, const char* color, int dt, bool top) {
    if (j.is_object() && j.value("fired", false) && j["step"].is_number())
      marks.push_back({label, j["step"].get<double>(), color, dt, top});
  };
  if (c.contains("t_fit")) add("t_fit", c["t_fit"], "#444444", 2, true);
  if (c.contains("t_gen")) add("t_gen", c["t_gen"], "#2ca02c", 4, true);
  if (with_cls && c.contains("t_cls"))
    for (const auto& t : c["t_cls"]) add(fmt::format("t_cls({:g})", t.value("eps", 0.0)), t, "#9467bd", 3, false);
  return marks;
}

std::string mark_commands(const std::vector<Mark>& marks) {
  std::string s;
  int tag = 100;
  for (const auto& m : marks) {
    s += fmt::format("set arrow {} from first {}, graph 0 to first {}, graph 1 nohead lc rgb '{}' lw 1.5 dt {} back\n",
                     tag++, gp_num(m.step), gp_num(m.step), m.color, m.dt);
    if (m.top)
      s += fmt::format("set label {} {} at first {}, graph 1 offset 0.4,-0.9 left tc rgb '{}' font ',10' front noenhanced\n",
                       tag++, gp_quote(m.label), gp_num(m.step), m.color);
  }
  return s;
}

std::string mark_keys(const std::vector<Mark>& marks) {
  std::string s;
  for (const auto& m : marks)
    s += fmt::format(", NaN with lines lc rgb '{}' lw 1.5 dt {} title {}", m.color, m.dt,
                     gp_quote(fmt::format("{} = {}", m.label, short_num(m.step))));
  return s;
}

std::string log_x_axis(const MetricsTable& t) {
  double max_step = 1;
  if (t.find("step") >= 0)
    for (double s : t.column("step")) max_step = std::max(max_step, s);
  std::string s = "set logscale x\nset xrange [1:*]\nset autoscale xfixmax\nset xlabel 'step (log scale)'\n";
  s += max_step >= 1e4 ? "set format x '10^{%T}'\n" : "set format x '%g'\n";
  return s;
}

bool has_finite(const MetricsTable& t, const std::string& col, bool positive) {
  const int c = t.find(col);
  if (c < 0) return false;
  for (double v : t.values[static_cast<size_t>(c)])
    if (std::isfinite(v) && (!positive || v > 0)) return true;
  return false;
}

std::string column_ref(const MetricsTable& t, const std::string& col) {
  return fmt::format("1:{}", t.find(col) + 1);
}

std::string title_line(const RunView& run, const std::string& what) {
  std::string s = what + " — " + run.name;
  if (run.summary.is_object()) s += " (" + run.summary.value("status", std::string("?")) + ")";
  else s += " (no summary.json: still running or killed)";
  return fmt::format("set title {} noenhanced\n", gp_quote(s));
}

}  // namespace detail

namespace {
using namespace detail;

std::string metrics_data(const MetricsTable& t) {
  std::string s = "#";
  for (const auto& c : t.columns) s += " " + c;
  s += "\n";
  for (int64_t r = 0; r < t.rows(); ++r) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (c) s += ' ';
      s += gp_num(t.values[c][static_cast<size_t>(r)]);
    }
    s += "\n";
  }
  return s;
}

void loss_figure(const RunView& run, FigureSet& set, DrawnFigures& out) {
  const auto& t = run.metrics;
  if (!has_finite(t, "loss_train", true)) return out.notes.push_back("loss: no positive loss values");
  const auto marks = clock_marks(run, true);
  std::string b = title_line(run, "Loss") + log_x_axis(t);
  b += "set logscale y\nset format y '10^{%T}'\nset ylabel 'loss'\nset key bottom left opaque box lc rgb '#cccccc'\n";
  b += mark_commands(marks);
  b += fmt::format("plot 'metrics.dat' using {} with lines lt 1 title 'train'", column_ref(t, "loss_train"));
  if (has_finite(t, "loss_test", true))
    b += fmt::format(", '' using {} with lines lt 2 title 'test'", column_ref(t, "loss_test"));
  // Nanda's progress measures (probe fourier_loss, docs/diagnostics.md) where the run has them.
  const bool nanda = has_finite(t, "loss_restricted", true);
  if (nanda) b += fmt::format(", '' using {} with lines lt 3 title 'restricted'", column_ref(t, "loss_restricted"));
  if (has_finite(t, "loss_excluded", true))
    b += fmt::format(", '' using {} with lines lt 4 title 'excluded'", column_ref(t, "loss_excluded"));
  b += mark_keys(marks) + "\n";
  set.figure("loss",
             nanda ? "Train and test loss against steps (log-log), with the clocks, and Nanda's restricted (key "
                     "frequencies only) and excluded (key frequencies removed) losses."
                   : "Train and test loss against steps (log-log), with the clocks.",
             b);
}

void accuracy_figure(const RunView& run, FigureSet& set, DrawnFigures& out) {
  const auto& t = run.metrics;
  if (!has_finite(t, "acc_train", false)) return out.notes.push_back("accuracy: no accuracy (a regression task)");
  const auto marks = clock_marks(run, false);
  std::string b = title_line(run, "Accuracy") + log_x_axis(t);
  b += "set yrange [-0.02:1.05]\nset ylabel 'accuracy'\nset key bottom right opaque box lc rgb '#cccccc'\n";
  b += mark_commands(marks);
  b += fmt::format("plot 'metrics.dat' using {} with lines lt 1 title 'train', '' using {} with lines lt 2 title "
                   "'test'{}\n",
                   column_ref(t, "acc_train"), column_ref(t, "acc_test"), mark_keys(marks));
  set.figure("accuracy", "Train and test accuracy against steps (log x), with t_fit and t_gen.", b);
}

void norms_figure(const RunView& run, FigureSet& set, DrawnFigures& out) {
  const auto& t = run.metrics;
  std::vector<std::string> cols;
  double lo = INFINITY, hi = 0;
  for (const auto& c : t.columns) {
    if (c.rfind("norm_", 0) != 0) continue;
    cols.push_back(c);
    for (double v : t.column(c))
      if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (cols.empty()) return out.notes.push_back("norms: no norm_* columns");
  std::stable_partition(cols.begin(), cols.end(), [](const std::string& c) { return c == "norm_total"; });
  const auto marks = clock_marks(run, false);
  std::string b = title_line(run, "Parameter norms") + log_x_axis(t);
  if (hi > 0 && hi / lo > 20) b += "set logscale y\n";
  b += "set ylabel 'Frobenius norm'\nset key outside right top noenhanced\n" + mark_commands(marks) + "plot ";
  for (size_t i = 0; i < cols.size(); ++i) {
    const bool total = cols[i] == "norm_total";
    b += fmt::format("{}'metrics.dat' using {} with lines {} title {}", i ? ", " : "", column_ref(t, cols[i]),
                     total ? "lc rgb '#000000' lw 3" : fmt::format("lt {}", i), gp_quote(cols[i].substr(5)));
  }
  b += mark_keys(marks) + "\n";
  set.figure("norms", "Norms of the parameter tensors and of all parameters (norm_total) against steps.", b);
}

// Typical magnitude of a column: the median of its finite absolute values (0 when none).
double magnitude(const std::vector<double>& v) {
  std::vector<double> a;
  for (double x : v)
    if (std::isfinite(x)) a.push_back(std::abs(x));
  if (a.empty()) return 0.0;
  std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(a.size() / 2), a.end());
  return a[a.size() / 2];
}

// A series that carries no information: constant (its range within 1e-9 of its largest magnitude) or at round-off
// (every finite value below 1e-12 in magnitude).
bool flat(const std::vector<double>& v) {
  double lo = INFINITY, hi = -INFINITY, big = 0;
  for (double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x), big = std::max(big, std::abs(x));
  return !(big > 1e-12) || hi - lo <= 1e-9 * big;
}

void diagnostics_figure(const RunView& run, FigureSet& set, DrawnFigures& out) {
  const auto& t = run.metrics;
  std::string left_out, no_values;
  // Panels: columns that share a name prefix (srank_w1, srank_w2) and a magnitude (within 20x) go together.
  struct Panel {
    std::string prefix;
    double mag;
    std::vector<std::string> columns;
  };
  std::vector<Panel> panels;
  for (const auto& c : t.columns) {
    if (c == "step" || c == "time" || c.rfind("loss_", 0) == 0 || c.rfind("acc_", 0) == 0 || c.rfind("norm_", 0) == 0)
      continue;
    if (!has_finite(t, c, false)) {
      no_values += (no_values.empty() ? "" : ", ") + c;
      continue;
    }
    if (flat(t.column(c))) {
      left_out += (left_out.empty() ? "" : ", ") + c;
      continue;
    }
    const std::string prefix = c.substr(0, c.find('_'));
    const double mag = magnitude(t.column(c));
    auto it = std::find_if(panels.begin(), panels.end(), [&](const Panel& p) {
      if (p.prefix != prefix) return false;
      const double lo = std::min(p.mag, mag), hi = std::max(p.mag, mag);
      return hi == 0 || (lo > 0 && hi / lo <= 20);
    });
    if (it == panels.end()) panels.push_back({prefix, mag, {c}});
    else it->columns.push_back(c);
  }
  if (!left_out.empty())
    out.notes.push_back("diagnostics: left out, constant or at round-off over the run: " + left_out);
  if (!no_values.empty())
    out.notes.push_back("diagnostics: left out, no value at any evaluation (NaN: e.g. no key frequencies, so no "
                        "Fourier structure to measure): " + no_values);
  if (panels.empty()) return out.notes.push_back("diagnostics: no margin or probe columns with values");
  auto marks = clock_marks(run, false);
  for (auto& m : marks) m.top = false;
  std::string legend;
  for (const auto& m : marks) legend += fmt::format("{}{} = {}", legend.empty() ? "; dashed lines: " : ", ", m.label, short_num(m.step));
  // At most 12 panels a figure: diagnostics, diagnostics_2, ... (every panel is drawn).
  constexpr size_t kPerFigure = 12;
  const size_t figures = (panels.size() + kPerFigure - 1) / kPerFigure;
  for (size_t f = 0; f < figures; ++f) {
    const size_t first = f * kPerFigure, last = std::min(panels.size(), first + kPerFigure);
    const int n = static_cast<int>(last - first);
    const int cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
    const int rows = (n + cols - 1) / cols;
    std::string b = log_x_axis(t) + "set xlabel 'step'\nset key top left font ',9' noenhanced samplen 1.5\n";
    b += mark_commands(marks);
    b += fmt::format("set multiplot layout {},{} title {} noenhanced\n", rows, cols,
                     gp_quote("Diagnostics" + (figures > 1 ? fmt::format(" ({}/{})", f + 1, figures) : std::string()) +
                              " — " + run.name + legend));
    for (size_t k = first; k < last; ++k) {
      const Panel& panel = panels[k];
      const std::string title = panel.columns.size() == 1 ? panel.columns[0] : panel.prefix + "_*";
      b += fmt::format("set title {} noenhanced\n", gp_quote(title));
      b += "plot ";
      for (size_t i = 0; i < panel.columns.size() && i < 8; ++i)
        b += fmt::format("{}'metrics.dat' using {} with lines lt {} title {}", i ? ", " : "",
                         column_ref(t, panel.columns[i]), i + 1,
                         gp_quote(panel.columns.size() == 1 ? "" : panel.columns[i]));
      b += "\n";
    }
    b += "unset multiplot\n";
    set.figure(f == 0 ? std::string("diagnostics") : fmt::format("diagnostics_{}", f + 1),
               "Margins and the other diagnostics of metrics.csv (one panel per name prefix and magnitude), with the "
               "clocks t_fit and t_gen as dashed lines" +
                   (figures > 1 ? fmt::format(" (part {} of {})", f + 1, figures) : std::string()) + ".",
               b, cols == 1 ? 960 : cols == 2 ? 1100 : cols == 3 ? 1400 : 1700, rows == 1 ? 520 : rows * 360);
  }
}

}  // namespace

DrawnFigures plot_run(const RunView& run, const std::string& gnuplot) {
  DrawnFigures out;
  FigureSet set(run.dir / "figures");
  if (run.metrics.rows() > 0) {
    set.data("metrics.dat", metrics_data(run.metrics));
    loss_figure(run, set, out);
    accuracy_figure(run, set, out);
    norms_figure(run, set, out);
    diagnostics_figure(run, set, out);
  } else {
    out.notes.push_back("metrics.csv has no rows yet: no curves");
  }
  fourier_figure(run, set, out);
  trajectory_figure(run, set, out);
  if (!set.empty()) out.figures = set.render(gnuplot);
  return out;
}

}  // namespace grokscope::plot
