// Shards of a sweep and their Slurm defaults (see sweep/shard.h).
#include "grokscope/sweep/shard.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "grokscope/core/error.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;

namespace {
// A plain decimal integer in [0, 10^9], or nullopt.
std::optional<int64_t> parse_count(const std::string& s) {
  if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const int64_t v = std::stoll(s);
  if (v > 1000000000) return std::nullopt;
  return v;
}
}  // namespace

std::string Shard::text() const { return fmt::format("{}/{}", index, count); }

bool Shard::owns(size_t grid_position) const {
  return static_cast<int>(grid_position % static_cast<size_t>(count)) + 1 == index;
}

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos)
    throw ConfigError("--shard", text, "expected K/N: shard K (1-based) of N, e.g. --shard 2/4");
  const auto k = parse_count(text.substr(0, slash));
  const auto n = parse_count(text.substr(slash + 1));
  if (!k || !n) throw ConfigError("--shard", text, "expected K/N with K and N whole numbers, e.g. --shard 2/4");
  if (*n < 1 || *n > 1000000) throw ConfigError("--shard", text, "N must be in [1, 1000000]");
  if (*k < 1 || *k > *n) throw ConfigError("--shard", text, fmt::format("K must be in [1, N] = [1, {}] (1-based)", *n));
  return Shard{static_cast<int>(*k), static_cast<int>(*n)};
}

std::optional<Shard> shard_from_slurm(const std::function<const char*(const char*)>& getenv) {
  auto value = [&](const char* name, bool required) -> std::optional<int64_t> {
    const char* v = getenv(name);
    if (!v || !*v) {
      if (required)
        throw ConfigError(name, "", "not set, but SLURM_ARRAY_TASK_ID is: cannot choose this task's shard "
                                    "(pass --shard K/N)");
      return std::nullopt;
    }
    const auto n = parse_count(v);
    if (!n) throw ConfigError(name, v, "not a whole number: cannot choose this task's shard (pass --shard K/N)");
    return n;
  };
  const char* id_text = getenv("SLURM_ARRAY_TASK_ID");
  if (!id_text || !*id_text) return std::nullopt;
  const int64_t id = *value("SLURM_ARRAY_TASK_ID", true);
  const int64_t count = *value("SLURM_ARRAY_TASK_COUNT", true);
  const int64_t min = *value("SLURM_ARRAY_TASK_MIN", true);
  const int64_t step = value("SLURM_ARRAY_TASK_STEP", false).value_or(1);
  const auto max = value("SLURM_ARRAY_TASK_MAX", false);
  const std::string id_str = std::to_string(id);
  if (count < 1 || count > 1000000)
    throw ConfigError("SLURM_ARRAY_TASK_COUNT", std::to_string(count), "must be in [1, 1000000]");
  if (step < 1) throw ConfigError("SLURM_ARRAY_TASK_STEP", std::to_string(step), "must be at least 1");
  if (id < min)
    throw ConfigError("SLURM_ARRAY_TASK_ID", id_str, fmt::format("below SLURM_ARRAY_TASK_MIN = {}", min));
  if (max && id > *max)
    throw ConfigError("SLURM_ARRAY_TASK_ID", id_str, fmt::format("above SLURM_ARRAY_TASK_MAX = {}", *max));
  if ((id - min) % step != 0)
    throw ConfigError("SLURM_ARRAY_TASK_ID", id_str,
                      fmt::format("not on the array's step: SLURM_ARRAY_TASK_MIN = {}, SLURM_ARRAY_TASK_STEP = {}", min,
                                  step));
  const int64_t k = (id - min) / step + 1;
  if (k > count)
    throw ConfigError("SLURM_ARRAY_TASK_ID", id_str,
                      fmt::format("is task {} of an array starting at {} with step {}, but SLURM_ARRAY_TASK_COUNT = {} "
                                  "(the array must be a range A-B or A-B:S; or pass --shard K/N)",
                                  k, min, step, count));
  if (max && (*max - min) / step + 1 != count)
    throw ConfigError("SLURM_ARRAY_TASK_COUNT", std::to_string(count),
                      fmt::format("contradicts SLURM_ARRAY_TASK_MIN = {}, SLURM_ARRAY_TASK_MAX = {} and step {} (the "
                                  "array must be a range A-B or A-B:S; or pass --shard K/N)",
                                  min, *max, step));
  return Shard{static_cast<int>(k), static_cast<int>(count)};
}

fs::path shard_db_path(const fs::path& dir, const Shard& shard) {
  return dir / "shards" / fmt::format("shard-{}-of-{}.sqlite", shard.index, shard.count);
}

fs::path shard_lock_path(const fs::path& dir, const Shard& shard) {
  return dir / "shards" / fmt::format("shard-{}-of-{}.lock", shard.index, shard.count);
}

std::vector<fs::path> shard_dbs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir / "shards", ec)) return out;
  for (const auto& e : fs::directory_iterator(dir / "shards", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("shard-", 0) == 0 && e.path().extension() == ".sqlite") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool has_shards(const fs::path& dir) { return !shard_dbs(dir).empty(); }

bool is_sharded_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "shards", ec);
}

}  // namespace grokscope::sweep
