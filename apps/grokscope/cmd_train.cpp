// `grokscope train`: one run from a TOML config, outputs in a run directory.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/train/memory_estimate.h"
#include "grokscope/train/trainer.h"
#include "interrupt.h"
#include "progress.h"

namespace grokscope::cli {

namespace {
struct TrainOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir;
  bool force = false;
  bool quiet = false;
  std::string max_memory;
};

std::string default_out_dir(const std::string& config_path) {
  std::filesystem::path p(config_path);
  return (std::filesystem::path("runs") / p.stem()).string();
}

int run_train(const TrainOptions& opt) {
  RunConfig config = load_run_config(opt.config_path, opt.overrides);
  if (!opt.max_memory.empty()) config.train.max_memory = opt.max_memory;
  validate(config);  // every config error is reported before anything is written
  // The memory available now (or the cap): refused before anything is allocated or written.
  check_memory(config, estimate_memory(config), available_memory());
  const std::string out = opt.out_dir.empty() ? default_out_dir(opt.config_path) : opt.out_dir;
  const ExistingDir existing = opt.force ? ExistingDir::replace : ExistingDir::refuse;
  check_run_dir(out, existing);   // refuse early; the dir itself is made once the setup succeeded

  RunDirWriter writer(out, config);
  writer.prepare_at_start(existing);
  const bool live = !opt.quiet && isatty(fileno(stderr));
  ProgressObserver observer(writer, live, interrupt_flag());
  RunSummary summary;
  try {
    const CatchInterrupt catch_interrupt;
    summary = train(config, observer);
  } catch (const std::exception& e) {
    if (!writer.started()) throw;   // nothing was written: main reports it (bad input, memory at setup: exit 2)
    return report_failed_run(writer, e.what());
  }
  return report_finished_run(out, summary, opt.quiet);
}
}  // namespace

Action add_train_command(CLI::App& app) {
  auto opt = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train one run from a TOML config and write its run directory");
  cmd->add_option("config", opt->config_path, "TOML config file (see docs/config.md)")->required();
  cmd->add_option("--set", opt->overrides, "Override a config key: --set optim.lr=0.1 (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("--out", opt->out_dir, "Run directory (default: runs/<config name>)");
  cmd->add_flag("--force", opt->force, "Replace an existing run directory (never a directory that is not a run)");
  cmd->add_flag("-q,--quiet", opt->quiet, "Print nothing but errors");
  cmd->add_option("--max-memory", opt->max_memory,
                  "Refuse the run when its estimated peak memory is above this (16G, 512M; sets train.max_memory)");
  return [opt] { return run_train(*opt); };
}

}  // namespace grokscope::cli
