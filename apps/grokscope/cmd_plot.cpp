// `grokscope plot`: redraws the figures and report.html of a run or a sweep directory from its saved outputs.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "grokscope/core/error.h"
#include "grokscope/plot/report.h"
#include "grokscope/sweep/runner.h"

namespace grokscope::cli {

namespace {
struct PlotOptions {
  std::string dir;
  bool no_runs = false;
  bool quiet = false;
};

void print_notes(const std::string& where, const std::vector<std::string>& notes, bool quiet) {
  if (quiet) return;
  for (const auto& n : notes) std::printf("  %s: %s\n", where.c_str(), n.c_str());
}

int run_plot(const PlotOptions& opt) {
  namespace fs = std::filesystem;
  const fs::path dir(opt.dir);
  const bool is_sweep = sweep::is_sweep_dir(dir);
  if (!is_sweep && !fs::exists(dir / "metrics.csv") && !fs::exists(dir / "summary.json"))
    throw IoError(fmt::format("{}: not a run directory (metrics.csv, summary.json) or a sweep directory (index.sqlite)",
                              opt.dir));
  const auto gnuplot = plot::find_gnuplot();
  if (!gnuplot && !plot::figures_disabled()) {
    std::fprintf(stderr, "grokscope: error: %s\n", plot::kNoGnuplot);
    return 2;
  }
  try {
    if (!is_sweep) {
      print_notes(opt.dir, plot::redraw_run(dir, gnuplot), opt.quiet);
      if (!opt.quiet) std::printf("figures: %s/figures  report: %s/report.html\n", opt.dir.c_str(), opt.dir.c_str());
      return 0;
    }
    int runs = 0;
    if (!opt.no_runs && fs::exists(dir / "runs")) {
      for (const auto& entry : fs::directory_iterator(dir / "runs")) {
        if (!fs::exists(entry.path() / "metrics.csv") && !fs::exists(entry.path() / "summary.json")) continue;
        print_notes(entry.path().filename().string(), plot::redraw_run(entry.path(), gnuplot), opt.quiet);
        ++runs;
      }
    }
    print_notes(opt.dir, plot::redraw_sweep(dir, gnuplot), opt.quiet);
    if (!opt.quiet)
      std::printf("figures: %s/figures  report: %s/report.html  (%d run reports redrawn)\n", opt.dir.c_str(),
                  opt.dir.c_str(), runs);
    return 0;
  } catch (const IoError& e) {
    std::fprintf(stderr, "grokscope: error: %s\n", e.what());
    return 1;
  }
}
}  // namespace

Action add_plot_command(CLI::App& app) {
  auto opt = std::make_shared<PlotOptions>();
  CLI::App* cmd = app.add_subcommand("plot", "Redraw the figures and report.html of a run or sweep directory (gnuplot)");
  cmd->add_option("dir", opt->dir, "Run directory or sweep directory")->required();
  cmd->add_flag("--no-runs", opt->no_runs, "For a sweep: redraw only the sweep's own figures and page");
  cmd->add_flag("-q,--quiet", opt->quiet, "Print nothing but errors");
  return [opt] { return run_plot(*opt); };
}

}  // namespace grokscope::cli
