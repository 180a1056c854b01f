// Run directory outputs (see io/run_dir.h).
#include "grokscope/io/run_dir.h"
#include "grokscope/io/npz.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "grokscope/core/error.h"
#include "grokscope/core/version.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/io/write_fault.h"
#include "grokscope/kernels/blas.h"

namespace fs = std::filesystem;

namespace grokscope {

namespace {
bool looks_like_run(const fs::path& dir) {
  for (const char* name : {"config.toml", "metrics.csv", "summary.json"})
    if (fs::exists(dir / name)) return true;
  return false;
}

nlohmann::json clock_to_json(const Clock& c) {
  nlohmann::json j;
  if (c.name == "t_cls" || c.name == "t_rep") j["eps"] = c.eps;
  j["fired"] = c.fired;
  if (c.fired) {
    j["step"] = c.step;
    j["time"] = c.time;
    j["previous_eval_step"] = c.bracket_lo < 0 ? nlohmann::json() : nlohmann::json(c.bracket_lo);
  } else {
    j["step"] = nullptr;
    j["time"] = nullptr;
    j["reason"] = c.reason;
  }
  return j;
}
}  // namespace

void check_run_dir(const fs::path& dir, ExistingDir existing) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) throw IoError(fmt::format("--out {}: exists and is not a directory", dir.string()));
  if (fs::is_empty(dir, ec)) return;
  if (existing == ExistingDir::refuse)
    throw IoError(fmt::format("--out {}: directory exists and is not empty (use --force to replace a previous run)",
                              dir.string()));
  if (!looks_like_run(dir))
    throw IoError(fmt::format("--out {}: directory is not empty and does not look like a grokscope run "
                              "(no config.toml, metrics.csv or summary.json); refusing to delete it",
                              dir.string()));
}

void prepare_run_dir(const fs::path& dir, ExistingDir existing) {
  check_run_dir(dir, existing);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_empty(dir, ec)) {
      fs::remove_all(dir, ec);
      if (ec) throw IoError(fmt::format("--out {}: cannot remove the previous run: {}", dir.string(), ec.message()));
    }
  }
  fs::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("--out {}: cannot create directory: {}", dir.string(), ec.message()));
}

void write_file_atomic(const fs::path& path, const std::string& text) {
  check_write_fault(path);
  const fs::path tmp = path.string() + ".tmp";
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      const std::string reason = std::strerror(errno);
      out.close();
      fs::remove(tmp, ec);   // never leave a partial file behind
      throw IoError(fmt::format("cannot write {}: {}", tmp.string(), reason));
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError(fmt::format("cannot rename {} to {}: {}", tmp.string(), path.string(), ec.message()));
  }
}

nlohmann::json summary_to_json(const RunSummary& s, const RunConfig& config, const RunStart& start) {
  nlohmann::json j;
  j["status"] = to_string(s.status);
  j["message"] = s.message;
  j["steps_done"] = s.steps_done;
  j["time"] = s.time;
  nlohmann::json clocks;
  nlohmann::json t_cls = nlohmann::json::array();
  for (const auto& c : s.clocks) {
    if (c.name == "t_cls") {
      t_cls.push_back(clock_to_json(c));
    } else if (c.name == "t_rep") {
      nlohmann::json r = clock_to_json(c);
      r.erase("eps");
      r["metric"] = s.rep_metric;
      r["eta"] = c.eps;
      clocks["t_rep"] = r;
    } else {
      clocks[c.name] = clock_to_json(c);
    }
  }
  clocks["t_cls"] = t_cls;
  const Clock* fit = nullptr;
  const Clock* gen = nullptr;
  for (const auto& c : s.clocks) {
    if (c.name == "t_fit") fit = &c;
    if (c.name == "t_gen") gen = &c;
  }
  if (fit && gen && fit->fired && gen->fired && fit->step > 0)
    clocks["gen_over_fit"] = static_cast<double>(gen->step) / static_cast<double>(fit->step);
  else
    clocks["gen_over_fit"] = nullptr;
  j["clocks"] = clocks;
  nlohmann::json analysis = nlohmann::json::object();  // "fast_clock.nu" -> analysis["fast_clock"]["nu"]
  for (const auto& [name, value] : s.analysis) {
    const auto dot = name.find('.');
    analysis[name.substr(0, dot)][name.substr(dot + 1)] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
  }
  j["analysis"] = analysis;
  nlohmann::json final_metrics = nlohmann::json::object();
  for (size_t i = 0; i < s.final_columns.size() && i < s.final_values.size(); ++i)
    final_metrics[s.final_columns[i]] = s.final_values[i];
  j["final"] = final_metrics;
  const double eval_fraction = s.timing.seconds > 0 ? s.timing.eval_seconds / s.timing.seconds : 0.0;
  j["timing"] = {{"seconds", s.timing.seconds},
                 {"setup_seconds", s.timing.setup_seconds},
                 {"eval_seconds", s.timing.eval_seconds},
                 {"eval_fraction", eval_fraction},
                 {"steps_per_second", s.timing.steps_per_second},
                 {"cpu_seconds", s.timing.cpu_seconds},
                 {"eval_cpu_seconds", s.timing.eval_cpu_seconds}};
  if (s.flow)
    j["gradient_flow"] = {{"rtol", s.flow->rtol},
                          {"atol", s.flow->atol},
                          {"dt_max", s.flow->dt_max},
                          {"dt_floor", s.flow->dt_floor},
                          {"gradient_evaluations", s.flow->gradient_evaluations},
                          {"metric_passes", s.flow->metric_passes},
                          {"accepted_steps", s.flow->accepted_steps},
                          {"rejected_steps", s.flow->rejected_steps},
                          {"forced_steps", s.flow->forced_steps},
                          {"last_dt", s.flow->last_dt}};
  j["data"] = {{"n_train", start.n_train}, {"n_test", start.n_test}, {"n_params", start.n_params}};
  if (s.memory_estimate > 0)
    j["memory"] = {{"estimate_bytes", s.memory_estimate}, {"peak_rss_bytes", s.peak_rss}};
  j["environment"] = {{"version", version()},
                      {"git", git_describe()},
                      {"blas", kernels::blas_name()},
                      {"blas_threads", start.blas_threads}};
  j["config_hash"] = config_hash(config);
  j["config"] = to_json(config);
  return j;
}

