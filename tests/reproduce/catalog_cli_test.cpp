// The reproduction catalog (every file parses into valid run configs with a known check) and the `grokscope reproduce`
// command: --list, one-line errors for bad input, and one tiny end-to-end reproduction (MU-1, about a second).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "grokscope/core/error.h"
#include "grokscope/reproduce/catalog.h"
#include "grokscope/reproduce/checks.h"
#include "grokscope/reproduce/reproduce.h"
#include "grokscope/sweep/grid.h"
#include "cli_runner.h"

namespace fs = std::filesystem;
namespace gr = grokscope::reproduce;

namespace {

using Result = grokscope::test::CliResult;
Result run(const std::string& args) { return grokscope::test::run_cli(args); }

const fs::path kCatalog = fs::path(GROKSCOPE_SOURCE_DIR) / "configs" / "reproduce";

}  // namespace

TEST(ReproduceCatalog, EveryEntryResolvesToValidRunsWithAKnownCheck) {
  const auto catalog = gr::load_catalog(kCatalog);
  ASSERT_GE(catalog.size(), 3u);
  for (const auto& e : catalog) {
    EXPECT_NE(gr::find_check(e.check), nullptr) << e.id << ": " << e.check;
    ASSERT_NE(e.scale("quick"), nullptr) << e.id;
    for (const auto& sc : e.scales) {
      const auto spec = gr::entry_sweep(e, sc.name);
      EXPECT_EQ(spec.name, e.id + "-" + sc.name);
      for (const auto& point : grokscope::sweep::expand_grid(spec))
        EXPECT_NO_THROW(grokscope::sweep::resolve_config(spec, point)) << e.id << " " << sc.name << " " << point.name;
      EXPECT_NO_THROW(gr::entry_check_params(e, sc.name));
    }
  }
  EXPECT_EQ(gr::find_entry(catalog, "mu-1").id, "MU-1");
  EXPECT_THROW(gr::find_entry(catalog, "XX-9"), grokscope::ConfigError);
  EXPECT_THROW(gr::entry_sweep(gr::find_entry(catalog, "MU-1"), "huge"), grokscope::ConfigError);
}

TEST(ReproduceCli, ListShowsTheCatalog) {
  const Result r = run("reproduce --list");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("MU-1"), std::string::npos);
  EXPECT_NE(r.out.find("LY-6"), std::string::npos);
}

TEST(ReproduceCli, BadInputIsOneLineAndExitStatus2) {
  for (const std::string args : {"reproduce NOPE-1", "reproduce MU-1 --scale huge", "reproduce"}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << ": " << r.out;
  }
  EXPECT_NE(run("reproduce NOPE-1").out.find("NOPE-1"), std::string::npos);
}

TEST(ReproduceCli, MusatToyEndToEndPassesResumesAndGuardsItsDirectory) {
  const fs::path dir = fs::temp_directory_path() / "grokscope_reproduce_test_mu1";
  fs::remove_all(dir);
  const Result r = run("reproduce MU-1 --no-plot --workers 2 --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(dir / "reproduce" / "verdicts.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_TRUE(j.at("pass").get<bool>());
  EXPECT_EQ(j.at("verdicts").size(), 13u);
  EXPECT_TRUE(fs::exists(dir / "reproduce" / "report.md"));
  // Again into the same directory: the finished runs are reused, the verdicts recomputed.
  const Result again = run("reproduce MU-1 --no-plot --out " + dir.string());
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("3 finished before"), std::string::npos) << again.out;
  // Another scale into it is refused without --force, with one line naming --out.
  const Result other = run("reproduce MU-1 --scale paper --no-plot --out " + dir.string());
  EXPECT_EQ(other.code, 2) << other.out;
  EXPECT_NE(other.out.find("--out"), std::string::npos) << other.out;
  EXPECT_EQ(std::count(other.out.begin(), other.out.end(), '\n'), 1) << other.out;   // the error line alone
  fs::remove_all(dir);
}

TEST(ReproduceCatalog, AStoppedReproductionAlreadyNamesItsDirectory) {
  // Stopped before its first run (as a kill would leave it): the marker is there, so another ID cannot resume into
  // the directory without --force.
  const fs::path dir = fs::temp_directory_path() / "grokscope_reproduce_test_marker";
  fs::remove_all(dir);
  const auto catalog = gr::load_catalog(kCatalog);
  const std::atomic<bool> stop{true};
  gr::ReproduceOptions o;
  o.out = dir;
  o.stop = &stop;
  gr::run_reproduction(gr::find_entry(catalog, "LY-4"), o);
  ASSERT_TRUE(fs::exists(dir / "reproduce" / "reproduction.json"));
  o.stop = nullptr;
  EXPECT_THROW(gr::run_reproduction(gr::find_entry(catalog, "MU-1"), o), grokscope::IoError);
  fs::remove_all(dir);
}

TEST(ReproduceCli, SeedsRunTheCheckPerSeedAndCombine) {
  const fs::path dir = fs::temp_directory_path() / "grokscope_reproduce_test_seeds";
  fs::remove_all(dir);
  const Result r = run("reproduce MU-2 --seeds 2 --no-plot --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2/2 seeds pass"), std::string::npos) << r.out;
  std::ifstream in(dir / "reproduce" / "verdicts.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("seeds"), nlohmann::json::array({0, 1}));
  ASSERT_FALSE(j.at("verdicts").empty());
  EXPECT_EQ(j.at("verdicts")[0].at("seeds").size(), 2u);
  std::ifstream report(dir / "reproduce" / "report.md");
  const std::string md((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  EXPECT_NE(md.find("## Per seed"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ReproduceCli, AllRunsEveryEntryAndWritesTheSummary) {
  const fs::path dir = fs::temp_directory_path() / "grokscope_reproduce_test_all";
  fs::remove_all(dir);
  fs::create_directories(dir / "catalog");
  for (const char* id : {"MU-1", "MU-2"}) fs::copy_file(kCatalog / (std::string(id) + ".toml"), dir / "catalog" / (std::string(id) + ".toml"));
  const std::string common = " --no-plot --catalog " + (dir / "catalog").string() + " --out " + (dir / "out").string();
  const Result r = run("reproduce --all" + common);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2 of 2 experiments pass"), std::string::npos) << r.out;
  std::ifstream in(dir / "out" / "summary-quick.json");
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j.at("experiments").size(), 2u);
  EXPECT_EQ(j.at("experiments")[0].at("id"), "MU-1");
  EXPECT_TRUE(j.at("experiments")[1].at("pass").get<bool>());
  EXPECT_TRUE(fs::exists(dir / "out" / "summary-quick.md"));
  EXPECT_TRUE(fs::exists(dir / "out" / "MU-2-quick" / "reproduce" / "report.md"));
  // Both an ID and --all: one line, status 2.
  const Result both = run("reproduce MU-1 --all" + common);
  EXPECT_EQ(both.code, 2) << both.out;
  fs::remove_all(dir);
}
