// The sweep runner: plan, resume, worker pool (see sweep/runner.h).
#include "grokscope/sweep/runner.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/sweep/index.h"
#include "grokscope/train/memory_estimate.h"
#include "grokscope/sweep/merge.h"
#include "sweep_dir.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Forwards everything to the run directory writer and adds the sweep's stop flag.
class StopObserver : public RunObserver {
 public:
  StopObserver(RunObserver& inner, const std::atomic<bool>* stop) : inner_(inner), stop_(stop) {}
  void on_start(const RunStart& s) override { inner_.on_start(s); }
  void on_eval(const std::vector<double>& row) override { inner_.on_eval(row); }
  void on_progress(const Progress& p) override { inner_.on_progress(p); }
  void on_trajectory(int64_t step, double time, const std::vector<double>& params) override {
    inner_.on_trajectory(step, time, params);
  }
  void on_finish(const RunSummary& s, const std::vector<NpyArray>& params) override { inner_.on_finish(s, params); }
  bool stop_requested() override { return (stop_ && stop_->load()) || inner_.stop_requested(); }

 private:
  RunObserver& inner_;
  const std::atomic<bool>* stop_;
};

RunRecord record_for(const SweepSpec& spec, const GridPoint& p, const std::string& hash) {
  RunRecord r;
  r.name = p.name;
  r.cell = p.cell;
  r.cell_index = p.cell_index;
  r.seed = p.seed;
  for (size_t a = 0; a < spec.axes.size(); ++a) r.axes.emplace_back(spec.axes[a].key, p.values[a]);
  r.config_hash = hash;
  return r;
}

void write_outputs(const fs::path& out, const SweepIndex& index, const SweepSpec& spec, SweepAnalysis& analysis) {
  index.export_csv(out / "index.csv");
  analysis = analyze(spec, index.runs(true));
  write_cells_csv(out / "cells.csv", spec, analysis);
  write_fits(out / "fits.csv", out / "fits.json", analysis);
}

std::string derived_key(const SweepSpec& spec) {
  const json j = spec_to_json(spec);
  return json{{"phase", j["phase"]}, {"t_below", j["t_below"]}}.dump();
}

}  // namespace

bool is_sweep_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "index.sqlite", ec) || is_sharded_dir(dir);
}

namespace {

// 1. The plan: every point's config resolves and validates before anything is written.
struct Plan {
  std::vector<GridPoint> points;
  std::vector<InstrumentRun> runs;   // config, hash and the run of each point, for its instrument
  std::vector<std::string> hashes;
};

Plan plan_runs(const SweepSpec& spec) {
  Plan plan;
  plan.points = expand_grid(spec);
  plan.runs.reserve(plan.points.size());
  for (const auto& p : plan.points) {
    plan.runs.push_back(resolve_run(spec, p));
    plan.hashes.push_back(plan.runs.back().hash);
  }
  return plan;
}

// 1b. Memory, before anything is written: `workers` runs at once, each as large as the largest run of the plan
//     (an upper bound: a resumed sweep may have fewer left), against --max-memory or the memory available now. A
//     run's own train.max_memory is its own cap (checked by train()), not the sweep's.
void check_sweep_memory(const Plan& plan, int workers, std::optional<int64_t> cap) {
  if (plan.runs.empty()) return;
  size_t largest = 0;
  MemoryEstimate largest_estimate;
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    MemoryEstimate e = estimate_memory(plan.runs[i].config);
    if (i == 0 || e.total > largest_estimate.total) largest = i, largest_estimate = std::move(e);
  }
  RunConfig config = plan.runs[largest].config;
  config.train.max_memory.clear();
  check_memory(config, largest_estimate, cap ? cap : available_memory(), workers,
               cap ? fmt::format("--max-memory ({} runs at once)", workers) : "");
}

// 2. The index brought up to the plan: a finished run made with another config is refused; the grid, the spec and
//    the sweep file are recorded. Returns the rows as they were before, by run name.
std::map<std::string, RunRecord> sync_index(const fs::path& out, const SweepSpec& spec, const Plan& plan,
                                            SweepIndex& index) {
  std::map<std::string, RunRecord> previous;
  for (auto& r : index.runs(false)) previous.emplace(r.name, std::move(r));
  for (size_t i = 0; i < plan.points.size(); ++i) {
    auto it = previous.find(plan.points[i].name);
    if (it != previous.end() && is_finished_status(it->second.status) && it->second.config_hash != plan.hashes[i])
      throw ConfigError("sweep", plan.points[i].name,
                        fmt::format("this run was made with another config (config_hash {}, now {}): the sweep file, "
                                    "its base or grokscope changed; use --force to rerun the sweep, or another --out",
                                    it->second.config_hash, plan.hashes[i]));
  }
  index.sync_grid(spec, plan.points, plan.hashes);
  index.set_meta("name", spec.name);
  index.set_meta("spec", spec_to_json(spec).dump());
  index.set_meta("sweep_file", spec.text);
  index.set_meta("sweep_source", spec.source);
  index.set_meta("base_source", spec.base_source);
  index.set_meta("base_file", spec.base_text);
  write_text_if_changed(out / "sweep.toml", spec.text);
  if (!spec.base_text.empty()) write_text_if_changed(out / "base.toml", spec.base_text);
  fs::create_directories(out / "runs");
  return previous;
}

