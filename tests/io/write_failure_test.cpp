// Write failures of a run directory (io/run_dir.h), by fault injection (io/write_fault.h) and by a directory removed
// under the writer: the run ends with an IoError naming the file and the reason; RunDirWriter::write_failure then
// leaves summary.json with status "failed" when it can be written, and never a partial or "completed" one; every
// metrics.csv row written before the failure stays.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/io/write_fault.h"
#include "grokscope/train/trainer.h"

namespace {

using namespace grokscope;
namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class WriteFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_write_failure_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    config_ = parse_run_config("[task]\np = 11\n[model]\nhidden = [8]\n[train]\nsteps = 200\n", {}, "test");
  }
  void TearDown() override {
    set_write_fault(nullptr);
    fs::remove_all(dir_);
  }
  // Trains into dir_; returns the IoError's message ("" when the run finished).
  std::string run(RunDirWriter& writer) {
    try {
      train(config_, writer);
    } catch (const IoError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
  RunConfig config_;
};

TEST_F(WriteFailure, AFullDiskDuringTheRunLeavesAFailedSummaryAndEveryFinishedRow) {
  int rows = 0;
  set_write_fault([&](const fs::path& p) -> std::optional<std::string> {
    if (p.filename() == "metrics.csv" && ++rows >= 3) return "No space left on device (injected)";
    return std::nullopt;
  });
  RunDirWriter writer(dir_, config_);
  writer.prepare_at_start(ExistingDir::refuse);
  const std::string message = run(writer);
  EXPECT_NE(message.find("metrics.csv: No space left on device (injected)"), std::string::npos) << message;
  EXPECT_TRUE(writer.write_failure(message));
  const std::string summary = read(dir_ / "summary.json");
  EXPECT_NE(summary.find("\"status\": \"failed\""), std::string::npos) << summary;
  EXPECT_NE(summary.find("No space left on device"), std::string::npos);
  const std::string csv = read(dir_ / "metrics.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);   // the header and the two rows before the failure
  EXPECT_FALSE(fs::exists(dir_ / "params_final.npz"));
}

TEST_F(WriteFailure, WhenNothingCanBeWrittenAnyMoreThereIsNoSummaryAtAll) {
  set_write_fault([](const fs::path& p) -> std::optional<std::string> {
    if (p.filename() == "params_final.npz" || p.filename() == "summary.json") return "Read-only file system (injected)";
    return std::nullopt;
  });
  RunDirWriter writer(dir_, config_);
  writer.prepare_at_start(ExistingDir::refuse);
  const std::string message = run(writer);
  EXPECT_NE(message.find("params_final.npz: Read-only file system (injected)"), std::string::npos) << message;
  EXPECT_FALSE(writer.write_failure(message));
  EXPECT_FALSE(fs::exists(dir_ / "summary.json"));
  EXPECT_FALSE(fs::exists(dir_ / "summary.json.tmp"));
  EXPECT_FALSE(fs::exists(dir_ / "params_final.npz.tmp"));
  EXPECT_TRUE(fs::exists(dir_ / "metrics.csv"));
}

TEST_F(WriteFailure, ARemovedDirectoryIsAnIoErrorNamingTheFileAndTheReason) {
  fs::create_directories(dir_);
  fs::remove_all(dir_);
  try {
    write_file_atomic(dir_ / "summary.json", "{}\n");
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("summary.json.tmp: No such file or directory"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(WriteFailure, AFailureAfterTheSummaryChangesNothing) {
  RunDirWriter writer(dir_, config_);
  writer.prepare_at_start(ExistingDir::refuse);
  EXPECT_EQ(run(writer), "");
  EXPECT_FALSE(writer.write_failure("a later failure"));   // summary.json is written: it stays as it is
  EXPECT_NE(read(dir_ / "summary.json").find("\"status\": \"completed\""), std::string::npos);
}

}  // namespace
