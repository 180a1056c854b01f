// Memory guards end to end (train/memory_estimate.h): the cases (task.p = 100003, model.hidden = [10^7]) and
// a --max-memory cap are refused with one line and exit 2, nothing written; an allocation that fails anyway (an
// address-space limit) is one line naming the phase; and the estimate in summary.json stays within 2x of the
// measured peak RSS on every zoo config (a few steps each).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using grokscope::test::run_cli;

// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; clang answers __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

class MemoryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("grokscope_memory_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string demo() { return std::string(GROKSCOPE_SOURCE_DIR) + "/configs/demo.toml"; }
int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST_F(MemoryCli, TooLargeRunsAreOneLineExitTwoAndWriteNothing) {
  const std::string out = " --out " + dir_.string();
  auto r = run_cli("train " + demo() + " --set task.p=100003" + out);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("grokscope: error: task.p = 100003: the run needs about "), std::string::npos) << r.out;
  r = run_cli("train " + demo() + " --set 'model.hidden=[10000000]'" + out);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("grokscope: error: model.hidden = [10000000]: the run needs about "), std::string::npos)
      << r.out;
  r = run_cli("train " + demo() + " --max-memory 1M" + out);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("above train.max_memory = 1M (1.0 MiB)"), std::string::npos) << r.out;
  r = run_cli("train " + demo() + " --max-memory lots" + out);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("train.max_memory = \"lots\": not a memory size"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_));
}

// An address-space limit (ulimit -v) below what the run allocates, with a cap that admits it: the allocation fails
// during setup. ASan reserves terabytes of shadow address space, so it cannot run under ulimit -v at all.
TEST_F(MemoryCli, AFailedAllocationIsOneLineNamingThePhase) {
  if (kAsan) GTEST_SKIP() << "AddressSanitizer cannot run under an address-space limit (ulimit -v)";
  const auto r = run_cli("train " + demo() + " --set 'model.hidden=[2000000]' --max-memory 1T --out " + dir_.string(),
                         "ulimit -v 3000000;");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("grokscope: error: out of memory while setting up the run"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("driven by model.hidden"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_));
}

// Every zoo config for 5 steps, evaluated at steps 0 and 5 only: summary.json's estimate within 2x of the peak RSS.
// Under ASan the RSS holds the shadow memory and the allocator's quarantine, so the comparison means nothing there.
TEST_F(MemoryCli, TheEstimateIsWithinTwiceTheMeasuredPeakOnTheZooConfigs) {
  if (kAsan) GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine inflate the resident set";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(GROKSCOPE_SOURCE_DIR) / "configs" / "zoo")) {
    const fs::path out = dir_ / entry.path().stem();
    const auto r = run_cli("train " + entry.path().string() +
                           " --set train.steps=5 --set eval.schedule=linear --set eval.every=1000 -q --out " +
                           out.string());
    ASSERT_EQ(r.code, 0) << entry.path() << r.out;
    const auto j = nlohmann::json::parse(grokscope::test::read_file(out / "summary.json"));
    const double estimate = j["memory"]["estimate_bytes"].get<double>();
    const double peak = j["memory"]["peak_rss_bytes"].get<double>();
    EXPECT_GT(peak, 0);
    EXPECT_LE(estimate, 2 * peak) << entry.path().filename() << ": estimate " << estimate << ", peak " << peak;
    EXPECT_GE(estimate, peak / 2) << entry.path().filename() << ": estimate " << estimate << ", peak " << peak;
    std::printf("%-32s estimate %8.1f MiB  peak RSS %8.1f MiB  ratio %.2f\n", entry.path().filename().c_str(),
                estimate / 1048576, peak / 1048576, estimate / peak);
    ++checked;
  }
  EXPECT_GE(checked, 9);
}

}  // namespace
