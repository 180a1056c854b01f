// Per-run figures from the saved parameters: the embedding's Fourier spectrum and toy-model trajectories
// (see plot/run_figures.h).
#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "grokscope/io/metrics_csv.h"
#include "grokscope/io/npz.h"
#include "grokscope/metrics/fourier.h"
#include "grokscope/metrics/neuron_fourier.h"
#include "run_figures_detail.h"

namespace grokscope::plot {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const NpyArray* find_array(const std::vector<NpyArray>& arrays, const std::string& name) {
  for (const auto& a : arrays)
    if (a.name == name) return &a;
  return nullptr;
}

Eigen::MatrixXd as_matrix(const NpyArray& a) {
  const int64_t rows = a.shape.size() >= 1 ? a.shape[0] : 1;
  const int64_t cols = a.shape.size() >= 2 ? a.shape[1] : 1;
  Eigen::MatrixXd m(rows, cols);
  std::visit(
      [&](const auto& v) {
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c) m(r, c) = static_cast<double>(v[static_cast<size_t>(r * cols + c)]);
      },
      a.data);
  return m;
}

// The residue-indexed p x (slots * width) matrix A = [E_a | E_b] of the input embedding, or an empty matrix.
Eigen::MatrixXd residue_embedding(const std::vector<NpyArray>& params, int p) {
  Eigen::MatrixXd inputs;   // rows = inputs (slots * p), cols = width
  if (const NpyArray* e = find_array(params, "E")) inputs = as_matrix(*e);
  else if (const NpyArray* w = find_array(params, "w1")) inputs = as_matrix(*w).transpose();  // (out, in) -> (in, out)
  else return {};
  if (p < 2 || inputs.rows() % p != 0) return {};
  const int64_t slots = inputs.rows() / p, width = inputs.cols();
  Eigen::MatrixXd a(p, slots * width);
  for (int64_t s = 0; s < slots; ++s) a.middleCols(s * width, width) = inputs.middleRows(s * p, p);
  return a;
}

}  // namespace

