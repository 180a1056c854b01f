// Merging the shards of a sweep (shard.h): DIR/index.sqlite built from every DIR/shards/shard-K-of-N.sqlite.
// Each shard database holds a row for every point of the grid (its own points run, the others pending); the merged
// row of a run is the best one among the shards: a finished row before a started one, a started one before a
// pending one, then the latest. A run whose best row is not finished but whose summary.json exists, finished, with
// the expected config hash (a task killed between the two) is taken from the file. The merged index is written
// whole to a temporary file and renamed into place, so readers see the old index or the new one; merging again
// gives the same rows (idempotent). Only merge_shards writes index.sqlite of a sharded directory; it reads the
// shards and never writes them.
#pragma once

#include <filesystem>

namespace grokscope::sweep {

struct MergeSummary {
  int shards = 0;       // shard databases merged
  int runs = 0;         // grid points (in the grid)
  int finished = 0;     // of which finished (completed, diverged)
  int from_files = 0;   // finished runs taken from their summary.json, not from a shard's row
};

// Throws IoError when DIR has no shard database, ConfigError("shard", file, ...) for a shard made from a sweep
// file (or base file) other than DIR/sweep.toml (base.toml). Several merges at once wait for each other
// (DIR/.merge.lock).
MergeSummary merge_shards(const std::filesystem::path& dir);

}  // namespace grokscope::sweep
