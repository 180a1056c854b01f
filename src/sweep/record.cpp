// Reading a finished run back for the index (see sweep/record.h).
#include "grokscope/sweep/record.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <limits>
#include <fstream>
#include <sstream>

#include "grokscope/io/metrics_csv.h"
#include "grokscope/metrics/fits.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

bool is_finished_status(const std::string& status) { return status == "completed" || status == "diverged"; }

const ClockValue* RunRecord::clock(const std::string& n) const {
  for (const auto& c : clocks)
    if (c.name == n) return &c;
  return nullptr;
}

std::optional<double> RunRecord::final_metric(const std::string& n) const {
  for (const auto& [k, v] : final_metrics)
    if (k == n) return v;
  return std::nullopt;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string phase_label(const std::vector<double>& step, const std::vector<double>& acc_train,
                        const std::vector<double>& acc_test, const PhaseSpec& spec) {
  double s_train = NAN, s_test = NAN;
  bool any = false;
  for (size_t i = 0; i < step.size(); ++i) {
    if (std::isfinite(acc_train[i])) any = true;
    if (std::isnan(s_train) && acc_train[i] >= spec.threshold) s_train = step[i];
    if (std::isnan(s_test) && acc_test[i] >= spec.threshold) s_test = step[i];
  }
  if (!any) return "";
  if (std::isnan(s_train)) return "confusion";
  if (std::isnan(s_test)) return "memorization";
  const bool late = s_test >= spec.gap_ratio * s_train && s_test - s_train >= static_cast<double>(spec.gap_steps);
  return late ? "grokking" : "comprehension";
}

namespace {
ClockValue clock_from_json(const std::string& name, const json& j) {
  ClockValue c;
  c.name = name;
  c.fired = j.value("fired", false);
  if (c.fired && j.contains("step") && j["step"].is_number()) c.step = j["step"].get<double>();
  if (c.fired && j.contains("time") && j["time"].is_number()) c.time = j["time"].get<double>();
  return c;
}

std::string eps_name(double eps) { return fmt::format("t_cls({:g})", eps); }

void set_derived(const MetricsTable* table, const SweepSpec& spec, RunRecord& r) {
  r.phase.clear();
  if (table && table->find("step") >= 0 && table->find("acc_train") >= 0 && table->find("acc_test") >= 0)
    r.phase = phase_label(table->column("step"), table->column("acc_train"), table->column("acc_test"), spec.phase);
  // t_below sits before gen_over_fit.
  std::erase_if(r.clocks, [](const ClockValue& c) { return c.name == "t_below"; });
  if (spec.t_below.column.empty()) return;
  ClockValue rep;
  rep.name = "t_below";
  if (table && table->find(spec.t_below.column) >= 0 && table->find("step") >= 0) {
    const auto& step = table->column("step");
    const auto clock =
        metrics::structural_clock(step, table->column(spec.t_below.column), spec.t_below.eta, spec.t_below.hold);
    if (clock.fired) {
      rep.fired = true;
      rep.step = clock.t;
      if (table->find("time") >= 0) rep.time = table->column("time")[static_cast<size_t>(clock.index)];
    }
  }
  auto at = r.clocks.end();
  if (!r.clocks.empty() && r.clocks.back().name == "gen_over_fit") at = r.clocks.end() - 1;
  r.clocks.insert(at, rep);
}

std::optional<MetricsTable> try_read_metrics(const fs::path& dir) {
  try {
    return read_metrics_csv(dir / "metrics.csv");
  } catch (const std::exception&) {
    return std::nullopt;
  }
}
}  // namespace

bool read_run_outputs(const fs::path& dir, const SweepSpec& spec, RunRecord& r) {
  json s;
  {
    std::ifstream in(dir / "summary.json", std::ios::binary);
    if (!in) return false;
    try {
      s = json::parse(in);
    } catch (const json::exception&) {
      return false;
    }
  }
  r.status = s.value("status", "failed");
  r.message = s.value("message", "");
  r.steps_done = s.value("steps_done", int64_t{0});
  // null: a continuous time past e^709 (optim.schedule = "loss_scaled" writes its log only), not a missing one.
  r.time = !s.contains("time") ? 0.0 : s["time"].is_number() ? s["time"].get<double>()
                                                              : std::numeric_limits<double>::infinity();
  r.clocks.clear();
  const json& clocks = s.contains("clocks") ? s["clocks"] : json::object();
  for (const char* name : {"t_fit", "t_gen"})
    if (clocks.contains(name)) r.clocks.push_back(clock_from_json(name, clocks[name]));
  if (clocks.contains("t_cls"))
    for (const auto& c : clocks["t_cls"]) {
      ClockValue v = clock_from_json(eps_name(c.value("eps", 0.0)), c);
      v.eps = c.value("eps", 0.0);
      r.clocks.push_back(v);
    }
  if (clocks.contains("t_rep")) r.clocks.push_back(clock_from_json("t_rep", clocks["t_rep"]));   // the run's own
  ClockValue ratio;
  ratio.name = "gen_over_fit";
  if (clocks.contains("gen_over_fit") && clocks["gen_over_fit"].is_number()) {
    ratio.fired = true;
    ratio.step = clocks["gen_over_fit"].get<double>();
  }
  r.clocks.push_back(ratio);

  const auto table = try_read_metrics(dir);
  r.final_metrics.clear();
  const json& fin = s.contains("final") ? s["final"] : json::object();
  auto final_value = [&](const std::string& col) {
    return fin[col].is_number() ? fin[col].get<double>() : std::numeric_limits<double>::quiet_NaN();
  };
  if (table) {
    for (const auto& col : table->columns)
      if (col != "step" && col != "time" && fin.contains(col)) r.final_metrics.emplace_back(col, final_value(col));
  } else {
    for (const auto& [k, v] : fin.items())
      if (k != "step" && k != "time") r.final_metrics.emplace_back(k, final_value(k));
  }
  if (s.contains("timing")) {
    r.seconds = s["timing"].value("seconds", 0.0);
    r.steps_per_second = s["timing"].value("steps_per_second", 0.0);
  }
  r.config_hash = s.value("config_hash", "");
  r.config = s.contains("config") ? s["config"] : json();
  set_derived(table ? &*table : nullptr, spec, r);
  return true;
}

void refresh_derived(const fs::path& dir, const SweepSpec& spec, RunRecord& r) {
  const auto table = try_read_metrics(dir);
  set_derived(table ? &*table : nullptr, spec, r);
}

}  // namespace grokscope::sweep