void fourier_figure(const RunView& run, FigureSet& set, DrawnFigures& out) {
  const json& c = run.config;
  if (!c.is_object() || c["task"].value("kind", "modular") != "modular") return;
  const std::string model = c["model"].value("kind", "mlp");
  if (model != "mlp" && model != "embedding_mlp") return;
  if (!fs::exists(run.dir / "params_init.npz") || !fs::exists(run.dir / "params_final.npz"))
    return out.notes.push_back("fourier: params_init.npz or params_final.npz missing");
  const int p = c["task"].value("p", 0);
  const Eigen::MatrixXd a0 = residue_embedding(read_npz((run.dir / "params_init.npz").string()), p);
  const Eigen::MatrixXd a1 = residue_embedding(read_npz((run.dir / "params_final.npz").string()), p);
  if (a0.size() == 0 || a1.size() == 0) return out.notes.push_back("fourier: no residue-indexed input layer found");
  const auto f0 = metrics::frequency_norms(a0), f1 = metrics::frequency_norms(a1);
  // ||A||_F^2 by Parseval: the constant's and every frequency's squared norm.
  auto energy = [](const metrics::FrequencyNorms& f) {
    double e = f.constant * f.constant;
    for (int64_t k = 0; k < f.norms.size(); ++k) e += f.norms(k) * f.norms(k);
    return e > 0 ? e : 1.0;
  };
  const double e0 = energy(f0), e1 = energy(f1);
  std::string data = "# k share_init share_final (share of ||A||_F^2 in frequency k; k = 0 is the constant)\n";
  data += fmt::format("0 {} {}\n", gp_num(f0.constant * f0.constant / e0), gp_num(f1.constant * f1.constant / e1));
  for (int64_t k = 0; k < f1.norms.size(); ++k)
    data += fmt::format("{} {} {}\n", k + 1, gp_num(f0.norms(k) * f0.norms(k) / e0), gp_num(f1.norms(k) * f1.norms(k) / e1));
  set.data("fourier.dat", data);
  // The fourier probe's key frequencies (docs/diagnostics.md): those of the concentrated neurons for the MLP, the
  // frequencies above the largest gap in the sorted norms for the embedding MLP.
  std::vector<int> keys;
  if (model == "mlp") {
    const int slots = c["task"].value("encoding", std::string("concat")) == "concat" ? 2 : 1;
    if (a1.cols() % slots == 0) keys = metrics::summarize_neurons(metrics::neuron_fourier(a1, slots)).keys;
  } else {
    keys = metrics::key_frequencies_by_gap(std::vector<double>(f1.norms.data(), f1.norms.data() + f1.norms.size()));
  }
  std::string key_text;
  for (size_t i = 0; i < keys.size() && i < 12; ++i) key_text += (i ? ", " : "") + std::to_string(keys[i]);
  if (keys.size() > 12) key_text += ", …";
  if (keys.empty()) key_text = "none (no Fourier structure)";
  const double steps = run.summary.is_object() ? run.summary.value("steps_done", 0.0) : NAN;
  std::string b = detail::title_line(run, fmt::format("Fourier spectrum of the input embedding (p = {})", p));
  b += fmt::format("set label 1 {} at graph 0.99, graph 0.95 right font ',10'\n",
                   gp_quote(fmt::format("final: key frequencies{} {}; Gini {:.2f} (init {:.2f})",
                                        model == "mlp" ? " (of the concentrated neurons)" : "", key_text,
                                        metrics::gini(f1.norms), metrics::gini(f0.norms))));
  b += "set style fill solid 0.85 noborder\nset boxwidth 0.42\nset xlabel 'frequency k of Z_p (0 = constant)'\n";
  b += fmt::format("set ylabel 'share of ||E||_F^2'\nset xrange [-0.8:{}]\nset yrange [0:*]\n", f1.norms.size() + 0.8);
  b += "set key top left\nset grid noxtics\n";
  b += fmt::format("plot 'fourier.dat' using ($1-0.21):2 with boxes lc rgb '#9a9a9a' title 'step 0', '' using "
                   "($1+0.21):3 with boxes lt 1 title {}\n",
                   gp_quote(std::isfinite(steps) ? fmt::format("step {}", short_num(steps)) : "final"));
  set.figure("fourier",
             "Fourier spectrum of the input embedding [E_a | E_b] (rows indexed by residue) at step 0 and at the "
             "end: share of the squared Frobenius norm in each frequency.",
             b, 1100, 520);
}

namespace {

// At most ~4000 rows: every row of the first 1000, then evenly spaced ones, and the last.
std::vector<int64_t> kept_rows(int64_t rows) {
  std::vector<int64_t> keep;
  const int64_t stride = std::max<int64_t>(1, (rows - 1000) / 3000);
  for (int64_t r = 0; r < rows; ++r)
    if (r < 1000 || (r - 1000) % stride == 0 || r == rows - 1) keep.push_back(r);
  return keep;
}

std::string trajectory_data(const MetricsTable& t, const std::vector<int64_t>& keep) {
  std::string data = "#";
  for (const auto& c : t.columns) data += " " + c;
  data += "\n";
  for (int64_t r : keep) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (c) data += ' ';
      data += gp_num(t.values[c][static_cast<size_t>(r)]);
    }
    data += "\n";
  }
  return data;
}

