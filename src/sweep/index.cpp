// The SQLite sweep index (see sweep/index.h).
#include "grokscope/sweep/index.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "grokscope/io/run_dir.h"
#include "sqlite.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

struct SweepIndex::Db {
  explicit Db(const std::string& path) : db(path) {}
  sql::Database db;
};

namespace {
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  name TEXT PRIMARY KEY,
  cell TEXT NOT NULL,
  cell_index INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  axes TEXT NOT NULL,
  in_grid INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  phase TEXT,
  steps_done INTEGER,
  time REAL,
  t_fit_step REAL, t_fit_time REAL,
  t_gen_step REAL, t_gen_time REAL,
  gen_over_fit REAL,
  seconds REAL,
  steps_per_second REAL,
  config_hash TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  config TEXT
);
CREATE TABLE IF NOT EXISTS axis_values (run TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, num REAL,
                                        PRIMARY KEY (run, key));
CREATE TABLE IF NOT EXISTS clocks (run TEXT NOT NULL, clock TEXT NOT NULL, eps REAL, fired INTEGER NOT NULL,
                                   step REAL, time REAL, PRIMARY KEY (run, clock));
CREATE TABLE IF NOT EXISTS final_metrics (run TEXT NOT NULL, metric TEXT NOT NULL, value REAL,
                                          PRIMARY KEY (run, metric));
)sql";

std::string axes_text(const std::vector<std::pair<std::string, json>>& axes) {
  ordered_json j = ordered_json::object();
  for (const auto& [k, v] : axes) j[k] = ordered_json::parse(v.dump());
  return j.dump();
}

std::vector<std::pair<std::string, json>> axes_from_text(const std::string& text) {
  std::vector<std::pair<std::string, json>> out;
  if (text.empty()) return out;
  const ordered_json j = ordered_json::parse(text);
  for (const auto& [k, v] : j.items()) out.emplace_back(k, json::parse(v.dump()));
  return out;
}

void insert_axis_values(sql::Database& db, const std::string& run,
                        const std::vector<std::pair<std::string, json>>& axes) {
  sql::Statement del(db, "DELETE FROM axis_values WHERE run = ?");
  del.bind(1, run).run();
  sql::Statement ins(db, "INSERT INTO axis_values (run, key, value, num) VALUES (?, ?, ?, ?)");
  for (const auto& [k, v] : axes) {
    ins.bind(1, run).bind(2, k).bind(3, v.dump());
    if (v.is_number()) ins.bind(4, v.get<double>());
    else ins.bind_null(4);
    ins.run();
  }
}

double clock_field(const RunRecord& r, const char* name, bool time) {
  const ClockValue* c = r.clock(name);
  if (!c || !c->fired) return std::numeric_limits<double>::quiet_NaN();
  return time ? c->time : c->step;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(double v) { return std::isnan(v) ? "" : fmt::format("{}", v); }
}  // namespace

SweepIndex::SweepIndex(const fs::path& file, IndexJournal journal) : db_(std::make_unique<Db>(file.string())) {
  // Write-ahead log with synchronous=NORMAL: a killed process never loses a committed transaction (only a power
  // loss may lose the last ones, never corrupting the file), and a commit costs no fsync of the database.
  // A shard's rollback journal with synchronous=FULL is as safe, without the WAL's shared memory (index.h).
  switch (journal) {
    case IndexJournal::wal: db_->db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); break;
    case IndexJournal::shared: db_->db.exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;"); break;
    case IndexJournal::scratch: db_->db.exec("PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"); break;
  }
  db_->db.exec(kSchema);
  if (!meta("schema")) set_meta("schema", "1");
}

SweepIndex::~SweepIndex() = default;

void SweepIndex::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  sql::Statement st(db_->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
  st.bind(1, key).bind(2, value).run();
}

std::optional<std::string> SweepIndex::meta(const std::string& key) const {
  std::lock_guard lock(mutex_);
  sql::Statement st(db_->db, "SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void SweepIndex::sync_grid(const SweepSpec& spec, const std::vector<GridPoint>& points,
                           const std::vector<std::string>& config_hashes) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_->db);
  db_->db.exec("UPDATE runs SET in_grid = 0");
  sql::Statement up(db_->db, R"sql(
    INSERT INTO runs (name, cell, cell_index, seed, axes, in_grid, status, config_hash)
    VALUES (?1, ?2, ?3, ?4, ?5, 1, 'pending', ?6)
    ON CONFLICT (name) DO UPDATE SET cell = excluded.cell, cell_index = excluded.cell_index, seed = excluded.seed,
      axes = excluded.axes, in_grid = 1,
      config_hash = CASE WHEN runs.status IN ('completed', 'diverged') THEN runs.config_hash
                         ELSE excluded.config_hash END)sql");
  for (size_t i = 0; i < points.size(); ++i) {
    const GridPoint& p = points[i];
    std::vector<std::pair<std::string, json>> axes;
    for (size_t a = 0; a < spec.axes.size(); ++a) axes.emplace_back(spec.axes[a].key, p.values[a]);
    up.bind(1, p.name).bind(2, p.cell).bind(3, p.cell_index).bind(4, p.seed).bind(5, axes_text(axes));
    up.bind(6, config_hashes[i]).run();
    insert_axis_values(db_->db, p.name, axes);
  }
  tx.commit();
}

