// Running gnuplot on a directory of figure scripts (see plot/gnuplot.h).
#include "grokscope/plot/gnuplot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/io/run_dir.h"

extern char** environ;

namespace grokscope::plot {

namespace fs = std::filesystem;

namespace {
bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p); }

std::optional<std::string> search_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return executable(name) ? std::optional<std::string>(name) : std::nullopt;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    const size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && executable(fs::path(dir) / name)) return (fs::path(dir) / name).string();
    if (colon == std::string::npos) return std::nullopt;
    start = colon + 1;
  }
}

// The common look of every figure: colors (matplotlib's tab10), grid, fonts.
constexpr const char* kStyle = R"gp(set linetype 1 lc rgb '#1f77b4' lw 2 pt 7 ps 0.8
set linetype 2 lc rgb '#d62728' lw 2 pt 5 ps 0.8
set linetype 3 lc rgb '#2ca02c' lw 2 pt 9 ps 0.9
set linetype 4 lc rgb '#ff7f0e' lw 2 pt 11 ps 0.9
set linetype 5 lc rgb '#9467bd' lw 2 pt 13 ps 0.9
set linetype 6 lc rgb '#8c564b' lw 2 pt 15 ps 0.9
set linetype 7 lc rgb '#e377c2' lw 2 pt 4 ps 0.9
set linetype 8 lc rgb '#7f7f7f' lw 2 pt 6 ps 0.9
set linetype 9 lc rgb '#bcbd22' lw 2 pt 8 ps 0.9
set linetype 10 lc rgb '#17becf' lw 2 pt 10 ps 0.9
set linetype cycle 10
)gp";

constexpr const char* kReset = R"gp(reset
set grid xtics ytics lc rgb '#e4e4e4' lw 1 dt 1
set border lc rgb '#505050'
set tics textcolor rgb '#303030'
set key spacing 1.1 samplen 2.5 noenhanced
set datafile missing 'NaN'
)gp";

std::string tail_lines(const fs::path& file, size_t n) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}
}  // namespace

bool figures_disabled() {
  const char* env = std::getenv("GROKSCOPE_GNUPLOT");
  return env && (std::string(env).empty() || std::string(env) == "none");
}

std::string no_figures_note() {
  return std::string("no figures: ") + (figures_disabled() ? kFiguresDisabled : kNoGnuplot);
}

std::optional<std::string> find_gnuplot() {
  if (const char* env = std::getenv("GROKSCOPE_GNUPLOT")) {
    const std::string v = env;
    if (v.empty() || v == "none") return std::nullopt;
    return search_path(v);
  }
  return search_path("gnuplot");
}

std::string gp_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string gp_num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "NaN"; }

std::string short_num(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::abs(v);
  if (a != 0 && (a >= 1e5 || a < 1e-3)) return fmt::format("{:.3g}", v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

FigureSet::FigureSet(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw IoError(fmt::format("cannot create {}: {}", dir_.string(), ec.message()));
}

void FigureSet::data(const std::string& file_name, const std::string& text) {
  write_file_atomic(dir_ / file_name, text);
  data_files_.push_back(file_name);
}

void FigureSet::figure(const std::string& name, const std::string& caption, const std::string& body, int width,
                       int height) {
  figures_.push_back({name, caption, body, width, height});
}

std::vector<Figure> FigureSet::render(const std::string& gnuplot) {
  std::string script = "# Draws every figure of this directory to PNG and SVG: gnuplot render.gp\n";
  script += "set encoding utf8\n";
  script += kStyle;
  for (const auto& f : figures_) {
    write_file_atomic(dir_ / (f.name + ".gp"), "# " + f.caption + "\n" + f.body);
    for (const char* ext : {".png", ".svg"}) fs::remove(dir_ / (f.name + ext));
    script += fmt::format(
        "\nset terminal pngcairo size {},{} enhanced font 'DejaVu Sans,11' linewidth 1.2\nset output '{}.png'\n{}"
        "load '{}.gp'\nunset output\n",
        f.width, f.height, f.name, kReset, f.name);
    script += fmt::format(
        "set terminal svg size {},{} enhanced dynamic font 'DejaVu Sans,11' linewidth 1.2 background '#ffffff'\n"
        "set output '{}.svg'\n{}load '{}.gp'\nunset output\n",
        f.width, f.height, f.name, kReset, f.name);
  }
  write_file_atomic(dir_ / "render.gp", script);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir_.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::string exe = gnuplot, arg = "render.gp";
  char* argv[] = {exe.data(), arg.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw IoError(fmt::format("cannot start {}: {}", gnuplot, std::strerror(rc)));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok)
    throw IoError(fmt::format("gnuplot failed in {} ({}): {}", dir_.string(),
                              WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status)) : "killed",
                              tail_lines(dir_ / "gnuplot.log", 3)));
  std::vector<Figure> out;
  for (const auto& f : figures_) {
    Figure fig{f.name, f.caption, dir_ / (f.name + ".png"), dir_ / (f.name + ".svg")};
    if (!fs::exists(fig.png)) throw IoError(fmt::format("gnuplot did not write {}", fig.png.string()));
    out.push_back(fig);
  }
  return out;
}

}  // namespace grokscope::plot