// The zero-loss set {w : x.w = y} of a linear model (no hidden layer, no bias, squared loss) trained on one sample;
// x is empty for any other run.
struct ZeroLossSet {
  std::vector<double> x;
  double y = NAN;
};
ZeroLossSet zero_loss_set(const RunView& run, int n_params) {
  ZeroLossSet z;
  const json& c = run.config;
  const bool linear = c.is_object() && c["model"].value("kind", "") == "mlp" && c["model"]["hidden"].empty() &&
                      c["model"].value("bias", "") == "none" && c["loss"].value("kind", "") == "squared";
  if (!linear || !fs::exists(run.dir / "split.npz")) return z;
  const auto split = read_npz((run.dir / "split.npz").string());
  const NpyArray* xt = find_array(split, "x_train");
  const NpyArray* yt = find_array(split, "y_train");
  if (xt && yt && xt->shape.size() == 2 && xt->shape[0] == 1 && xt->shape[1] == n_params) {
    const Eigen::MatrixXd xm = as_matrix(*xt);
    for (int i = 0; i < n_params; ++i) z.x.push_back(xm(0, i));
    z.y = as_matrix(*yt)(0, 0);
  }
  return z;
}

// The toy model's path in its 2-D or 3-D parameter space with the zero-loss set and the minimum-norm zero-loss point.
void toy_path_figure(const MetricsTable& t, const std::vector<int64_t>& keep, const ZeroLossSet& z, std::string b,
                     FigureSet& set) {
  const int n_params = static_cast<int>(t.columns.size()) - 2;
  const int64_t rows = t.rows();
  const std::vector<double>& x = z.x;
  const double y = z.y;
  const auto& col = t.columns;
  double xx = 0;
  for (double v : x) xx += v * v;
  std::vector<double> w_star;   // the minimum-norm zero-loss point x y / |x|^2
  for (double v : x) w_star.push_back(v * y / xx);
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < n_params; ++i) {
    for (int64_t r : keep) {
      const double v = t.values[static_cast<size_t>(i + 2)][static_cast<size_t>(r)];
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    lo = std::min(lo, w_star[static_cast<size_t>(i)]), hi = std::max(hi, w_star[static_cast<size_t>(i)]);
  }
  const double pad = 0.15 * std::max(hi - lo, 1e-6);
  lo -= pad, hi += pad;
  std::string pts = "# start, end, minimum-norm zero-loss point\n";
  auto row = [&](int64_t r) {
    std::string s;
    for (int i = 0; i < n_params; ++i) {
      if (i) s += ' ';
      s += gp_num(t.values[static_cast<size_t>(i + 2)][static_cast<size_t>(r)]);
    }
    return s + "\n";
  };
  pts += row(0) + "\n\n" + row(rows - 1) + "\n\n";
  for (int i = 0; i < n_params; ++i) {
    if (i) pts += ' ';
    pts += gp_num(w_star[static_cast<size_t>(i)]);
  }
  set.data("trajectory_points.dat", pts + "\n");
  const std::string plane_title = gp_quote(n_params == 2 ? fmt::format("zero-loss set {}·w = {}", x[0] == 1 && x[1] == 1 ? "(1,1)" : "x", short_num(y))
                                                          : fmt::format("zero-loss plane x·w = {}", short_num(y)));
  b += fmt::format("set xlabel {} noenhanced\nset ylabel {} noenhanced\n", gp_quote(col[2]), gp_quote(col[3]));
  b += fmt::format("set xrange [{}:{}]\nset yrange [{}:{}]\nset key top right opaque box lc rgb '#cccccc'\n",
                   gp_num(lo), gp_num(hi), gp_num(lo), gp_num(hi));
  if (n_params == 2) {
    b += "set size ratio -1\nset samples 400\n";
    std::string set_curve = x[1] != 0 ? fmt::format("({} - ({})*x)/({})", gp_num(y), gp_num(x[0]), gp_num(x[1]))
                                      : "NaN";
    if (x[1] == 0)
      b += fmt::format("set arrow 1 from first {0}, graph 0 to first {0}, graph 1 nohead lc rgb '#d62728' lw 2 dt 2\n",
                       gp_num(y / x[0]));
    b += fmt::format("plot {} with lines lc rgb '#d62728' lw 2 dt 2 title {}, 'trajectory.dat' using 3:4 with "
                     "linespoints lt 1 pi 50 ps 0.6 title 'gradient descent path', 'trajectory_points.dat' index 0 "
                     "using 1:2 with points pt 7 ps 1.8 lc rgb '#000000' title 'start', '' index 1 using 1:2 with "
                     "points pt 9 ps 2 lc rgb '#ff7f0e' title 'end', '' index 2 using 1:2 with points pt 6 ps 2.2 "
                     "lw 2 lc rgb '#2ca02c' title 'minimum-norm zero-loss point'\n",
                     set_curve, plane_title);
  } else {
    b += fmt::format("set zlabel {} noenhanced rotate\nset zrange [{}:{}]\nset view 62, 35\nset isosamples 12\n",
                     gp_quote(col[4]), gp_num(lo), gp_num(hi));
    b += "set xyplane 0\n";
    const std::string plane = x[2] != 0 ? fmt::format("({} - ({})*x - ({})*y)/({})", gp_num(y), gp_num(x[0]),
                                                      gp_num(x[1]), gp_num(x[2]))
                                        : "NaN";
    b += fmt::format("splot {} with lines lc rgb '#e8a0a0' title {}, 'trajectory.dat' using 3:4:5 with lines lt 1 lw "
                     "2.5 title 'gradient descent path', 'trajectory_points.dat' index 0 using 1:2:3 with points pt 7 "
                     "ps 1.8 lc rgb '#000000' title 'start', '' index 1 using 1:2:3 with points pt 9 ps 2 lc rgb "
                     "'#ff7f0e' title 'end', '' index 2 using 1:2:3 with points pt 6 ps 2.2 lw 2 lc rgb '#2ca02c' "
                     "title 'minimum-norm zero-loss point'\n",
                     plane, plane_title);
  }
  set.figure("trajectory",
             "Parameter trajectory of the toy model, with its zero-loss set and the minimum-norm zero-loss point.",
             b, 900, 760);
}

