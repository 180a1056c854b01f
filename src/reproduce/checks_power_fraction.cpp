// Verdict check of Power et al. 2022's Fig. 1 (centre) / §3.1.1 (catalog PW-2; science.md §4.1): the median number of
// steps until the validation accuracy first reaches 99% grows steeply as the training fraction falls, while the steps
// to 99% train accuracy stay within about a decade. A run whose validation accuracy never reaches 99% within its
// budget is "above the budget" (+infinity in the median), never left out.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "check_util.h"

namespace grokscope::reproduce {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Median with NaN read as +infinity (above the budget); the mean of the two middle values for an even count.
double censored_median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  for (auto& x : v)
    if (std::isnan(x)) x = kInf;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string steps_text(double t, double budget) {
  return std::isfinite(t) ? num(t) : fmt::format("> {} (above the budget)", num(budget));
}

}  // namespace

std::vector<FractionCell> fraction_cells(const std::vector<FractionRun>& runs) {
  std::map<double, std::vector<const FractionRun*>> by_fraction;
  for (const auto& r : runs) by_fraction[r.fraction].push_back(&r);
  std::vector<FractionCell> cells;
  for (const auto& [fraction, rs] : by_fraction) {
    FractionCell c;
    c.fraction = fraction;
    c.runs = static_cast<int>(rs.size());
    std::vector<double> gen, fit;
    c.budget = kInf;
    for (const FractionRun* r : rs) {
      gen.push_back(r->t_gen);
      fit.push_back(r->t_fit);
      c.budget = std::min(c.budget, r->budget);
      if (std::isfinite(r->t_gen)) ++c.generalized;
    }
    c.t_gen = censored_median(gen);
    c.t_fit = censored_median(fit);
    cells.push_back(c);
  }
  return cells;
}

std::vector<Verdict> power_fraction_verdicts(const std::vector<FractionRun>& runs, double min_rise,
                                             double max_fit_spread) {
  const std::vector<FractionCell> cells = fraction_cells(runs);   // ascending fraction
  std::vector<Verdict> out;
  if (cells.size() < 3) {
    out.push_back(missing("later_for_smaller_fraction", "three or more training fractions",
                          fmt::format("{} fraction(s)", cells.size())));
    return out;
  }
  std::string gen_m, fit_m;
  double fit_lo = kInf, fit_hi = 0;
  for (const auto& c : cells) {
    gen_m += fmt::format("{}{}: {} ({}/{} runs reached 99%)", gen_m.empty() ? "" : ", ", num(c.fraction),
                         steps_text(c.t_gen, c.budget), c.generalized, c.runs);
    fit_m += fmt::format("{}{}: {}", fit_m.empty() ? "" : ", ", num(c.fraction), steps_text(c.t_fit, c.budget));
    fit_lo = std::min(fit_lo, c.t_fit);
    fit_hi = std::max(fit_hi, c.t_fit);
  }
  const FractionCell &smallest = cells.front(), &largest = cells.back();
  out.push_back(Verdict{"generalizes_at_largest_fraction",
                        fmt::format("at the largest training fraction ({}) the median run reaches 99% validation "
                                    "accuracy within the budget",
                                    num(largest.fraction)),
                        "median steps to 99% validation: " + steps_text(largest.t_gen, largest.budget),
                        std::isfinite(largest.t_gen), largest.t_gen, kNaN});
  // Non-increasing in the fraction; strictly decreasing where both medians are finite (two fractions above the
  // budget are a tie that says nothing, a finite median below a smaller fraction's finite median is a reversal).
  bool ordered = true;
  for (size_t i = 0; i + 1 < cells.size(); ++i) {
    const double a = cells[i].t_gen, b = cells[i + 1].t_gen;
    if (std::isfinite(b) ? !(a > b) : std::isfinite(a)) ordered = false;
  }
  out.push_back(Verdict{"later_for_smaller_fraction",
                        "the median steps to 99% validation accuracy fall as the training fraction grows (strictly "
                        "where both are within the budget; a fraction above the budget only below every one within it)",
                        "median steps to 99% validation by fraction: " + gen_m, ordered && std::isfinite(largest.t_gen),
                        kNaN, kNaN});
  // The rise factor; a smallest fraction above the budget gives the lower bound budget / t(largest).
  const bool censored = !std::isfinite(smallest.t_gen);
  const double rise = (censored ? smallest.budget : smallest.t_gen) / largest.t_gen;
  out.push_back(Verdict{"steep_rise",
                        fmt::format("the median steps to 99% validation grow steeply as the fraction falls: median at "
                                    "the smallest fraction ({}) / median at the largest ({}) >= {}",
                                    num(smallest.fraction), num(largest.fraction), num(min_rise)),
                        fmt::format("{} / {}{}", steps_text(smallest.t_gen, smallest.budget), num(largest.t_gen),
                                    censored ? ": the budget gives a lower bound" : ""),
                        std::isfinite(rise) && rise >= min_rise, rise, min_rise});
  const double spread = fit_hi / fit_lo;
  out.push_back(Verdict{"train_fit_within_a_decade",
                        fmt::format("the median steps to 99% train accuracy stay within a factor {} over the fractions "
                                    "(Power: 10^3-10^4 steps while validation explodes)",
                                    num(max_fit_spread)),
                        "median steps to 99% train accuracy by fraction: " + fit_m + fmt::format("; spread {}", num(spread)),
                        std::isfinite(spread) && spread <= max_fit_spread, spread, max_fit_spread});
  return out;
}

