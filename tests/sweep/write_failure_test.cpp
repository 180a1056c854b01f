// A sweep whose run cannot write its outputs (fault injection, io/write_fault.h: a full disk, a removed directory,
// a missing permission all end in the same IoError): that run is marked failed in the index, with no summary.json
// claiming success, and every other run finishes; the next invocation reruns only the failed run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grokscope/io/write_fault.h"
#include "grokscope/sweep/index.h"
#include "grokscope/sweep/runner.h"

namespace {

using namespace grokscope;
using namespace grokscope::sweep;
namespace fs = std::filesystem;

const char* kTiny = R"(
[sweep]
name = "tiny_faults"
seeds = 1
[base]
"task.p" = 11
"task.train_fraction" = 0.6
"model.hidden" = [16]
"optim.lr" = 0.01
"train.steps" = 100
[[axis]]
key = "model.init_scale"
values = [1.0, 2.0, 3.0]
)";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ClearFault {
  ~ClearFault() { set_write_fault(nullptr); }
};

TEST(SweepWriteFailure, TheFailedRunIsMarkedFailedAndEveryOtherRunFinishes) {
  const fs::path dir = fs::temp_directory_path() / "grokscope_sweep_write_failure";
  fs::remove_all(dir);
  const SweepSpec spec = parse_sweep_spec(kTiny, "");
  const std::string victim = expand_grid(spec)[1].name;
  const ClearFault clear;
  int victim_rows = 0;
  // The victim's disk "fills up" at its 4th metrics.csv row, and stays full (its summary.json cannot be written).
  set_write_fault([&](const fs::path& p) -> std::optional<std::string> {
    if (p.parent_path().filename() != victim) return std::nullopt;
    if (p.filename() == "metrics.csv" && ++victim_rows < 4) return std::nullopt;
    if (p.filename() == "metrics.csv" || p.filename() == "summary.json") return "No space left on device (injected)";
    return std::nullopt;
  });
  SweepOptions o;
  o.out = dir;
  o.workers = 2;
  const SweepResult first = run_sweep(spec, o);
  EXPECT_EQ(first.ran, 3);
  EXPECT_EQ(first.unfinished, 1);
  {
    SweepIndex index(dir / "index.sqlite");
    for (const auto& r : index.runs()) {
      if (r.name == victim) {
        EXPECT_EQ(r.status, "failed");
        EXPECT_NE(r.message.find("No space left on device (injected)"), std::string::npos) << r.message;
        EXPECT_NE(r.message.find("metrics.csv"), std::string::npos) << r.message;
      } else {
        EXPECT_EQ(r.status, "completed") << r.name;
        EXPECT_TRUE(fs::exists(dir / "runs" / r.name / "summary.json"));
      }
    }
  }
  const fs::path failed = dir / "runs" / victim;
  EXPECT_FALSE(fs::exists(failed / "summary.json"));       // never a summary claiming success
  EXPECT_FALSE(fs::exists(failed / "summary.json.tmp"));   // nor a partial one
  // Every row written before the failure is kept: the header and 3 evaluations.
  const std::string csv = read(failed / "metrics.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);

  // The disk has room again: the next invocation reruns only the failed run.
  set_write_fault(nullptr);
  const SweepResult second = run_sweep(spec, o);
  EXPECT_EQ(second.skipped, 2);
  EXPECT_EQ(second.ran, 1);
  EXPECT_EQ(second.unfinished, 0);
  EXPECT_NE(read(failed / "summary.json").find("\"status\": \"completed\""), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
