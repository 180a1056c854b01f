// A sweep as a Slurm job array (docs/cluster.md): DIR/slurm/sweep.sbatch runs one array task per shard (shard.h;
// task K of --array=1-N runs --shard K/N), with a log per task, requeued on preemption (a requeued task skips the
// runs it finished); DIR/slurm/merge.sbatch runs `grokscope sweep merge DIR`, submitted with
// --dependency=afterany on the array. This file writes the scripts; it does not call sbatch (the CLI does).
#pragma once

#include <filesystem>
#include <string>

#include "grokscope/sweep/spec.h"

namespace grokscope::sweep {

struct SlurmOptions {
  std::string partition;     // #SBATCH --partition (none: the cluster's default)
  std::string time;          // #SBATCH --time per task, e.g. 2:00:00 or 1-12:00:00 (none: the partition's default)
  int cpus_per_task = 0;     // 0: sweep.threads_per_run (one run at a time per task)
  int array_limit = 0;       // at most this many tasks at once (--array=1-N%M); 0: no limit
  int shards = 0;            // array tasks; 0: enough for one run at a time per CPU (runs / workers, rounded up)
  bool no_plot = false;      // pass --no-plot to the tasks and the merge
};

struct SlurmPlan {
  int runs = 0;              // grid points
  int shards = 0;            // array tasks
  int workers = 0;           // runs at a time in one task: cpus_per_task / threads_per_run
  int cpus_per_task = 0;
  std::filesystem::path array_script, merge_script, logs;
};

// Checks the options (ConfigError naming the flag: --partition, --time, --cpus-per-task, --array-limit, --shards),
// resolves and validates every run config, refuses a sweep directory holding another sweep (as run_sweep does),
// all before anything is written; then writes DIR/sweep.toml, base.toml and DIR/slurm/{sweep,merge}.sbatch and
// creates DIR/slurm/logs. `sweep_file` and `exe` (the grokscope executable) are made absolute in the scripts, so
// they must be on a filesystem the nodes share, like `out`. With force: clears `out` first (run_sweep's --force).
SlurmPlan write_slurm_scripts(const SweepSpec& spec, const std::filesystem::path& sweep_file,
                              const std::filesystem::path& out, const std::filesystem::path& exe,
                              const SlurmOptions& options, bool force);

// `text` quoted for a POSIX shell ('...').
std::string shell_quote(const std::string& text);

}  // namespace grokscope::sweep
