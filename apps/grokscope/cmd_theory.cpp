// `grokscope theory <instrument>`: the theory instruments of docs/theory.md, each writing a normal run directory.
// Subcommands: the isolated dynamics (Musat MU-5) and GD on the toy landscapes (Musat MU-3).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/io/theory_config.h"
#include "grokscope/theory/isolated_dynamics.h"
#include "grokscope/theory/landscape_run.h"
#include "interrupt.h"
#include "progress.h"

namespace grokscope::cli {

namespace {
struct IsolatedOptions {   // also the options of `theory landscape`
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir = "runs/isolated";
  bool force = false;
  bool quiet = false;
};

// Runs one theory instrument into opt.out_dir: the dir is refused early and made once the setup succeeded.
template <class AddFiles, class Simulate>
int run_instrument(const IsolatedOptions& opt, const RunConfig& nominal, AddFiles add_files, Simulate simulate) {
  const ExistingDir existing = opt.force ? ExistingDir::replace : ExistingDir::refuse;
  check_run_dir(opt.out_dir, existing);
  RunDirWriter writer(opt.out_dir, nominal);
  writer.prepare_at_start(existing);
  add_files(writer);
  const bool live = !opt.quiet && isatty(fileno(stderr));
  ProgressObserver observer(writer, live, interrupt_flag());
  const RunSummary summary = [&] {
    const CatchInterrupt catch_interrupt;
    return simulate(observer);
  }();
  return report_finished_run(opt.out_dir, summary, opt.quiet);
}

int run_isolated(const IsolatedOptions& opt) {
  const theory::IsolatedConfig config = load_isolated_config(opt.config_path, opt.overrides);
  theory::validate(config);  // before anything is written
  return run_instrument(
      opt, theory::isolated_run_config(config), [&](RunDirWriter& w) { add_isolated_files(w, config); },
      [&](RunObserver& observer) { return theory::simulate_isolated_dynamics(config, observer); });
}

int run_landscape(const IsolatedOptions& opt) {
  const theory::LandscapeConfig config = load_landscape_config(opt.config_path, opt.overrides);
  theory::validate(config);  // before anything is written
  return run_instrument(
      opt, theory::landscape_run_config(config), [&](RunDirWriter& w) { add_landscape_files(w, config); },
      [&](RunObserver& observer) { return theory::simulate_landscape(config, observer); });
}
}  // namespace

Action add_theory_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("theory", "Theory instruments: simulate what the grokking theories predict "
                                               "(docs/theory.md)");
  cmd->require_subcommand(1);
  auto iso = std::make_shared<IsolatedOptions>();
  CLI::App* sub = cmd->add_subcommand(
      "isolated", "Musat's isolated embedding dynamics with the min-norm readout (MU-5 by default)");
  sub->add_option("config", iso->config_path, "TOML file with an [isolated] table (default: the MU-5 values)");
  sub->add_option("--set", iso->overrides, "Override a key: --set isolated.lr=1e-2 (repeatable; prefix optional)")
      ->take_all()
      ->allow_extra_args(false);
  sub->add_option("--out", iso->out_dir, "Run directory (default: runs/isolated)");
  sub->add_flag("--force", iso->force, "Replace an existing run directory (never a directory that is not a run)");
  sub->add_flag("-q,--quiet", iso->quiet, "Print nothing but errors");
  auto land = std::make_shared<IsolatedOptions>();
  land->out_dir = "runs/landscape";
  CLI::App* lsub = cmd->add_subcommand(
      "landscape", "GD on Musat's two-parameter toy landscapes with dist_Z and the gradient's angle to Z (MU-3)");
  lsub->add_option("config", land->config_path, "TOML file with a [landscape] table (default: parabola, 3 starts)");
  lsub->add_option("--set", land->overrides,
                   "Override a key: --set landscape.kind=curved (repeatable; prefix optional)")
      ->take_all()
      ->allow_extra_args(false);
  lsub->add_option("--out", land->out_dir, "Run directory (default: runs/landscape)");
  lsub->add_flag("--force", land->force, "Replace an existing run directory (never a directory that is not a run)");
  lsub->add_flag("-q,--quiet", land->quiet, "Print nothing but errors");
  return [sub, iso, lsub, land]() -> int {
    if (sub->parsed()) return run_isolated(*iso);
    if (lsub->parsed()) return run_landscape(*land);
    std::fprintf(stderr, "grokscope theory: unknown instrument\n");
    return 2;
  };
}

}  // namespace grokscope::cli
