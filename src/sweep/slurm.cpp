// The Slurm job array of a sweep (see sweep/slurm.h).
#include "grokscope/sweep/slurm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "grokscope/core/error.h"
#include "grokscope/sweep/grid.h"
#include "grokscope/sweep/shard.h"
#include "sweep_dir.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {

void check_options(const SlurmOptions& o) {
  const bool plain_partition = std::all_of(o.partition.begin(), o.partition.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ',';
  });
  if (!plain_partition)
    throw ConfigError("--partition", o.partition, "a partition name (letters, digits, _ - . and , between names)");
  if (o.time.find_first_not_of("0123456789:-") != std::string::npos || (!o.time.empty() && !std::isdigit(o.time[0])))
    throw ConfigError("--time", o.time, "a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH or D-HH:MM:SS");
  if (o.cpus_per_task < 0 || o.cpus_per_task > 4096)
    throw ConfigError("--cpus-per-task", std::to_string(o.cpus_per_task), "must be in [1, 4096]");
  if (o.array_limit < 0) throw ConfigError("--array-limit", std::to_string(o.array_limit), "must be at least 1");
  if (o.shards < 0 || o.shards > 1000000)
    throw ConfigError("--shards", std::to_string(o.shards), "must be in [1, 1000000]");
}

std::string sbatch_header(const SlurmOptions& o, const std::string& job_name, int cpus, const fs::path& log,
                          const fs::path& workdir) {
  std::string h = "#!/bin/bash\n";
  h += fmt::format("#SBATCH --job-name={}\n", job_name);
  h += fmt::format("#SBATCH --cpus-per-task={}\n", cpus);
  if (!o.partition.empty()) h += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (!o.time.empty()) h += fmt::format("#SBATCH --time={}\n", o.time);
  h += fmt::format("#SBATCH --output={}\n", log.string());
  h += "#SBATCH --open-mode=append\n";
  h += fmt::format("#SBATCH --chdir={}\n", workdir.string());
  return h;
}

}  // namespace

SlurmPlan write_slurm_scripts(const SweepSpec& spec, const fs::path& sweep_file, const fs::path& out,
                              const fs::path& exe, const SlurmOptions& options, bool force) {
  check_options(options);
  SlurmPlan plan;
  const auto points = expand_grid(spec);
  for (const auto& p : points) (void)resolve_run(spec, p);   // every config resolves and validates
  plan.runs = static_cast<int>(points.size());
  plan.cpus_per_task = options.cpus_per_task > 0 ? options.cpus_per_task : spec.threads_per_run;
  plan.workers = std::max(1, plan.cpus_per_task / spec.threads_per_run);
  plan.shards = options.shards > 0 ? options.shards : (plan.runs + plan.workers - 1) / plan.workers;
  if (plan.shards > plan.runs)
    throw ConfigError("--shards", std::to_string(plan.shards),
                      fmt::format("more shards than the sweep's {} runs (a shard would have nothing to do)", plan.runs));
  if (!force) check_same_sweep_file(out, spec, "--out", out.string());

  const fs::path abs_out = fs::absolute(out).lexically_normal();
  prepare_sweep_dir(out, /*sharded=*/!force);
  {
    const FileLock lock(out / ".lock", FileLock::Mode::exclusive,
                        fmt::format("--out {}: a grokscope sweep is running in this directory", out.string()));
    if (force) clear_sweep_dir(out);
  }
  write_text_if_changed(out / "sweep.toml", spec.text);
  if (!spec.base_text.empty()) write_text_if_changed(out / "base.toml", spec.base_text);
  fs::create_directories(out / "shards");   // a sharded sweep directory from now on (shard.h)
  plan.logs = abs_out / "slurm" / "logs";
  fs::create_directories(plan.logs);
  plan.array_script = abs_out / "slurm" / "sweep.sbatch";
  plan.merge_script = abs_out / "slurm" / "merge.sbatch";
  const fs::path workdir = fs::current_path();
  const std::string plot = options.no_plot ? " --no-plot" : "";

  std::string array = sbatch_header(options, "gs-" + spec.name, plan.cpus_per_task,
                                    plan.logs / "shard-%a-job-%A.out", workdir);
  array += fmt::format("#SBATCH --array=1-{}{}\n", plan.shards,
                       options.array_limit > 0 ? fmt::format("%{}", options.array_limit) : "");
  array += "#SBATCH --requeue\n";
  array += fmt::format(
      "# grokscope sweep {}: {} runs in {} shards, one array task each ({} run{} at a time per task); written by\n"
      "# `grokscope sweep --slurm` (docs/cluster.md). Task K runs shard K/{}; a requeued or resubmitted task skips\n"
      "# the runs it finished and reruns the others (resubmit some: sbatch --array=2,5 sweep.sbatch).\n",
      spec.name, plan.runs, plan.shards, plan.workers, plan.workers == 1 ? "" : "s", plan.shards);
  array += fmt::format("echo \"grokscope: shard ${{SLURM_ARRAY_TASK_ID}}/{} of job ${{SLURM_ARRAY_JOB_ID}} on "
                       "$(hostname), restart ${{SLURM_RESTART_COUNT:-0}}, $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n",
                       plan.shards);
  // The shard count is written here, not read from SLURM_ARRAY_TASK_COUNT, so that a resubmitted subset of the
  // array (sbatch --array=3 ...) still runs shard 3 of N.
  array += fmt::format("exec {} sweep {} --out {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{}\" --workers {}{}\n",
                       shell_quote(exe.string()), shell_quote(fs::absolute(sweep_file).lexically_normal().string()),
                       shell_quote(abs_out.string()), plan.shards, plan.workers, plot);
  std::string merge = sbatch_header(options, "gs-" + spec.name + "-merge", 1, plan.logs / "merge-job-%j.out", workdir);
  merge += fmt::format(
      "# grokscope sweep {}: merges the shards into index.sqlite, index.csv, cells.csv, fits and the report; submit\n"
      "# it with --dependency=afterany:<array job id> (docs/cluster.md). Merging again is harmless.\n",
      spec.name);
  merge += fmt::format("exec {} sweep merge {}{}\n", shell_quote(exe.string()), shell_quote(abs_out.string()), plot);
  write_text_if_changed(plan.array_script, array);
  write_text_if_changed(plan.merge_script, merge);
  return plan;
}

}  // namespace grokscope::sweep
