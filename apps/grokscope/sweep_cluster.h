// The cluster side of `grokscope sweep` (cmd_sweep_cluster.cpp): the shard of this process, `sweep merge DIR`, and
// `sweep FILE --slurm` (docs/cluster.md).
#pragma once

#include <optional>
#include <string>

#include "grokscope/sweep/shard.h"
#include "grokscope/sweep/slurm.h"
#include "grokscope/sweep/spec.h"

namespace grokscope::cli {

// --shard K/N when given (the Slurm variables are then not read), else the Slurm array task's shard, else none.
// Throws ConfigError on a bad --shard or contradicting Slurm variables.
std::optional<sweep::Shard> shard_of_process(const std::string& shard_flag);

// `grokscope sweep merge DIR [--no-plot] [-q]`: index.sqlite, index.csv, cells, fits (and figures, report) from the
// shards. Exit status 0 when every run is finished, 1 otherwise.
int run_sweep_merge(const std::string& dir, bool no_plot, bool quiet);

// `grokscope sweep FILE --slurm ...`: writes DIR/slurm/*.sbatch; with submit, submits the array and the merge job
// (afterany) with sbatch and prints their ids. Exit status 0, 1 when sbatch fails.
int run_sweep_slurm(const sweep::SweepSpec& spec, const std::string& sweep_path, const std::string& out,
                    const sweep::SlurmOptions& options, bool force, bool submit, bool quiet);

}  // namespace grokscope::cli
