// The sweep directory's files and locks, shared by the runner and the merge (private to src/sweep):
// the .lock that keeps a whole sweep and its shards apart, the checks before a sweep writes into a directory, and
// atomic writes that several processes (shards on several nodes) may make at once.
#pragma once

#include <filesystem>
#include <string>

#include "grokscope/sweep/spec.h"

namespace grokscope::sweep {

// A lock (flock) on a file for the lifetime of the object: exclusive or shared, failing at once (IoError with
// `busy` as message) when it cannot be had, or waiting for it (wait = true).
class FileLock {
 public:
  enum class Mode { exclusive, shared };
  FileLock(const std::filesystem::path& file, Mode mode, const std::string& busy, bool wait = false);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

// Refuses (IoError) an `out` that exists and is not a directory, or is a non-empty directory without a sweep; then
// creates it, with its shards/ folder when sharded (in one step: shards starting together on a fresh directory
// each see it empty or sharded, never holding only another shard's .lock).
void prepare_sweep_dir(const std::filesystem::path& out, bool sharded);

// Removes everything in `out` but its .lock (--force).
void clear_sweep_dir(const std::filesystem::path& out);

// A run killed before its first file was renamed into place leaves a directory holding only *.tmp files (or
// nothing): prepare_run_dir would refuse it as "not a run", but it is the sweep's own (runs/<name>), so clear it.
void clear_partial_run_dir(const std::filesystem::path& dir);

// The file's text, or "" when it does not exist. Throws IoError when it exists but cannot be read.
std::string read_text(const std::filesystem::path& file);

// Writes `text` to `file` through a temporary name unique to this process and thread, then renames it; does
// nothing when the file already holds exactly `text` (shards starting together write the same sweep.toml).
void write_text_if_changed(const std::filesystem::path& file, const std::string& text);

// A sharded sweep directory holds one sweep: refuses (ConfigError naming `flag` and its value) a spec whose sweep
// file or base file differs from out/sweep.toml and out/base.toml, when those exist.
void check_same_sweep_file(const std::filesystem::path& out, const SweepSpec& spec, const std::string& flag,
                           const std::string& value);

}  // namespace grokscope::sweep
