// The sweep index: an SQLite database (index.sqlite in the sweep directory) with one row per run, plus a CSV export.
// Every change is one transaction, so a killed sweep leaves either the old row or the new one, never a mix. A run's
// row becomes finished only after its summary.json exists (the runner reads the row's outcome from that file).
// Schema (docs/sweep.md):
//   meta(key PRIMARY KEY, value)                      schema version, sweep name, the analysis spec as JSON
//   runs(name PRIMARY KEY, cell, cell_index, seed, axes JSON, in_grid, status, message, phase, steps_done, time,
//        t_fit_step, t_fit_time, t_gen_step, t_gen_time, gen_over_fit, seconds, steps_per_second,
//        config_hash, started_at, finished_at, config JSON)
//   axis_values(run, key, value JSON, num)            one row per run and axis (num: the value when it is a number)
//   clocks(run, clock, eps, fired, step, time)        t_fit, t_gen, t_cls(eps)..., t_rep, t_below, gen_over_fit
//   final_metrics(run, metric, value)                 the last metrics.csv row
// The SQLite API is private to src/sweep (the library links libsqlite3 privately). Thread-safe: one mutex.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "grokscope/sweep/grid.h"
#include "grokscope/sweep/record.h"

namespace grokscope::sweep {

// How the database keeps its transactions:
//   wal       write-ahead log, synchronous=NORMAL: the sweep directory's own index.sqlite, on one machine;
//   shared    rollback journal, synchronous=FULL: a shard's database, written on one node and read later from
//             another through a network filesystem (a WAL needs shared memory between its users; a rollback journal
//             does not);
//   scratch   journal in memory, no sync: a file built whole, then renamed into place (the merged index).
enum class IndexJournal { wal, shared, scratch };

class SweepIndex {
 public:
  // Opens (creating when missing) the database. Throws IoError naming the file.
  explicit SweepIndex(const std::filesystem::path& file, IndexJournal journal = IndexJournal::wal);
  ~SweepIndex();
  SweepIndex(const SweepIndex&) = delete;
  SweepIndex& operator=(const SweepIndex&) = delete;

  void set_meta(const std::string& key, const std::string& value);
  std::optional<std::string> meta(const std::string& key) const;

  // Makes the index match a grid: inserts a pending row for each new point (with the expected config hash), updates
  // the grid fields and expected hash of rows that are not finished, and sets in_grid = 0 on rows of points that
  // are no longer in the grid (their data is kept). config_hashes[i] belongs to points[i].
  void sync_grid(const SweepSpec& spec, const std::vector<GridPoint>& points,
                 const std::vector<std::string>& config_hashes);

  void mark_started(const std::string& name);                                  // status running, started_at now
  void mark_status(const std::string& name, const std::string& status, const std::string& message);
  void record(const RunRecord& record);                                        // the whole row and its children

  std::optional<RunRecord> run(const std::string& name) const;
  std::vector<RunRecord> runs(bool in_grid_only = true) const;                 // in grid order (cell, then seed)

  // The runs (in grid) as CSV, one row per run: name, cell, seed, one column per axis key, status, phase,
  // steps_done, time, <clock>_step and <clock>_time per clock, gen_over_fit, final_<metric>..., seconds,
  // steps_per_second, config_hash, started_at, finished_at, message. Written atomically.
  void export_csv(const std::filesystem::path& path) const;

  // SQLite's PRAGMA integrity_check: "ok", or the problems it found (one line).
  std::string integrity_check() const;

 private:
  struct Db;
  std::unique_ptr<Db> db_;
  mutable std::mutex mutex_;
};

}  // namespace grokscope::sweep
