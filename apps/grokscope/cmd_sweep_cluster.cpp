// The cluster side of `grokscope sweep` (see sweep_cluster.h): shards, merge, Slurm scripts and their submission.
#include "sweep_cluster.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "grokscope/core/error.h"
#include "grokscope/plot/report.h"
#include "grokscope/sweep/runner.h"

namespace grokscope::cli {

namespace fs = std::filesystem;

std::optional<sweep::Shard> shard_of_process(const std::string& shard_flag) {
  if (!shard_flag.empty()) return sweep::parse_shard(shard_flag);
  return sweep::shard_from_slurm([](const char* name) { return std::getenv(name); });
}

int run_sweep_merge(const std::string& dir, bool no_plot, bool quiet) {
  if (!sweep::is_sweep_dir(dir))
    throw IoError(fmt::format("{}: not a sweep directory (no index.sqlite, no shards/shard-K-of-N.sqlite)", dir));
  const sweep::SweepData data = sweep::load_sweep_dir(dir);   // merges the shards
  if (!no_plot) {
    try {
      (void)plot::redraw_sweep(dir, plot::find_gnuplot());    // merges again (idempotent), then draws
    } catch (const std::exception& e) {
      std::fprintf(stderr, "grokscope: warning: sweep figures: %s\n", e.what());
    }
  }
  const auto& a = data.analysis;
  if (!quiet) {
    if (data.merged)
      std::printf("merged %d shard%s of %s: %d runs, %d finished (%d taken from their summary.json), %d not finished\n",
                  data.merged->shards, data.merged->shards == 1 ? "" : "s", dir.c_str(), data.merged->runs,
                  data.merged->finished, data.merged->from_files, data.merged->runs - data.merged->finished);
    else
      std::printf("%s has no shards; its index was re-analysed: %d runs, %d finished\n", dir.c_str(), a.n_runs,
                  a.n_finished);
    std::printf("index: %s/index.csv  cells: %s/cells.csv  fits: %s/fits.csv%s\n", dir.c_str(), dir.c_str(),
                dir.c_str(), no_plot ? "" : fmt::format("  report: {}/report.html", dir).c_str());
  }
  return a.n_finished == a.n_runs ? 0 : 1;
}

namespace {
// Runs `sbatch --parsable ARGS` and returns the job id it prints, or "" (its output shown on stderr) on failure.
std::string sbatch(const std::string& args) {
  const std::string cmd = "sbatch --parsable " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return "";
  std::string out;
  std::array<char, 512> buf{};
  size_t got = 0;
  while ((got = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), got);
  const int status = pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  const std::string id = out.substr(0, out.find(';'));   // "<id>[;<cluster>]"
  if (status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    std::fprintf(stderr, "grokscope: error: %s failed: %s\n", cmd.c_str(), out.c_str());
    return "";
  }
  return id;
}
}  // namespace

int run_sweep_slurm(const sweep::SweepSpec& spec, const std::string& sweep_path, const std::string& out,
                    const sweep::SlurmOptions& options, bool force, bool submit, bool quiet) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw IoError(fmt::format("cannot find the grokscope executable (/proc/self/exe): {}", ec.message()));
  const sweep::SlurmPlan plan = sweep::write_slurm_scripts(spec, sweep_path, out, exe, options, force);
  if (!quiet)
    std::printf("sweep %s: %d runs in %d array tasks (%d run%s at a time, %d CPU%s each); logs in %s\n",
                spec.name.c_str(), plan.runs, plan.shards, plan.workers, plan.workers == 1 ? "" : "s",
                plan.cpus_per_task, plan.cpus_per_task == 1 ? "" : "s", plan.logs.c_str());
  const std::string array_script = sweep::shell_quote(plan.array_script.string());
  const std::string merge_script = sweep::shell_quote(plan.merge_script.string());
  if (!submit) {
    if (!quiet)
      std::printf("array: %s\nmerge: %s\nsubmit both with --submit, or:\n  id=$(sbatch --parsable %s)\n"
                  "  sbatch --dependency=afterany:${id%%%%;*} %s\n",
                  plan.array_script.c_str(), plan.merge_script.c_str(), array_script.c_str(), merge_script.c_str());
    return 0;
  }
  const std::string array_id = sbatch(array_script);
  if (array_id.empty()) return 1;
  const std::string merge_id = sbatch("--dependency=afterany:" + array_id + " " + merge_script);
  if (merge_id.empty()) {
    std::fprintf(stderr, "grokscope: the array job %s was submitted, the merge job was not: run `grokscope sweep "
                         "merge %s` when the array is done\n", array_id.c_str(), out.c_str());
    return 1;
  }
  // The ids on stdout even with -q: scripts read them.
  std::printf("array job %s\nmerge job %s\n", array_id.c_str(), merge_id.c_str());
  return 0;
}

}  // namespace grokscope::cli
