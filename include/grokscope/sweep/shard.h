// Shards of a sweep: `grokscope sweep FILE --shard K/N` runs only the grid points of shard K (1-based) of N into the
// shared sweep directory, recording into its own database DIR/shards/shard-K-of-N.sqlite (never several writers on
// one SQLite file, which a network filesystem does not support); `grokscope sweep merge DIR` (merge.h) builds
// index.sqlite from them. Point i of the grid (0-based, grid order: cells, then seeds) belongs to shard (i mod N) + 1,
// so every shard gets the same number of runs (± 1) and runs of one cell spread over the shards.
// Under a Slurm array job the shard comes from SLURM_ARRAY_TASK_ID, _MIN, _STEP and _COUNT (shard_from_slurm).
// Nothing here writes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace grokscope::sweep {

struct Shard {
  int index = 1;   // K, 1-based
  int count = 1;   // N
  std::string text() const;                    // "2/4"
  bool owns(size_t grid_position) const;       // point i belongs to shard (i mod N) + 1
};

// "K/N" with 1 <= K <= N <= 1000000, both plain decimal integers. Throws ConfigError("--shard", text, reason).
Shard parse_shard(const std::string& text);

// The shard of this process under a Slurm array job: K = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) /
// SLURM_ARRAY_TASK_STEP + 1 (step 1 when unset), N = SLURM_ARRAY_TASK_COUNT. nullopt when SLURM_ARRAY_TASK_ID is
// not set (not an array job). Missing, malformed or contradicting variables (an id below the minimum or off the
// step, a K above the count: an array that is not a range A-B[:S]) throw ConfigError naming the variable and its
// value. `getenv` reads a variable (nullptr when unset).
std::optional<Shard> shard_from_slurm(const std::function<const char*(const char*)>& getenv);

// DIR/shards/shard-K-of-N.sqlite, its lock file (.lock), and the shard databases present in DIR (sorted by name).
std::filesystem::path shard_db_path(const std::filesystem::path& dir, const Shard& shard);
std::filesystem::path shard_lock_path(const std::filesystem::path& dir, const Shard& shard);
std::vector<std::filesystem::path> shard_dbs(const std::filesystem::path& dir);
bool has_shards(const std::filesystem::path& dir);
// A sharded sweep directory: one with a shards/ folder (made by the first shard, or by `sweep --slurm`).
bool is_sharded_dir(const std::filesystem::path& dir);

}  // namespace grokscope::sweep
