// Subcommands of the grokscope CLI. Each registers its options on the app and returns the action to run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace grokscope::cli {

using Action = std::function<int()>;

// grokscope train CONFIG [--set key=value]... [--out DIR] [--force]
Action add_train_command(CLI::App& app);

// grokscope sweep SWEEP.toml [--out DIR] [--workers N] [--force] [--no-plot] [--list] [--shard K/N]
//   [--slurm [--partition P] [--time T] [--cpus-per-task C] [--array-limit M] [--shards N] [--submit]];
// grokscope sweep merge DIR
Action add_sweep_command(CLI::App& app);

// grokscope plot RUN_OR_SWEEP_DIR [--no-runs]
Action add_plot_command(CLI::App& app);

// grokscope reproduce --list | ID [--scale quick|paper] [--out DIR] [--force] [--workers N] [--no-plot]
Action add_reproduce_command(CLI::App& app);

// grokscope theory isolated [CONFIG] [--set isolated.key=value]... [--out DIR] [--force] (docs/theory.md)
Action add_theory_command(CLI::App& app);

// `grokscope columns` (cmd_columns.cpp).
Action add_columns_command(CLI::App& app);

}  // namespace grokscope::cli