void SweepIndex::mark_started(const std::string& name) {
  std::lock_guard lock(mutex_);
  sql::Statement st(db_->db,
                    "UPDATE runs SET status = 'running', message = '', started_at = ?2, finished_at = NULL "
                    "WHERE name = ?1");
  st.bind(1, name).bind(2, utc_now()).run();
}

void SweepIndex::mark_status(const std::string& name, const std::string& status, const std::string& message) {
  std::lock_guard lock(mutex_);
  sql::Statement st(db_->db, "UPDATE runs SET status = ?2, message = ?3, finished_at = ?4 WHERE name = ?1");
  st.bind(1, name).bind(2, status).bind(3, message).bind(4, utc_now()).run();
}

void SweepIndex::record(const RunRecord& r) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_->db);
  sql::Statement st(db_->db, R"sql(
    INSERT OR REPLACE INTO runs (name, cell, cell_index, seed, axes, in_grid, status, message, phase, steps_done, time,
      t_fit_step, t_fit_time, t_gen_step, t_gen_time, gen_over_fit, seconds, steps_per_second, config_hash,
      started_at, finished_at, config)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22))sql");
  st.bind(1, r.name).bind(2, r.cell).bind(3, r.cell_index).bind(4, r.seed).bind(5, axes_text(r.axes));
  st.bind(6, int64_t{r.in_grid ? 1 : 0}).bind(7, r.status).bind(8, r.message);
  if (r.phase.empty()) st.bind_null(9);
  else st.bind(9, r.phase);
  st.bind(10, r.steps_done).bind(11, r.time);
  st.bind(12, clock_field(r, "t_fit", false)).bind(13, clock_field(r, "t_fit", true));
  st.bind(14, clock_field(r, "t_gen", false)).bind(15, clock_field(r, "t_gen", true));
  st.bind(16, clock_field(r, "gen_over_fit", false));
  st.bind(17, r.seconds).bind(18, r.steps_per_second).bind(19, r.config_hash);
  if (r.started_at.empty()) st.bind_null(20);
  else st.bind(20, r.started_at);
  if (r.finished_at.empty()) st.bind_null(21);
  else st.bind(21, r.finished_at);
  if (r.config.is_null()) st.bind_null(22);
  else st.bind(22, r.config.dump());
  st.run();
  insert_axis_values(db_->db, r.name, r.axes);
  sql::Statement del_c(db_->db, "DELETE FROM clocks WHERE run = ?");
  del_c.bind(1, r.name).run();
  sql::Statement ins_c(db_->db, "INSERT INTO clocks (run, clock, eps, fired, step, time) VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& c : r.clocks) {
    ins_c.bind(1, r.name).bind(2, c.name);
    if (c.name.rfind("t_cls", 0) == 0) ins_c.bind(3, c.eps);
    else ins_c.bind_null(3);
    ins_c.bind(4, int64_t{c.fired ? 1 : 0}).bind(5, c.step).bind(6, c.time).run();
  }
  sql::Statement del_f(db_->db, "DELETE FROM final_metrics WHERE run = ?");
  del_f.bind(1, r.name).run();
  sql::Statement ins_f(db_->db, "INSERT INTO final_metrics (run, metric, value) VALUES (?, ?, ?)");
  for (const auto& [k, v] : r.final_metrics) ins_f.bind(1, r.name).bind(2, k).bind(3, v).run();
  tx.commit();
}

namespace {
RunRecord row_to_record(const sql::Statement& st) {
  RunRecord r;
  r.name = st.text(0);
  r.cell = st.text(1);
  r.cell_index = st.integer(2);
  r.seed = st.integer(3);
  r.axes = axes_from_text(st.text(4));
  r.in_grid = st.integer(5) != 0;
  r.status = st.text(6);
  r.message = st.text(7);
  r.phase = st.text(8);
  r.steps_done = st.integer(9);
  r.time = st.is_null(10) ? 0.0 : st.real(10);
  r.seconds = st.is_null(11) ? 0.0 : st.real(11);
  r.steps_per_second = st.is_null(12) ? 0.0 : st.real(12);
  r.config_hash = st.text(13);
  r.started_at = st.text(14);
  r.finished_at = st.text(15);
  if (!st.is_null(16)) r.config = json::parse(st.text(16));
  return r;
}
constexpr const char* kSelect =
    "SELECT name, cell, cell_index, seed, axes, in_grid, status, message, phase, steps_done, time, seconds, "
    "steps_per_second, config_hash, started_at, finished_at, config FROM runs";
}  // namespace

