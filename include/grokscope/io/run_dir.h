// A run directory: the observer that writes a run's outputs (docs/outputs.md).
//   config.toml         the fully resolved config
//   metrics.csv         one row per evaluation, flushed as produced (a killed run keeps every finished row)
//   split.npz           the task's data: train_idx, test_idx and the table (a, b, c) of a modular task; the
//                       reference arrays of the others (w_star, teacher, X_star, train_cells, ...; docs/outputs.md)
//   params_init.npz     parameters at step 0, PyTorch orientation (w: out x in, b: 1-D)
//   params_final.npz    parameters at the end (the last finite-loss step for a diverged run)
//   summary.json        status, clocks, final metrics, timing, version, config hash
//   trajectory.csv      every step's parameters (only with eval.record_trajectory)
// Whole files are written to a temporary name and renamed, so none is ever half-written.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/train/config.h"
#include "grokscope/core/run.h"

namespace grokscope {

enum class ExistingDir { refuse, replace };

// Creates dir for a new run. An existing non-empty dir is refused (IoError naming it and --force) unless
// `existing` is replace and the dir looks like a grokscope run (it holds config.toml, metrics.csv or summary.json);
// a non-empty directory that is not a run is never deleted.
void prepare_run_dir(const std::filesystem::path& dir, ExistingDir existing);
// The refusals of prepare_run_dir alone (IoError), touching nothing: for front ends that create the dir only once
// the run's setup (data, model, optimizer) has succeeded.
void check_run_dir(const std::filesystem::path& dir, ExistingDir existing);

// Writes text to path atomically (temporary file, then rename). Throws IoError.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

// The summary.json object of a run.
nlohmann::json summary_to_json(const RunSummary& summary, const RunConfig& config, const RunStart& start);

class RunDirWriter : public RunObserver {
 public:
  RunDirWriter(std::filesystem::path dir, const RunConfig& config);  // the dir must have been prepared
  ~RunDirWriter() override;
  RunDirWriter(const RunDirWriter&) = delete;
  RunDirWriter& operator=(const RunDirWriter&) = delete;

  // Prepare the dir (prepare_run_dir) at on_start instead of before: a run whose setup fails leaves nothing behind
  // (and a replaced previous run stays in place).
  void prepare_at_start(ExistingDir existing) { prepare_at_start_ = existing; }

  void on_start(const RunStart& start) override;
  void on_eval(const std::vector<double>& row) override;
  void on_trajectory(int64_t step, double time, const std::vector<double>& params) override;
  void on_finish(const RunSummary& summary, const std::vector<NpyArray>& params_final) override;

  const std::filesystem::path& dir() const { return dir_; }
  // After a run that threw once on_start had begun (a write failed, memory ran out): closes the files and writes a
  // summary.json with status "failed" and the message, best effort. Returns whether it was written; nothing happens
  // (false) before on_start or after a summary.json was written by on_finish. Every finished metrics.csv row stays.
  bool write_failure(const std::string& message);
  bool started() const { return started_; }   // on_start has begun: the run directory may hold files

  // Extra outputs of runs that are not training runs (theory instruments): a file written (atomically) at on_start,
  // and a top-level member of summary.json. Call before on_start / on_finish.
  void add_file(const std::string& name, const std::string& text) { extra_files_.emplace_back(name, text); }
  void add_summary_field(const std::string& name, const nlohmann::json& value) { extra_summary_[name] = value; }

 private:
  std::filesystem::path dir_;
  const RunConfig& config_;
  RunStart start_;
  std::FILE* metrics_ = nullptr;
  std::FILE* trajectory_ = nullptr;
  std::vector<std::pair<std::string, std::string>> extra_files_;
  nlohmann::json extra_summary_ = nlohmann::json::object();
  std::optional<ExistingDir> prepare_at_start_;
  bool started_ = false, finished_ = false;

  void close_files();
};

}  // namespace grokscope
