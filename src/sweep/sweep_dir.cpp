// The sweep directory's files and locks (see sweep_dir.h).
#include "sweep_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "grokscope/core/error.h"
#include "grokscope/sweep/runner.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;

FileLock::FileLock(const fs::path& file, Mode mode, const std::string& busy, bool wait) {
  fd_ = ::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError(fmt::format("cannot create {}", file.string()));
  const int op = (mode == Mode::exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  if (::flock(fd_, op) != 0) {
    ::close(fd_);
    throw IoError(busy);
  }
}

FileLock::~FileLock() { ::close(fd_); }

void prepare_sweep_dir(const fs::path& out, bool sharded) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) throw IoError(fmt::format("--out {}: exists and is not a directory", out.string()));
    if (!fs::is_empty(out, ec) && !is_sweep_dir(out))
      throw IoError(fmt::format("--out {}: directory is not empty and does not hold a grokscope sweep (no "
                                "index.sqlite); refusing to use it", out.string()));
  }
  fs::create_directories(sharded ? out / "shards" : out, ec);
  if (ec) throw IoError(fmt::format("--out {}: cannot create directory: {}", out.string(), ec.message()));
}

void clear_sweep_dir(const fs::path& out) {
  for (const auto& entry : fs::directory_iterator(out)) {
    if (entry.path().filename() == ".lock") continue;
    std::error_code ec;
    fs::remove_all(entry.path(), ec);
    if (ec) throw IoError(fmt::format("--force: cannot remove {}: {}", entry.path().string(), ec.message()));
  }
}

void clear_partial_run_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() != ".tmp") return;
  fs::remove_all(dir, ec);
}

std::string read_text(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return "";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot read {}", file.string()));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text_if_changed(const fs::path& file, const std::string& text) {
  std::error_code ec;
  if (fs::exists(file, ec) && read_text(file) == text) return;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const fs::path tmp = file.string() + fmt::format(".{}.{}.{}.tmp", host, ::getpid(),
                                                   std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw IoError(fmt::format("cannot write {}", tmp.string()));
  }
  fs::rename(tmp, file, ec);
  if (ec) throw IoError(fmt::format("cannot rename {} to {}: {}", tmp.string(), file.string(), ec.message()));
}

void check_same_sweep_file(const fs::path& out, const SweepSpec& spec, const std::string& flag,
                           const std::string& value) {
  const std::string dir_sweep = read_text(out / "sweep.toml");
  const std::string dir_base = read_text(out / "base.toml");
  const bool sweep_differs = !dir_sweep.empty() && dir_sweep != spec.text;
  const bool base_differs = !dir_sweep.empty() && dir_base != spec.base_text;
  if (!sweep_differs && !base_differs) return;
  throw ConfigError(flag, value,
                    fmt::format("{} differs from {}: a sharded sweep directory holds one sweep; run its shards with "
                                "the same file, or use another --out (or --force without --shard to start over)",
                                sweep_differs ? (spec.source.empty() ? "the sweep file" : spec.source)
                                              : "the sweep's base file",
                                (out / (sweep_differs ? "sweep.toml" : "base.toml")).string()));
}

}  // namespace grokscope::sweep
