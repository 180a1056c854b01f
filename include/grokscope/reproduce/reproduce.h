// One reproduction: run a catalog entry's sweep at a scale (sweep/runner.h: resumable, one run per worker), then its
// verdict check on the finished runs, its figures (gnuplot) and its report. Output directory OUT:
//   OUT/...                       the sweep directory (sweep.toml, index.sqlite, runs/<name>/, figures/, report.html)
//   OUT/reproduce/report.md       claim, scale and its changes, wall time, verdict table, measurements, figures
//   OUT/reproduce/verdicts.json   the same as data
//   OUT/reproduce/figures/        the check's figures (PNG and SVG)
// With several seeds the check runs once per seed and the verdicts are combined (reproduce/seeds.h); the figures and
// the per-run measurements come from one call on all runs.
// An OUT that holds the same entry at the same scale is resumed (finished runs are kept); one that holds another
// entry or scale, or anything that is not a sweep, is refused without force (force replaces only a sweep directory).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "grokscope/plot/gnuplot.h"
#include "grokscope/reproduce/catalog.h"
#include "grokscope/reproduce/checks.h"
#include "grokscope/reproduce/seeds.h"
#include "grokscope/sweep/runner.h"

namespace grokscope::reproduce {

struct ReproduceOptions {
  std::string scale = "quick";
  std::filesystem::path out;                 // empty: runs/reproduce/<ID>-<scale>
  bool force = false;
  int workers = 0;                           // 0: the sweep's default (as many as cores)
  int seeds = 0;                             // > 0: run seeds 0..seeds-1 instead of the catalog file's seeds
  std::optional<std::string> gnuplot;        // nullopt: no figures
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const sweep::SweepEvent&)> on_event;
};

struct ReproduceResult {
  CatalogEntry entry;
  std::string scale;
  std::filesystem::path out;
  int runs = 0, unfinished = 0, skipped = 0;
  double seconds = 0.0;                      // wall time of this invocation (runs, checks, figures)
  CheckOutput check;                         // with several seeds: the combined verdicts (reproduce/seeds.h)
  std::vector<int64_t> seeds;                // the seeds of the finished runs
  std::vector<std::vector<SeedOutcome>> per_seed;   // per verdict of check, its outcome on each seed (empty: one seed)
  std::vector<plot::Figure> figures;
  std::vector<std::string> notes;
  bool pass() const;                         // every run finished and every verdict passed
};

std::filesystem::path default_out(const CatalogEntry& entry, const std::string& scale);

// Throws ConfigError for a bad entry or scale (before anything is written), IoError for an OUT that is refused.
ReproduceResult run_reproduction(const CatalogEntry& entry, const ReproduceOptions& options);

// The report as Markdown (also written to OUT/reproduce/report.md).
std::string report_markdown(const ReproduceResult& result);

}  // namespace grokscope::reproduce