std::vector<RunRecord> SweepIndex::runs(bool in_grid_only) const {
  std::lock_guard lock(mutex_);
  std::vector<RunRecord> out;
  std::map<std::string, size_t> where;
  {
    const std::string q = std::string(kSelect) + (in_grid_only ? " WHERE in_grid = 1" : "") +
                          " ORDER BY cell_index, seed, name";
    sql::Statement st(db_->db, q.c_str());
    while (st.step()) {
      where[st.text(0)] = out.size();
      out.push_back(row_to_record(st));
    }
  }
  {
    sql::Statement st(db_->db, "SELECT run, clock, eps, fired, step, time FROM clocks ORDER BY rowid");
    while (st.step()) {
      auto it = where.find(st.text(0));
      if (it == where.end()) continue;
      ClockValue c;
      c.name = st.text(1);
      c.eps = st.is_null(2) ? 0.0 : st.real(2);
      c.fired = st.integer(3) != 0;
      c.step = st.real(4);
      c.time = st.real(5);
      out[it->second].clocks.push_back(c);
    }
  }
  {
    sql::Statement st(db_->db, "SELECT run, metric, value FROM final_metrics ORDER BY rowid");
    while (st.step()) {
      auto it = where.find(st.text(0));
      if (it != where.end()) out[it->second].final_metrics.emplace_back(st.text(1), st.real(2));
    }
  }
  return out;
}

std::optional<RunRecord> SweepIndex::run(const std::string& name) const {
  for (auto& r : runs(false))
    if (r.name == name) return r;
  return std::nullopt;
}

std::string SweepIndex::integrity_check() const {
  std::lock_guard lock(mutex_);
  sql::Statement st(db_->db, "PRAGMA integrity_check");
  std::string out;
  while (st.step()) out += (out.empty() ? "" : "; ") + st.text(0);
  return out;
}

void SweepIndex::export_csv(const fs::path& path) const {
  const auto rows = runs(true);
  std::vector<std::string> axis_keys, clock_names, metric_names;
  auto add = [](std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  for (const auto& r : rows) {
    for (const auto& [k, v] : r.axes) add(axis_keys, k);
    for (const auto& c : r.clocks)
      if (c.name != "gen_over_fit") add(clock_names, c.name);
    for (const auto& [k, v] : r.final_metrics) add(metric_names, k);
  }
  std::string out;
  auto field = [&out](const std::string& text) {
    if (!out.empty() && out.back() != '\n') out += ',';
    out += csv_field(text);
  };
  for (const char* h : {"name", "cell", "seed"}) field(h);
  for (const auto& k : axis_keys) field(k);
  for (const char* h : {"status", "phase", "steps_done", "time"}) field(h);
  for (const auto& c : clock_names) field(c + "_step"), field(c + "_time");
  field("gen_over_fit");
  for (const auto& m : metric_names) field("final_" + m);
  for (const char* h : {"seconds", "steps_per_second", "config_hash", "started_at", "finished_at", "message"}) field(h);
  out += '\n';
  for (const auto& r : rows) {
    field(r.name);
    field(r.cell);
    field(std::to_string(r.seed));
    for (const auto& k : axis_keys) {
      std::string v;
      for (const auto& [ak, av] : r.axes)
        if (ak == k) v = av.is_string() ? av.get<std::string>() : av.dump();
      field(v);
    }
    const bool finished = is_finished_status(r.status);
    field(r.status);
    field(r.phase);
    field(finished ? std::to_string(r.steps_done) : "");
    field(finished ? csv_number(r.time) : "");
    for (const auto& name : clock_names) {
      const ClockValue* c = r.clock(name);
      const bool fired = c && c->fired;
      field(fired ? csv_number(c->step) : "");
      field(fired ? csv_number(c->time) : "");
    }
    const ClockValue* ratio = r.clock("gen_over_fit");
    field(ratio && ratio->fired ? csv_number(ratio->step) : "");
    for (const auto& m : metric_names) {
      const auto v = r.final_metric(m);
      field(v ? csv_number(*v) : "");
    }
    field(finished ? csv_number(r.seconds) : "");
    field(finished ? csv_number(r.steps_per_second) : "");
    field(r.config_hash);
    field(r.started_at);
    field(r.finished_at);
    field(r.message);
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace grokscope::sweep
