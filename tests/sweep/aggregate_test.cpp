// Aggregation across seeds (median and quartiles with censoring) and scaling-law fits on synthetic clocks that follow
// a known law exactly: slope, intercept and R^2 must come back.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "grokscope/sweep/aggregate.h"

namespace {

using namespace grokscope::sweep;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kInf = std::numeric_limits<double>::infinity();

ClockValue clock(const std::string& name, double step, double eps = 0.0) {
  ClockValue c;
  c.name = name;
  c.eps = eps;
  c.fired = std::isfinite(step);
  if (c.fired) c.step = step, c.time = step * 0.01;
  return c;
}

// One finished run of a cell: axis values, seed, t_gen (inf: never fired), t_fit = t_gen / 10.
RunRecord run(const std::vector<std::pair<std::string, json>>& axes, int64_t seed, double t_gen,
              const std::string& status = "completed") {
  RunRecord r;
  r.cell = "c";
  for (const auto& [k, v] : axes) r.cell += "_" + k + "=" + v.dump();
  r.name = r.cell + "_seed=" + std::to_string(seed);
  r.seed = seed;
  r.axes = axes;
  r.status = status;
  r.phase = std::isfinite(t_gen) ? "grokking" : "memorization";
  r.clocks = {clock("t_fit", std::isfinite(t_gen) ? t_gen / 10 : 50.0), clock("t_gen", t_gen)};
  ClockValue ratio;
  ratio.name = "gen_over_fit";
  ratio.fired = std::isfinite(t_gen);
  if (ratio.fired) ratio.step = 10.0;
  r.clocks.push_back(ratio);
  r.final_metrics = {{"acc_test", std::isfinite(t_gen) ? 1.0 : 0.3}};
  const double wd = axes.size() > 1 ? axes[1].second.get<double>() : 1.0;
  r.config = {{"optim", {{"kind", "adamw"}, {"lr", 0.01}, {"weight_decay", wd}}}};
  return r;
}

TEST(SweepAggregate, CensoredQuantiles) {
  EXPECT_DOUBLE_EQ(censored_quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(censored_quantile({1, 2, 3, 4}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(censored_quantile({1, 2, 3, 4}, 0.75), 3.25);
  EXPECT_DOUBLE_EQ(censored_quantile({5}, 0.5), 5);
  EXPECT_DOUBLE_EQ(censored_quantile({1, 2, kInf}, 0.5), 2);      // one of three never fired: median finite
  EXPECT_TRUE(std::isnan(censored_quantile({1, 2, kInf}, 0.75)));  // but the upper quartile is censored
  EXPECT_TRUE(std::isnan(censored_quantile({1, kInf}, 0.5)));      // half never fired: censored
  EXPECT_TRUE(std::isnan(censored_quantile({}, 0.5)));
}

TEST(SweepAggregate, MedianAndQuartilesPerCellAcrossSeeds) {
  SweepSpec spec;
  AxisSpec a;
  a.key = "model.init_scale";
  a.label = "alpha";
  a.values = {1.0, 2.0};
  spec.axes = {a};
  std::vector<RunRecord> runs;
  // Cell alpha=1: t_gen 100, 300, 200, 400 (seed order is not sorted order). Cell alpha=2: 2 of 3 never fired.
  for (int s = 0; s < 4; ++s) runs.push_back(run({{a.key, 1.0}}, s, std::vector<double>{100, 300, 200, 400}[s]));
  runs.push_back(run({{a.key, 2.0}}, 0, 500));
  runs.push_back(run({{a.key, 2.0}}, 1, kInf));
  runs.push_back(run({{a.key, 2.0}}, 2, kInf));
  runs.push_back(run({{a.key, 2.0}}, 3, 1.0, "running"));   // not finished: left out of every statistic
  runs.back().cell = runs[4].cell;
  runs[4].cell_index = runs[5].cell_index = runs[6].cell_index = runs[7].cell_index = 1;

  const SweepAnalysis an = analyze(spec, runs);
  EXPECT_EQ(an.n_runs, 8);
  EXPECT_EQ(an.n_finished, 7);
  EXPECT_EQ(an.status_counts.at("running"), 1);
  EXPECT_EQ(an.clock_names, (std::vector<std::string>{"t_fit", "t_gen", "gen_over_fit"}));
  ASSERT_EQ(an.cells.size(), 2u);
  const ClockStats* g = an.cells[0].clock("t_gen");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->n, 4);
  EXPECT_EQ(g->n_fired, 4);
  EXPECT_DOUBLE_EQ(g->median, 250);
  EXPECT_DOUBLE_EQ(g->q25, 175);
  EXPECT_DOUBLE_EQ(g->q75, 325);
  EXPECT_DOUBLE_EQ(g->min, 100);
  EXPECT_DOUBLE_EQ(g->max, 400);
  EXPECT_DOUBLE_EQ(g->median_time, 2.5);
  EXPECT_EQ(an.cells[0].phase, "grokking");
  EXPECT_DOUBLE_EQ(an.cells[0].acc_test_median, 1.0);

  const CellSummary& c2 = an.cells[1];
  EXPECT_EQ(c2.n_runs, 4);
  EXPECT_EQ(c2.n_finished, 3);
  const ClockStats* g2 = c2.clock("t_gen");
  EXPECT_EQ(g2->n, 3);
  EXPECT_EQ(g2->n_fired, 1);
  EXPECT_TRUE(std::isnan(g2->median));   // censored
  EXPECT_DOUBLE_EQ(g2->min, 500);
  EXPECT_EQ(c2.phase, "memorization");
  EXPECT_EQ(c2.phase_counts.at("memorization"), 2);
  EXPECT_DOUBLE_EQ(c2.acc_test_median, 0.3);
}

// t_gen = a + b ln(alpha) exactly in the medians (seeds at -d, 0, +d), for two weight decays: one fit per group,
// each with Lyu's predicted slope 1/(lr wd).
TEST(SweepAggregate, LogLawFitRecoversSlopeInterceptAndR2PerGroup) {
  SweepSpec spec;
  AxisSpec alpha, wd;
  alpha.key = "model.init_scale";
  alpha.label = "alpha";
  alpha.values = {1.0, 2.0, 4.0, 8.0, 16.0};
  wd.key = "optim.weight_decay";
  wd.label = "wd";
  wd.values = {0.5, 1.0};
  spec.axes = {alpha, wd};
  FitSpec f;
  f.clock = "t_gen";
  f.x = alpha.key;
  f.law = FitLaw::log;
  spec.fits = {f};
  std::vector<RunRecord> runs;
  int64_t cell = 0;
  for (double a : {1.0, 2.0, 4.0, 8.0, 16.0})
    for (double w : {0.5, 1.0}) {
      const double t = 300 + (100 / w) * std::log(a);
      for (int s = 0; s < 3; ++s) {
        runs.push_back(run({{alpha.key, a}, {wd.key, w}}, s, t + 7.0 * (s - 1)));
        runs.back().cell_index = cell;
      }
      ++cell;
    }
  const SweepAnalysis an = analyze(spec, runs);
  ASSERT_EQ(an.fits.size(), 2u);
  for (const auto& fit : an.fits) {
    ASSERT_EQ(fit.group.size(), 1u);
    const double w = fit.group[0].second.get<double>();
    ASSERT_TRUE(fit.line.ok);
    EXPECT_EQ(fit.line.n, 5);
    EXPECT_NEAR(fit.line.slope, 100 / w, 1e-9);
    EXPECT_NEAR(fit.line.intercept, 300, 1e-9);
    EXPECT_NEAR(fit.line.r2, 1.0, 1e-12);
    EXPECT_NEAR(fit.predicted_slope, 1.0 / (0.01 * w), 1e-9);
    EXPECT_EQ(fit.x_name, "ln(alpha)");
    EXPECT_EQ(fit.group_label(), w == 0.5 ? "weight_decay=0.5" : "weight_decay=1");
    EXPECT_EQ(fit.y_lo.size(), 5u);
    EXPECT_NEAR(fit.y_hi[0] - fit.y_lo[0], 7.0, 1e-9);   // quartiles of {t-7, t, t+7}
  }
}

TEST(SweepAggregate, InversePowerAndEpsLawsAndCensoredCells) {
  SweepSpec spec;
  AxisSpec wd;
  wd.key = "optim.weight_decay";
  wd.label = "wd";
  wd.values = {0.1, 0.2, 0.4, 0.8, 1.6};
  spec.axes = {wd};
  FitSpec inv{"t_gen", wd.key, FitLaw::inverse};
  FitSpec pow{"t_fit", wd.key, FitLaw::power};
  FitSpec eps{"t_cls", "eps", FitLaw::log_inverse};
  spec.fits = {inv, pow, eps};
  std::vector<RunRecord> runs;
  int64_t cell = 0;
  for (double w : {0.1, 0.2, 0.4, 0.8, 1.6}) {
    RunRecord r = run({{wd.key, w}}, 0, 5 + 3 / w);
    r.cell_index = cell++;
    r.clocks[0] = clock("t_fit", 2 * std::pow(w, 1.5));
    // t_cls(eps) = 10 + 20 ln(1/eps)
    for (double e : {0.1, 0.01, 0.001})
      r.clocks.insert(r.clocks.end() - 1, clock(fmt::format("t_cls({:g})", e), 10 + 20 * std::log(1 / e), e));
    runs.push_back(r);
  }
  // A sixth cell whose t_gen never fired: censored, left out of the t_gen fit and counted.
  wd.values.push_back(3.2);
  spec.axes = {wd};
  RunRecord never = run({{wd.key, 3.2}}, 0, kInf);
  never.cell_index = cell;
  never.clocks[0] = clock("t_fit", 2 * std::pow(3.2, 1.5));   // t_fit fired and follows its law
  runs.push_back(never);

  const SweepAnalysis an = analyze(spec, runs);
  const FitResult* fi = nullptr;
  const FitResult* fp = nullptr;
  std::vector<const FitResult*> fe;
  for (const auto& f : an.fits) {
    if (f.spec.law == FitLaw::inverse) fi = &f;
    if (f.spec.law == FitLaw::power) fp = &f;
    if (f.spec.x == "eps") fe.push_back(&f);
  }
  ASSERT_TRUE(fi && fp);
  EXPECT_NEAR(fi->line.slope, 3, 1e-9);
  EXPECT_NEAR(fi->line.intercept, 5, 1e-9);
  EXPECT_NEAR(fi->line.r2, 1, 1e-12);
  EXPECT_EQ(fi->line.n, 5);
  EXPECT_EQ(fi->censored, 1);
  EXPECT_TRUE(std::isnan(fi->predicted_slope));   // Lyu's prediction is for t_gen against init_scale only
  EXPECT_NEAR(fp->line.slope, 1.5, 1e-9);
  EXPECT_NEAR(fp->line.intercept, std::log(2.0), 1e-9);
  EXPECT_NEAR(law_curve(FitLaw::power, fp->line.intercept, fp->line.slope, 4.0), 16.0, 1e-9);
  EXPECT_EQ(fp->line.n, 6);
  // One eps fit per finished cell; the last cell never reached any t_cls threshold: no line, its 3 thresholds censored.
  ASSERT_EQ(fe.size(), 6u);
  EXPECT_FALSE(fe.back()->line.ok);
  EXPECT_EQ(fe.back()->censored, 3);
  fe.pop_back();
  for (const auto* f : fe) {
    EXPECT_NEAR(f->line.slope, 20, 1e-9);
    EXPECT_NEAR(f->line.intercept, 10, 1e-9);
    EXPECT_FALSE(f->cell.empty());
  }
}

TEST(SweepAggregate, WritesCellsAndFitsFiles) {
  SweepSpec spec;
  AxisSpec a;
  a.key = "model.init_scale";
  a.label = "alpha";
  a.values = {1.0, 2.0};
  spec.axes = {a};
  std::vector<RunRecord> runs = {run({{a.key, 1.0}}, 0, 100), run({{a.key, 2.0}}, 0, 169.31471805599453)};
  runs[1].cell_index = 1;
  const SweepAnalysis an = analyze(spec, runs);
  const fs::path dir = fs::temp_directory_path() / "grokscope_aggregate_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_cells_csv(dir / "cells.csv", spec, an);
  write_fits(dir / "fits.csv", dir / "fits.json", an);
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const std::string cells = read(dir / "cells.csv");
  EXPECT_EQ(cells.rfind("cell,model.init_scale,n_runs,n_finished,phase,acc_test_median,t_fit_n_fired", 0), 0u) << cells;
  EXPECT_EQ(std::count(cells.begin(), cells.end(), '\n'), 3);
  const json fits = json::parse(read(dir / "fits.json"));
  ASSERT_FALSE(fits.empty());
  bool found = false;
  for (const auto& f : fits)
    if (f["clock"] == "t_gen" && f["x"] == "model.init_scale") {
      found = true;
      EXPECT_NEAR(f["slope"].get<double>(), 100, 1e-6);
      EXPECT_EQ(f["points"].size(), 2u);
    }
  EXPECT_TRUE(found);
  EXPECT_NE(read(dir / "fits.csv").find("slope_over_predicted"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
