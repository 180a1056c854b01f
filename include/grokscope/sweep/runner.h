// Running a sweep: every grid point is a run in its own directory (OUT/runs/<name>, the usual outputs), trained
// in-process on a pool of worker threads, one run per worker and train.threads = threads_per_run (1) each; the
// index (OUT/index.sqlite) gets one row per run. Re-running resumes: finished runs (completed, diverged) are skipped,
// the others are rerun from scratch in a fresh directory. Killing the process at any moment loses no finished run:
// a row turns finished in one transaction after the run's summary.json exists, and a run whose summary.json exists
// but whose row is not finished (killed in between) is taken from the file on the next start.
//
// Sweep directory:  sweep.toml (the sweep file as given), base.toml (its base config file, when it has one),
// index.sqlite, index.csv, cells.csv, fits.csv, fits.json, runs/<name>/..., and from grokscope plot: figures/,
// report.html. A .lock file keeps two sweeps out of one directory. A sharded sweep (shard.h, docs/cluster.md) also
// has shards/ (one database per shard; index.sqlite is merged from them) and, from --slurm, slurm/.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "grokscope/sweep/aggregate.h"
#include "grokscope/sweep/grid.h"
#include "grokscope/sweep/merge.h"
#include "grokscope/sweep/record.h"
#include "grokscope/sweep/shard.h"
#include "grokscope/sweep/spec.h"

namespace grokscope::sweep {

struct SweepEvent {
  enum class Kind { planned, started, finished, note };
  Kind kind = Kind::note;
  const RunRecord* record = nullptr;   // started / finished: the run
  int total = 0, skipped = 0, to_run = 0, done = 0, workers = 0;   // planned: counts; finished: done so far
  std::string text;                    // note: a warning (e.g. a figure that could not be drawn)
};

struct SweepOptions {
  std::filesystem::path out;           // the sweep directory
  int workers = 0;                     // 0: the spec's workers, else as many as cores (never more than runs to do)
  bool force = false;                  // delete a previous sweep in `out` (only a directory with index.sqlite)
  // The memory the workers' runs may need at once (bytes; --max-memory); nullopt: the memory available now.
  std::optional<int64_t> max_memory;
  std::optional<Shard> shard;          // run only this shard's points, into its own database (shard.h)
  const std::atomic<bool>* stop = nullptr;   // set -> running runs stop (status stopped), no new run starts
  // Called from one thread at a time (the runner serializes them).
  std::function<void(const SweepEvent&)> on_event;
  // Called in the worker thread after each run that produced a summary.json (e.g. figures and report.html).
  // An exception becomes a note event; the run stays recorded.
  std::function<void(const std::filesystem::path& run_dir)> after_run;
};

struct SweepResult {
  int total = 0;          // grid points
  int skipped = 0;        // already finished before this invocation
  int ran = 0;            // started by this invocation
  int unfinished = 0;     // grid points not finished at the end (failed, stopped, or never started)
  double seconds = 0.0;
  SweepAnalysis analysis;
};

// Resolves and validates every run config first (ConfigError before anything is written), checks that the workers'
// runs fit in memory at once (the largest run's estimate times the workers against options.max_memory or the memory
// available; ConfigError naming the keys that drive it), then prepares `out`
// (IoError for a non-empty directory that is not a sweep, or a sweep directory locked by another process), runs
// what is left, and writes index.csv, cells.csv, fits.csv and fits.json.
// With options.shard: runs only the shard's points, records into DIR/shards/shard-K-of-N.sqlite and writes none of
// the directory's outputs (the result counts the shard's runs); a sweep file other than DIR/sweep.toml, or --force,
// is refused (ConfigError) before anything is written. Without it, in a directory that holds shards: the same
// check, then the whole grid runs as shard 1/1 (runs finished by the shards are taken from their summary.json) and
// the outputs are merged from every shard (merge.h). Shards share DIR/.lock; a whole sweep holds it alone.
SweepResult run_sweep(const SweepSpec& spec, const SweepOptions& options);

// A sweep directory: one that holds index.sqlite or shard databases.
bool is_sweep_dir(const std::filesystem::path& dir);

// The spec (analysis part, from the index's meta) and the runs of a sweep directory, re-analysed; writes
// index.csv, cells.csv, fits.csv and fits.json again. When the directory holds shards, index.sqlite is first merged
// from them (merge_shards). Throws IoError when dir is not a sweep directory.
struct SweepData {
  SweepSpec spec;
  std::vector<RunRecord> runs;
  SweepAnalysis analysis;
  std::optional<MergeSummary> merged;   // when index.sqlite was merged from shards
};
SweepData load_sweep_dir(const std::filesystem::path& dir);

}  // namespace grokscope::sweep