// Every parameter against steps (at most 16 drawn).
void parameter_lines_figure(const MetricsTable& t, std::string b, FigureSet& set, DrawnFigures& out) {
  const int n_params = static_cast<int>(t.columns.size()) - 2;
  const auto& col = t.columns;
  b += "set logscale x\nset xlabel 'step (log scale)'\nset ylabel 'parameter value'\nset key outside right top noenhanced\nplot ";
  for (int i = 0; i < n_params && i < 16; ++i)
    b += fmt::format("{}'trajectory.dat' using 1:{} with lines lt {} title {}", i ? ", " : "", i + 3, i + 1,
                     gp_quote(col[static_cast<size_t>(i + 2)]));
  b += "\n";
  if (n_params > 16) out.notes.push_back(fmt::format("trajectory: {} parameters, the first 16 drawn", n_params));
  set.figure("trajectory", "Every parameter against steps (trajectory.csv).", b);
}

}  // namespace

void trajectory_figure(const RunView& run, FigureSet& set, DrawnFigures& out) {
  const fs::path file = run.dir / "trajectory.csv";
  if (!fs::exists(file)) return;
  const MetricsTable t = read_metrics_csv(file);
  const int n_params = static_cast<int>(t.columns.size()) - 2;
  if (n_params < 1 || t.rows() == 0) return out.notes.push_back("trajectory: trajectory.csv is empty");
  const std::vector<int64_t> keep = kept_rows(t.rows());
  set.data("trajectory.dat", trajectory_data(t, keep));
  const ZeroLossSet z = zero_loss_set(run, n_params);
  std::string b = detail::title_line(run, "Parameter trajectory");
  if ((n_params == 2 || n_params == 3) && !z.x.empty())
    toy_path_figure(t, keep, z, std::move(b), set);
  else
    parameter_lines_figure(t, std::move(b), set, out);
}

}  // namespace grokscope::plot
