// Verdict check of the demo's representation clock (catalog DEMO): on the one-hot MLP of configs/demo.toml the
// first layer's stable rank does not fall (it drifts up, 57 -> 61), but its neurons concentrate on single Fourier
// frequencies as the network groks (Nanda et al. 2023, Gromov 2023; docs/diagnostics.md "Per-neuron Fourier
// structure"). The check judges that this concentration is the slow clock: it rises after the fit, inside the
// generalization window, and the run's t_rep fires on it.
#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "check_util.h"

namespace grokscope::reproduce {

std::vector<Verdict> concentration_verdicts(const std::vector<double>& step, const std::vector<double>& ipr,
                                            double t_fit, double t_gen, double min_rise, double max_before,
                                            const std::string& tag) {
  std::vector<Verdict> out;
  const size_t n = std::min(step.size(), ipr.size());
  if (n < 3 || !std::isfinite(t_fit) || !std::isfinite(t_gen)) {
    out.push_back(missing("neuron_ipr_rises" + tag, "the per-neuron Fourier IPR rises between t_fit and t_gen",
                          n < 3 ? "no neuron_ipr column" : "t_fit or t_gen never fired"));
    return out;
  }
  auto index_at = [&](double t) {
    size_t i = 0;
    while (i + 1 < n && step[i] < t) ++i;
    return i;
  };
  const size_t i_fit = index_at(t_fit), i_gen = index_at(t_gen);
  const double c0 = ipr[0], c_fit = ipr[i_fit], c_gen = ipr[i_gen], c_end = ipr[n - 1];
  out.push_back(at_least("neuron_ipr_rises" + tag,
                         fmt::format("the first layer's neurons concentrate on single frequencies between t_fit and "
                                     "t_gen: mean IPR(t_gen) / IPR(t_fit) >= {}", num(min_rise)),
                         c_gen / c_fit, min_rise, fmt::format("{} / {}", num(c_gen), num(c_fit))));
  out.push_back(at_most("rise_after_fit" + tag,
                        "the concentration comes after the fit: share of the change IPR(0) -> IPR(end) done before "
                        "t_fit",
                        (c_fit - c0) / (c_end - c0), max_before,
                        fmt::format("({} - {}) / ({} - {})", num(c_fit), num(c0), num(c_end), num(c0))));
  std::vector<double> tail(ipr.begin() + static_cast<std::ptrdiff_t>(i_fit), ipr.begin() + static_cast<std::ptrdiff_t>(n));
  const int64_t k = first_crossing(tail, 0.5 * (c_fit + c_end), false);
  const double t_mid = k < 0 ? kNaN : step[i_fit + static_cast<size_t>(k)];
  out.push_back(Verdict{"rise_midpoint_in_window" + tag, "the midpoint of the rise lies between t_fit and t_gen",
                        fmt::format("midpoint step {} (t_fit {}, t_gen {})", num(t_mid), num(t_fit), num(t_gen)),
                        std::isfinite(t_mid) && t_mid > t_fit && t_mid <= t_gen, t_mid, kNaN});
  return out;
}

namespace detail {

CheckOutput check_demo_representation(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  for (const auto& run : in.runs) {
    const std::string tag = in.runs.size() > 1 ? " " + run_label(run) : "";
    const double t_fit = run.clock_step("t_fit"), t_gen = run.clock_step("t_gen");
    const auto v = concentration_verdicts(run.column("step"), run.column("neuron_ipr"), t_fit, t_gen,
                                          in.param("min_rise", 3.0), in.param("max_before", 0.3), tag);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    // The run's own representation clock: its metric and whether it fired (summary.json).
    std::string metric = "?", reason;
    bool fired = false;
    double t_rep = kNaN;
    if (std::ifstream f(run.dir / "summary.json"); f) {
      try {
        const auto s = nlohmann::json::parse(f);
        const auto& c = s.at("clocks").at("t_rep");
        metric = c.value("metric", "?");
        fired = c.value("fired", false);
        if (fired && c.contains("step") && c["step"].is_number()) t_rep = c["step"].get<double>();
        reason = c.value("reason", "");
      } catch (const std::exception&) {
        reason = "summary.json has no clocks.t_rep";
      }
    }
    out.verdicts.push_back(Verdict{"t_rep_on_neuron_ipr" + tag,
                                   "the run's representation clock t_rep is measured on neuron_ipr and fires after "
                                   "t_fit",
                                   fired ? fmt::format("t_rep = {} on {} (t_fit {})", num(t_rep), metric, num(t_fit))
                                         : fmt::format("t_rep on {} did not fire: {}", metric, reason),
                                   fired && metric == "neuron_ipr" && t_rep > t_fit, t_rep, kNaN});
    const auto ipr = run.column("neuron_ipr"), srank = run.column("srank_w1"), conc = run.column("neuron_conc_frac");
    auto first = [](const std::vector<double>& s) { return s.empty() ? kNaN : s.front(); };
    auto last = [](const std::vector<double>& s) { return s.empty() ? kNaN : s.back(); };
    out.measured.push_back(fmt::format(
        "{}: t_fit {}, t_gen {}; neuron_ipr {} at step 0, {} at t_fit, {} at t_gen, {} at the end; neurons with >= 90% "
        "of their energy on one frequency: {} at the end; srank_w1 {} -> {} (not a falling clock on this model)",
        run_label(run), num(t_fit), num(t_gen), num(first(ipr)), num(value_at_step(run, "neuron_ipr", t_fit)),
        num(value_at_step(run, "neuron_ipr", t_gen)), num(last(ipr)), num(last(conc)), num(first(srank)),
        num(last(srank))));
  }
  add_curve_figure(figs, "demo_neuron_ipr",
                   "DEMO: mean per-neuron Fourier IPR of the first layer (1/K flat, 1 a single frequency) and the "
                   "fraction of neurons with >= 90% of their energy on one frequency",
                   in.runs, {"neuron_ipr", "neuron_conc_frac"}, {"IPR", "concentrated"}, false, kNaN, "");
  add_curve_figure(figs, "demo_accuracy", "DEMO: train and test accuracy", in.runs, {"acc_train", "acc_test"},
                   {"train", "test"}, false, kNaN, "");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