// 3. What is left to do. A finished row is kept (its derived fields recomputed when [phase] or [t_below] changed); a
//    run whose summary.json exists with a finished status and the expected config hash is taken from the file;
//    everything else is (re)run. Returns the indices of the points to run; counts the others in `skipped`.
std::vector<size_t> pending_runs(const fs::path& out, const SweepSpec& spec, const Plan& plan, const Shard& shard,
                                 const std::map<std::string, RunRecord>& previous, SweepIndex& index, int& skipped) {
  const bool refresh = index.meta("derived").value_or("") != derived_key(spec);
  std::map<std::string, RunRecord> synced;   // rows after sync_grid, read once when derived fields need a refresh
  if (refresh)
    for (auto& r : index.runs(false)) synced.emplace(r.name, std::move(r));
  std::vector<size_t> todo;
  for (size_t i = 0; i < plan.points.size(); ++i) {
    if (!shard.owns(i)) continue;
    const GridPoint& point = plan.points[i];
    const fs::path dir = out / "runs" / point.name;
    auto it = previous.find(point.name);
    const bool row_finished = it != previous.end() && is_finished_status(it->second.status);
    if (row_finished && fs::exists(dir / "summary.json")) {
      if (refresh) {
        RunRecord r = synced.at(point.name);
        refresh_derived(dir, spec, r);
        index.record(r);
      }
      ++skipped;
      continue;
    }
    RunRecord r = record_for(spec, point, plan.hashes[i]);
    if (it != previous.end()) r.started_at = it->second.started_at;
    if (read_run_outputs(dir, spec, r) && is_finished_status(r.status) && r.config_hash == plan.hashes[i]) {
      r.finished_at = utc_now();
      index.record(r);
      ++skipped;
      continue;
    }
    todo.push_back(i);
  }
  index.set_meta("derived", derived_key(spec));
  return todo;
}

// One run of the pool, start to finish: its row marked running, the run into its directory, the row recorded (or
// marked failed with the error), the per-run hook, index.csv refreshed.
void run_one(const fs::path& out, const SweepSpec& spec, const Plan& plan, size_t i, const SweepOptions& options,
             SweepIndex& index, std::mutex& export_mutex, const std::function<void(const SweepEvent&)>& emit,
             RunRecord& r) {
  const GridPoint& p = plan.points[i];
  const fs::path dir = out / "runs" / p.name;
  r = record_for(spec, p, plan.hashes[i]);
  r.started_at = utc_now();
  r.status = "running";
  index.mark_started(p.name);
  SweepEvent started;
  started.kind = SweepEvent::Kind::started;
  started.record = &r;
  emit(started);
  bool has_summary = false;
  try {
    clear_partial_run_dir(dir);
    prepare_run_dir(dir, ExistingDir::replace);
    RunDirWriter writer(dir, plan.runs[i].config);
    StopObserver observer(writer, options.stop);
    try {
      plan.runs[i].run(writer, observer);
    } catch (const std::exception& e) {   // a write failed, memory ran out: summary.json says "failed" if it can
      writer.write_failure(e.what());
      throw;
    }
    has_summary = read_run_outputs(dir, spec, r);
    if (!has_summary) throw IoError(fmt::format("{}: no readable summary.json after the run", dir.string()));
    r.finished_at = utc_now();
    index.record(r);
  } catch (const std::exception& e) {
    r.status = "failed";
    r.message = e.what();
    try {
      index.mark_status(p.name, r.status, r.message);
    } catch (const std::exception&) {
    }
  }
  if (has_summary && options.after_run) {
    try {
      options.after_run(dir);
    } catch (const std::exception& e) {
      SweepEvent note;
      note.kind = SweepEvent::Kind::note;
      note.text = fmt::format("{}: {}", p.name, e.what());
      emit(note);
    }
  }
  if (options.shard) return;   // a shard writes no file of the directory's own (the merge does)
  std::lock_guard lock_export(export_mutex);
  try {
    index.export_csv(out / "index.csv");
  } catch (const std::exception&) {
  }
}

}  // namespace

