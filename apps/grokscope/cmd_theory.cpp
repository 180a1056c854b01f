// `grokscope theory <instrument>`: the theory instruments of docs/theory.md, each writing a normal run directory.
// Only the isolated dynamics (Musat MU-5) are a subcommand so far.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/io/theory_config.h"
#include "grokscope/theory/isolated_dynamics.h"
#include "interrupt.h"
#include "progress.h"

namespace grokscope::cli {

namespace {
struct IsolatedOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir = "runs/isolated";
  bool force = false;
  bool quiet = false;
};

int run_isolated(const IsolatedOptions& opt) {
  const theory::IsolatedConfig config = load_isolated_config(opt.config_path, opt.overrides);
  theory::validate(config);  // before anything is written
  const RunConfig network = theory::isolated_run_config(config);
  prepare_run_dir(opt.out_dir, opt.force ? ExistingDir::replace : ExistingDir::refuse);

  RunDirWriter writer(opt.out_dir, network);
  add_isolated_files(writer, config);
  const bool live = !opt.quiet && isatty(fileno(stderr));
  ProgressObserver observer(writer, live, interrupt_flag());
  const RunSummary summary = [&] {
    const CatchInterrupt catch_interrupt;
    return theory::simulate_isolated_dynamics(config, observer);
  }();

  return report_finished_run(opt.out_dir, summary, opt.quiet);
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
  return [sub, iso]() -> int {
    if (sub->parsed()) return run_isolated(*iso);
    std::fprintf(stderr, "grokscope theory: unknown instrument\n");
    return 2;
  };
}

}  // namespace grokscope::cli