namespace detail {

CheckOutput check_power_fraction(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  const double fit_acc = in.param("fit_acc", 0.99);
  std::vector<FractionRun> rows;
  for (const auto& run : in.runs) {
    FractionRun r;
    r.fraction = run.config_number("task.train_fraction");
    r.budget = run.config_number("train.steps");
    r.t_gen = run.clock_step("t_gen");   // eval.acc_threshold: 0.99 (checked below)
    const auto steps_col = run.column("step");
    const int64_t k = first_crossing(run.column("acc_train"), fit_acc, false);
    r.t_fit = k < 0 ? kNaN : steps_col[static_cast<size_t>(k)];
    rows.push_back(r);
    const double threshold = run.config_number("eval.acc_threshold");
    out.measured.push_back(fmt::format("{}: steps to {} train accuracy {}, to {} validation accuracy (t_gen) {}; "
                                       "budget {} steps, last evaluation {}",
                                       run.name, num(fit_acc), steps_text(r.t_fit, r.budget), num(threshold),
                                       steps_text(r.t_gen, r.budget), num(r.budget),
                                       num(steps_col.empty() ? kNaN : steps_col.back())));
    if (threshold != 0.99)
      out.verdicts.push_back(missing("t_gen_at_99_percent " + run.name, "t_gen is measured at 99% validation accuracy",
                                     "eval.acc_threshold = " + num(threshold)));
  }
  const auto v = power_fraction_verdicts(rows, in.param("min_rise", 10), in.param("max_fit_spread", 10));
  out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
  const auto cells = fraction_cells(rows);
  for (size_t i = 0; i + 1 < cells.size(); ++i) {
    const FractionCell &a = cells[i], &b = cells[i + 1];
    // Power's unit near 25-30%: the relative growth of the median per percentage point of data removed (a lower
    // bound from the budget when the smaller fraction is above it; nothing when both are).
    const bool bound = !std::isfinite(a.t_gen);
    const double per_point =
        std::pow((bound ? a.budget : a.t_gen) / b.t_gen, 1.0 / (100.0 * (b.fraction - a.fraction))) - 1.0;
    out.measured.push_back(fmt::format("fraction {} -> {}: median steps to 99% validation {} -> {}, {}{}% per "
                                       "percentage point of data removed",
                                       num(b.fraction), num(a.fraction), steps_text(b.t_gen, b.budget),
                                       steps_text(a.t_gen, a.budget), bound ? "at least " : "",
                                       num(std::isfinite(b.t_gen) ? 100.0 * per_point : kNaN)));
  }
  if (!figs || cells.empty()) return out;
  std::vector<double> f, gen, fit, budget;
  for (const auto& c : cells) {
    f.push_back(100.0 * c.fraction);
    gen.push_back(std::isfinite(c.t_gen) ? c.t_gen : kNaN);
    fit.push_back(std::isfinite(c.t_fit) ? c.t_fit : kNaN);
    budget.push_back(std::isfinite(c.t_gen) ? kNaN : c.budget);
  }
  std::vector<double> rf, rg;   // every run's steps to 99% validation (the seeds' scatter)
  for (const auto& r : rows)
    if (std::isfinite(r.t_gen)) rf.push_back(100.0 * r.fraction), rg.push_back(r.t_gen);
  figs->data("pw2_cells.dat", columns_text({"percent", "t_gen_median", "t_fit_median", "above_budget"},
                                           {f, gen, fit, budget}));
  figs->data("pw2_runs.dat", columns_text({"percent", "t_gen"}, {rf, rg}));
  figs->figure("pw2_steps_to_99",
               "PW-2 (Power et al. Fig. 1 centre): median steps to 99% validation (and train) accuracy against the "
               "training fraction; points: single runs; triangles: fractions whose median is above the budget",
               "set logscale y\nset xlabel 'training data (%)'\nset ylabel 'steps' noenhanced\n"
               "set key top right noenhanced\nset title 'PW-2: steps to 99% accuracy' noenhanced\n"
               "plot 'pw2_cells.dat' using 1:2 with linespoints pt 7 ps 1.5 lw 2 title 'validation (median)', "
               "'' using 1:3 with linespoints pt 5 lw 2 title 'train (median)', "
               "'' using 1:4 with points pt 9 ps 2 title 'above the budget', "
               "'pw2_runs.dat' using 1:2 with points pt 6 title 'validation (runs)'\n");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