SweepResult run_sweep(const SweepSpec& spec, const SweepOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const Plan plan = plan_runs(spec);
  int workers = options.workers > 0 ? options.workers : spec.workers;
  if (workers <= 0) workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  check_sweep_memory(plan, std::min<int>(workers, static_cast<int>(plan.points.size())), options.max_memory);

  const fs::path out = options.out;
  // A shard, or the whole sweep in a directory that holds shards, records into its shard database (shard.h).
  if (options.shard && options.force)
    throw ConfigError("--force", "", fmt::format("not with --shard {}: one shard cannot clear the directory of the "
                                                 "others (run the whole sweep with --force, or use another --out)",
                                                 options.shard->text()));
  const bool sharded = options.shard || (!options.force && is_sharded_dir(out));
  const Shard shard = options.shard.value_or(Shard{});
  if (sharded)
    check_same_sweep_file(out, spec, options.shard ? "--shard" : "--out",
                          options.shard ? shard.text() : out.string());
  prepare_sweep_dir(out, sharded);
  const FileLock lock(out / ".lock", options.shard ? FileLock::Mode::shared : FileLock::Mode::exclusive,
                      fmt::format("--out {}: {} is running in this directory", out.string(),
                                  options.shard ? "a whole (unsharded) grokscope sweep" : "another grokscope sweep"));
  if (options.force) clear_sweep_dir(out);
  std::optional<FileLock> shard_lock;
  if (sharded) {
    shard_lock.emplace(shard_lock_path(out, shard), FileLock::Mode::exclusive,
                       fmt::format("--shard {}: this shard is already running in {}", shard.text(), out.string()));
  }
  SweepIndex index(sharded ? shard_db_path(out, shard) : out / "index.sqlite",
                   sharded ? IndexJournal::shared : IndexJournal::wal);
  const auto previous = sync_index(out, spec, plan, index);

  SweepResult result;
  for (size_t i = 0; i < plan.points.size(); ++i) result.total += shard.owns(i) ? 1 : 0;
  const std::vector<size_t> todo = pending_runs(out, spec, plan, shard, previous, index, result.skipped);

  workers = std::max(1, std::min(workers, static_cast<int>(todo.size())));
  std::mutex event_mutex;
  const std::function<void(const SweepEvent&)> emit = [&](const SweepEvent& e) {
    if (!options.on_event) return;
    std::lock_guard lock_events(event_mutex);
    options.on_event(e);
  };
  SweepEvent planned;
  planned.kind = SweepEvent::Kind::planned;
  planned.total = result.total;
  planned.skipped = result.skipped;
  planned.to_run = static_cast<int>(todo.size());
  planned.workers = todo.empty() ? 0 : workers;
  emit(planned);

  // 4. The worker pool: each worker takes the next pending run until none is left or the stop flag is set.
  std::atomic<size_t> next{0};
  std::atomic<int> done{0}, ran{0};
  std::mutex export_mutex;
  auto worker = [&] {
    for (;;) {
      if (options.stop && options.stop->load()) return;
      const size_t k = next.fetch_add(1);
      if (k >= todo.size()) return;
      ++ran;
      RunRecord r;
      run_one(out, spec, plan, todo[k], options, index, export_mutex, emit, r);
      SweepEvent finished;
      finished.kind = SweepEvent::Kind::finished;
      finished.record = &r;
      finished.done = ++done;
      finished.to_run = static_cast<int>(todo.size());
      emit(finished);
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(worker);
  if (!todo.empty()) worker();
  for (auto& t : pool) t.join();

  // 5. Outputs of the whole sweep: written directly, or merged from the shards (a shard only counts its own runs).
  if (!sharded) {
    write_outputs(out, index, spec, result.analysis);
  } else if (!options.shard) {
    result.analysis = load_sweep_dir(out).analysis;
  } else {
    std::vector<RunRecord> own;
    const auto rows = index.runs(true);
    for (size_t i = 0; i < plan.points.size(); ++i)
      if (shard.owns(i))
        for (const auto& r : rows)
          if (r.name == plan.points[i].name) own.push_back(r);
    result.analysis = analyze(spec, own);
  }
  result.ran = ran.load();
  result.unfinished = result.analysis.n_runs - result.analysis.n_finished;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

SweepData load_sweep_dir(const fs::path& dir) {
  if (!is_sweep_dir(dir)) throw IoError(fmt::format("{}: not a sweep directory (no index.sqlite)", dir.string()));
  std::optional<MergeSummary> merged;
  if (has_shards(dir)) merged = merge_shards(dir);
  else if (!fs::is_regular_file(dir / "index.sqlite"))
    throw IoError(fmt::format("{}: no shard has recorded a run yet (shards/ holds no database)", dir.string()));
  SweepIndex index(dir / "index.sqlite");
  const auto spec_text = index.meta("spec");
  if (!spec_text) throw IoError(fmt::format("{}: the sweep index has no spec", dir.string()));
  SweepData data;
  data.spec = spec_from_json(json::parse(*spec_text));
  data.spec.text = index.meta("sweep_file").value_or("");
  data.spec.source = index.meta("sweep_source").value_or("");
  data.spec.base_source = index.meta("base_source").value_or("");
  data.runs = index.runs(true);
  data.merged = merged;
  write_outputs(dir, index, data.spec, data.analysis);
  return data;
}

}  // namespace grokscope::sweep