RunDirWriter::RunDirWriter(fs::path dir, const RunConfig& config) : dir_(std::move(dir)), config_(config) {}

RunDirWriter::~RunDirWriter() {
  if (metrics_) std::fclose(metrics_);
  if (trajectory_) std::fclose(trajectory_);
}

namespace {
void write_line(std::FILE* f, std::string line, const fs::path& path);

void write_csv_row(std::FILE* f, const std::vector<double>& values, const fs::path& path) {
  check_write_fault(path);
  std::string line;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) line += ',';
    line += fmt::format("{}", values[i]);  // shortest representation that reads back exactly
  }
  line += '\n';
  write_line(f, line, path);
}

void write_line(std::FILE* f, std::string line, const fs::path& path) {
  if (line.empty() || line.back() != '\n') line += '\n';
  if (std::fputs(line.c_str(), f) < 0 || std::fflush(f) != 0)
    throw IoError(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
}
}  // namespace

void RunDirWriter::on_start(const RunStart& start) {
  if (prepare_at_start_) prepare_run_dir(dir_, *prepare_at_start_);
  started_ = true;
  start_ = start;
  write_file_atomic(dir_ / "config.toml", to_toml(config_));
  for (const auto& [name, text] : extra_files_) write_file_atomic(dir_ / name, text);
  write_npz((dir_ / "split.npz").string(), start.split);
  write_npz((dir_ / "params_init.npz").string(), start.params_init);
  start_.split.clear();
  start_.params_init.clear();
  const fs::path csv = dir_ / "metrics.csv";
  metrics_ = std::fopen(csv.string().c_str(), "w");
  if (!metrics_) throw IoError(fmt::format("cannot open {} for writing", csv.string()));
  std::string header;
  for (size_t i = 0; i < start.columns.size(); ++i) header += (i ? "," : "") + start.columns[i];
  write_line(metrics_, header, csv);
  if (!start.trajectory_columns.empty()) {
    const fs::path traj = dir_ / "trajectory.csv";
    trajectory_ = std::fopen(traj.string().c_str(), "w");
    if (!trajectory_) throw IoError(fmt::format("cannot open {} for writing", traj.string()));
    std::string h = "step,time";
    for (const auto& c : start.trajectory_columns) h += "," + c;
    write_line(trajectory_, h, traj);
  }
}

void RunDirWriter::on_eval(const std::vector<double>& row) { write_csv_row(metrics_, row, dir_ / "metrics.csv"); }

void RunDirWriter::on_trajectory(int64_t step, double time, const std::vector<double>& params) {
  std::vector<double> row;
  row.reserve(params.size() + 2);
  row.push_back(static_cast<double>(step));
  row.push_back(time);
  row.insert(row.end(), params.begin(), params.end());
  write_csv_row(trajectory_, row, dir_ / "trajectory.csv");
}

void RunDirWriter::on_finish(const RunSummary& summary, const std::vector<NpyArray>& params_final) {
  write_npz((dir_ / "params_final.npz").string(), params_final);
  nlohmann::json j = summary_to_json(summary, config_, start_);
  for (const auto& [name, value] : extra_summary_.items()) j[name] = value;
  close_files();
  write_file_atomic(dir_ / "summary.json", j.dump(2) + "\n");
  finished_ = true;
}

void RunDirWriter::close_files() {
  for (std::FILE** f : {&metrics_, &trajectory_}) {
    if (*f) std::fclose(*f);
    *f = nullptr;
  }
}

bool RunDirWriter::write_failure(const std::string& message) {
  close_files();
  if (!started_ || finished_) return false;
  RunSummary s;
  s.status = RunStatus::failed;
  s.message = message;
  nlohmann::json j = summary_to_json(s, config_, start_);
  for (const auto& [name, value] : extra_summary_.items()) j[name] = value;
  try {
    write_file_atomic(dir_ / "summary.json", j.dump(2) + "\n");
    return true;
  } catch (const IoError&) {   // the disk that failed the run may fail this too: then there is no summary.json
    return false;
  }
}

}  // namespace grokscope
