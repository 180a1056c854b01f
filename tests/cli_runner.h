// Runs the grokscope executable (path in GROKSCOPE_CLI, set by tests/CMakeLists.txt) for the end-to-end tests, and
// reads files back whole.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace grokscope::test {

struct CliResult {
  int code = -1;    // exit status; -1 when the process did not exit normally (or could not start)
  std::string out;  // stdout and stderr together
};

// `env` is prepended to the command line (e.g. "GROKSCOPE_GNUPLOT=none").
inline CliResult run_cli(const std::string& args, const std::string& env = "") {
  const std::string cmd = (env.empty() ? "" : env + " ") + std::string(GROKSCOPE_CLI) + " " + args + " 2>&1";
  CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t got = 0;
  while ((got = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), got);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace grokscope::test
