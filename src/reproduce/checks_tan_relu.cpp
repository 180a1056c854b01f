// Verdict check of Tan, Gai & Zhang's ReLU bridge (science.md §1.4, §1.8 item 7; catalog TC-5) on the embedding ReLU
// model f = U relu(W (E_a + E_b) + b):
//   Prop. 4.2  while the loss fits, the classifier head gets the larger gradient: |grad_U L|_F / |grad_E L|_F > 1;
//   Prop. 4.1  later the activation patterns on the training set freeze (the per-step gate-flip rate falls);
//   App. F.3   the pre-activation margin min_{i,u} |h_u(x_i)| grows (the sufficient condition for frozen gates).
// Each claim is its own verdict, on every seed.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"
#include "grokscope/reproduce/seeds.h"

namespace grokscope::reproduce {

namespace {

double mean(const std::vector<double>& v) {
  double s = 0.0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, ++n;
  return n ? s / n : kNaN;
}

// The last finite value (the final evaluation of a run has no gradient).
double last_finite(const std::vector<double>& v) {
  for (auto it = v.rbegin(); it != v.rend(); ++it)
    if (std::isfinite(*it)) return *it;
  return kNaN;
}

// The values of `v` at the evaluations with step in [lo, hi].
std::vector<double> window(const std::vector<double>& step, const std::vector<double>& v, double lo, double hi) {
  std::vector<double> out;
  for (size_t i = 0; i < step.size() && i < v.size(); ++i)
    if (step[i] >= lo && step[i] <= hi) out.push_back(v[i]);
  return out;
}

}  // namespace

std::vector<double> gate_flip_rate(const std::vector<double>& step, const std::vector<double>& gate_flip_frac) {
  std::vector<double> out(std::min(step.size(), gate_flip_frac.size()), kNaN);
  for (size_t i = 1; i < out.size(); ++i)
    if (step[i] > step[i - 1]) out[i] = gate_flip_frac[i] / (step[i] - step[i - 1]);
  return out;
}

std::vector<Verdict> tc5_verdicts(const Tc5Series& s, const Tc5Params& p, const std::string& tag) {
  std::vector<Verdict> out;
  const std::string grad_claim = fmt::format(
      "Prop. 4.2: while the loss fits the head gets the larger gradient: |grad_U L|_F / |grad_E L|_F > {} at every "
      "evaluation before t_fit (value: the smallest)", num(p.min_grad_ratio));
  const std::string flip_claim = fmt::format(
      "Prop. 4.1: the gates freeze late: per-step gate-flip rate over the last {:.0f}% of the run <= {} x its mean "
      "around t_fit ([{}, {}] t_fit)", 100 * p.late_fraction, num(p.max_flip_ratio), num(p.around_lo), num(p.around_hi));
  const std::string margin_claim = fmt::format(
      "App. F.3: the pre-activation margin min |h| grows: median over the last {:.0f}% of the run > {} x its median "
      "around t_fit", 100 * p.late_fraction, num(p.min_margin_ratio));
  if (s.step.empty() || !std::isfinite(s.t_fit)) {
    const std::string why = s.step.empty() ? "no evaluations" : "t_fit never fired";
    for (const auto& [name, claim] : {std::pair{"head_gradient_larger", grad_claim}, std::pair{"gates_freeze", flip_claim},
                                      std::pair{"margin_grows", margin_claim}})
      out.push_back(missing(name + tag, claim, why));
    return out;
  }
  // Prop. 4.2 before t_fit.
  double lo_ratio = kNaN;
  int before = 0;
  for (size_t i = 0; i < s.step.size() && i < s.grad_ratio.size(); ++i)
    if (s.step[i] < s.t_fit && std::isfinite(s.grad_ratio[i])) {
      lo_ratio = before++ ? std::min(lo_ratio, s.grad_ratio[i]) : s.grad_ratio[i];
    }
  if (before == 0)
    out.push_back(missing("head_gradient_larger" + tag, grad_claim, "no gradient ratio measured before t_fit"));
  else
    out.push_back(Verdict{"head_gradient_larger" + tag, grad_claim,
                          fmt::format("min ratio {} over {} evaluations before t_fit = {}", num(lo_ratio), before,
                                      num(s.t_fit)),
                          lo_ratio > p.min_grad_ratio, lo_ratio, p.min_grad_ratio});
  // Prop. 4.1: late against around t_fit.
  const double t_end = s.step.back(), late_from = (1.0 - p.late_fraction) * t_end;
  const double a_lo = p.around_lo * s.t_fit, a_hi = p.around_hi * s.t_fit;
  const auto rate = gate_flip_rate(s.step, s.gate_flip_frac);
  const double r_around = mean(window(s.step, rate, a_lo, a_hi)), r_late = mean(window(s.step, rate, late_from, t_end));
  out.push_back(at_most("gates_freeze" + tag, flip_claim, r_around > 0 ? r_late / r_around : kNaN, p.max_flip_ratio,
                        fmt::format("flip rate per step {} late / {} around t_fit", num(r_late), num(r_around))));
  const double m_around = median_of(window(s.step, s.preact_min_abs, a_lo, a_hi));
  const double m_late = median_of(window(s.step, s.preact_min_abs, late_from, t_end));
  out.push_back(Verdict{"margin_grows" + tag, margin_claim,
                        fmt::format("median min|h| {} late / {} around t_fit = {}", num(m_late), num(m_around),
                                    num(m_late / m_around)),
                        m_around > 0 && m_late / m_around > p.min_margin_ratio, m_late / m_around, p.min_margin_ratio});
  return out;
}

namespace detail {

CheckOutput check_tc_relu_bridge(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  Tc5Params p;
  p.min_grad_ratio = in.param("min_grad_ratio", p.min_grad_ratio);
  p.late_fraction = in.param("late_fraction", p.late_fraction);
  p.around_lo = in.param("around_lo", p.around_lo);
  p.around_hi = in.param("around_hi", p.around_hi);
  p.max_flip_ratio = in.param("max_flip_ratio", p.max_flip_ratio);
  p.min_margin_ratio = in.param("min_margin_ratio", p.min_margin_ratio);
  std::string rate_plot;
  for (size_t r = 0; r < in.runs.size(); ++r) {
    const RunData& run = in.runs[r];
    Tc5Series s;
    s.label = run_label(run);
    s.t_fit = run.clock_step("t_fit");
    s.step = run.column("step");
    s.grad_ratio = run.column("grad_ratio_head_embedding");
    s.gate_flip_frac = run.column("gate_flip_frac");
    s.preact_min_abs = run.column("preact_min_abs");
    const std::string tag = in.runs.size() > 1 ? " " + s.label : "";
    auto v = tc5_verdicts(s, p, tag);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    const auto rate = gate_flip_rate(s.step, s.gate_flip_frac);
    double rate_at_fit = kNaN;
    for (size_t i = 0; i < rate.size(); ++i)
      if (s.step[i] >= s.t_fit) {
        rate_at_fit = rate[i];
        break;
      }
    out.measured.push_back(fmt::format(
        "{}: t_fit {}, t_gen {}; grad ratio head/embedding {} at step 0, {} at t_fit ({} relative to the weight norms, "
        "(|grad U|/|U|) / (|grad E|/|E|)), {} at the end; gate flips per step {} at t_fit, {} at the end; min|h| {} at "
        "t_fit, {} at the end",
        s.label, num(s.t_fit), num(run.clock_step("t_gen")), num(s.grad_ratio.empty() ? kNaN : s.grad_ratio.front()),
        num(value_at_step(run, "grad_ratio_head_embedding", s.t_fit)),
        num(value_at_step(run, "grad_ratio_head_embedding", s.t_fit) * value_at_step(run, "norm_E", s.t_fit) /
            value_at_step(run, "norm_w2", s.t_fit)),
        num(last_finite(s.grad_ratio)),
        num(rate_at_fit), num(rate.empty() ? kNaN : rate.back()), num(value_at_step(run, "preact_min_abs", s.t_fit)),
        num(s.preact_min_abs.empty() ? kNaN : s.preact_min_abs.back())));
    if (figs) {
      const std::string file = fmt::format("tc5_rate_{}.dat", r);
      figs->data(file, columns_text({"step", "flip_rate"}, {s.step, rate}));
      rate_plot += fmt::format("{}'{}' using 1:2 with lines lt {} title '{}'", r ? ", " : "", file, r + 1, s.label);
    }
  }
  const double t_fit = in.runs.empty() ? kNaN : in.runs[0].clock_step("t_fit");
  add_curve_figure(figs, "tc5_grad_ratio",
                   "TC-5: |grad_U L|_F / |grad_E L|_F (head over embedding) per seed; Prop. 4.2 predicts > 1 while "
                   "the loss fits (dashed: t_fit of the first seed)",
                   in.runs, {"grad_ratio_head_embedding"}, {"head / embedding"}, true, t_fit, "t_fit", false);
  if (figs && !rate_plot.empty())
    figs->figure("tc5_gate_flips",
                 "TC-5: gate flips per step on the training set (share of the hidden layer's gates that changed since "
                 "the previous evaluation, per step), log y",
                 "set xlabel 'step'\nset ylabel 'gate flips per step'\nset logscale y\nset format y '10^{%L}'\n"
                 "set key outside top center horizontal noenhanced\nplot " + rate_plot + "\n");
  add_curve_figure(figs, "tc5_preact_margin",
                   "TC-5: pre-activation margin min_{i,u} |h_u(x_i)| of the hidden layer on the training set (log y)",
                   in.runs, {"preact_min_abs"}, {"min |h|"}, true, t_fit, "t_fit", false);
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
