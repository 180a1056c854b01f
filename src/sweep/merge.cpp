// Merging a sweep's shard databases into index.sqlite (see sweep/merge.h).
#include "grokscope/sweep/merge.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include "grokscope/core/error.h"
#include "grokscope/sweep/index.h"
#include "grokscope/sweep/shard.h"
#include "sweep_dir.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;

namespace {

// finished > started (running, stopped, failed) > pending; then the later finish, then the later start.
bool better(const RunRecord& a, const RunRecord& b) {
  auto rank = [](const RunRecord& r) { return is_finished_status(r.status) ? 2 : r.status == "pending" ? 0 : 1; };
  if (rank(a) != rank(b)) return rank(a) > rank(b);
  if (a.finished_at != b.finished_at) return a.finished_at > b.finished_at;
  return a.started_at > b.started_at;
}

// The file's modification time as 2026-06-04T12:34:56Z (the finish time of a run taken from its summary.json).
std::string mtime_utc(const fs::path& file) {
  std::error_code ec;
  const auto t = fs::last_write_time(file, ec);
  if (ec) return utc_now();
  const std::time_t tt = std::chrono::system_clock::to_time_t(std::chrono::file_clock::to_sys(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

constexpr const char* kMetaKeys[] = {"name", "spec", "sweep_file", "sweep_source", "base_source", "base_file",
                                     "derived"};

}  // namespace

MergeSummary merge_shards(const fs::path& dir) {
  const auto dbs = shard_dbs(dir);
  if (dbs.empty())
    throw IoError(fmt::format("{}: no shard databases (shards/shard-K-of-N.sqlite) to merge", dir.string()));
  const FileLock lock(dir / ".merge.lock", FileLock::Mode::exclusive, "", /*wait=*/true);
  const std::string sweep_text = read_text(dir / "sweep.toml");
  const std::string base_text = read_text(dir / "base.toml");

  MergeSummary summary;
  std::map<std::string, std::string> meta;
  std::map<std::string, RunRecord> best;
  std::string merged_from;
  for (const auto& db : dbs) {
    SweepIndex shard(db, IndexJournal::shared);
    const std::string file = db.filename().string();
    const auto shard_sweep = shard.meta("sweep_file");
    if (!shard_sweep) continue;   // created, but killed before it recorded its grid: nothing to merge
    if (*shard_sweep != sweep_text || shard.meta("base_file").value_or("") != base_text)
      throw ConfigError("shard", file,
                        fmt::format("made from another {} than {}: delete it, or merge it in its own directory",
                                    *shard_sweep != sweep_text ? "sweep file" : "base file",
                                    (dir / (*shard_sweep != sweep_text ? "sweep.toml" : "base.toml")).string()));
    if (meta.empty())
      for (const char* key : kMetaKeys) meta[key] = shard.meta(key).value_or("");
    for (auto& r : shard.runs(false)) {
      auto it = best.find(r.name);
      if (it == best.end()) best.emplace(r.name, std::move(r));
      else if (better(r, it->second)) it->second = std::move(r);
    }
    merged_from += (merged_from.empty() ? "" : " ") + file;
    ++summary.shards;
  }
  if (summary.shards == 0) throw IoError(fmt::format("{}: no shard database holds a grid yet", dir.string()));

  const SweepSpec spec = spec_from_json(nlohmann::json::parse(meta.at("spec")));
  for (auto& [name, r] : best) {
    if (!r.in_grid) continue;
    ++summary.runs;
    if (!is_finished_status(r.status)) {
      RunRecord from_file = r;
      const fs::path run_dir = dir / "runs" / name;
      if (read_run_outputs(run_dir, spec, from_file) && is_finished_status(from_file.status) &&
          from_file.config_hash == r.config_hash) {
        from_file.finished_at = mtime_utc(run_dir / "summary.json");
        r = std::move(from_file);
        ++summary.from_files;
      }
    }
    summary.finished += is_finished_status(r.status) ? 1 : 0;
  }

  const fs::path tmp = dir / fmt::format(".index.sqlite.{}.tmp", ::getpid());
  std::error_code ec;
  fs::remove(tmp, ec);
  {
    SweepIndex merged(tmp, IndexJournal::scratch);
    for (const auto& [key, value] : meta) merged.set_meta(key, value);
    merged.set_meta("merged_from", merged_from);
    for (const auto& [name, r] : best) merged.record(r);
  }
  // A write-ahead log left by the previous index.sqlite must not be applied to the new file.
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(dir / (std::string("index.sqlite") + suffix), ec);
  fs::rename(tmp, dir / "index.sqlite", ec);
  if (ec) throw IoError(fmt::format("cannot rename {} to index.sqlite: {}", tmp.string(), ec.message()));
  return summary;
}

}  // namespace grokscope::sweep
