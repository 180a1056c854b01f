// The memory estimate and its guards (train/memory_estimate.h): sizes in bytes, the estimate's growth with the keys
// that drive it, the one-line refusals naming those keys, and std::bad_alloc turned into a MemoryError naming the
// phase. The estimate against measured peak RSS on the zoo configs is tests/cli/memory_cli_test.cpp.
#include <gtest/gtest.h>

#include <new>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/train/config.h"
#include "grokscope/train/memory_estimate.h"

namespace {

using namespace grokscope;

RunConfig demo(const std::vector<std::string>& overrides) {
  RunConfig c = parse_run_config("[task]\np = 97\n[model]\nhidden = [256]\n", overrides, "test");
  validate(c);
  return c;
}

std::string refusal(const RunConfig& c, std::optional<int64_t> limit) {
  try {
    check_memory(c, estimate_memory(c), limit);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(MemoryEstimate, ParsesSizesWithUnits) {
  EXPECT_EQ(parse_memory_size("k", "1024"), 1024);
  EXPECT_EQ(parse_memory_size("k", "16G"), int64_t{16} << 30);
  EXPECT_EQ(parse_memory_size("k", "16GB"), int64_t{16} << 30);
  EXPECT_EQ(parse_memory_size("k", "16 GiB"), int64_t{16} << 30);
  EXPECT_EQ(parse_memory_size("k", "1.5m"), int64_t{3} << 19);
  EXPECT_EQ(parse_memory_size("k", "2T"), int64_t{2} << 40);
  for (const char* bad : {"", "G", "-1G", "0", "12X", "1e30T", "nan", "inf"})
    EXPECT_THROW(parse_memory_size("train.max_memory", bad), ConfigError) << bad;
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(int64_t{3} << 29), "1.5 GiB");
  EXPECT_EQ(format_bytes(int64_t{600} << 30), "600 GiB");
}

TEST(MemoryEstimate, GrowsWithTheKeysThatDriveIt) {
  const MemoryEstimate base = estimate_memory(demo({}));
  EXPECT_GT(base.total, int64_t{14} << 20);      // more than the process baseline
  EXPECT_LT(base.total, int64_t{200} << 20);     // the demo is small
  // task.p = 100003 (a typo for 10003): 10^10 table rows, hundreds of GiB of data.
  const MemoryEstimate typo = estimate_memory(demo({"task.p=100003"}));
  EXPECT_GT(typo.total, int64_t{500} << 30);
  EXPECT_EQ(typo.largest().keys.front().first, "task.p");   // the full batch's activations, then the data
  // A hidden layer of 10^7: 1.9 * 10^9 parameters (7.8 GB per copy), and the full batch's activations
  // (3763 rows x 2 x 10^7 values) larger still; both are driven by model.hidden first.
  const MemoryEstimate wide = estimate_memory(demo({"model.hidden=[10000000]"}));
  EXPECT_GT(wide.total, int64_t{40} << 30);
  EXPECT_EQ(wide.largest().name, "activations");
  EXPECT_EQ(wide.largest().keys.front().first, "model.hidden");
  for (const auto& p : wide.parts) {
    if (p.name == "parameters") {
      EXPECT_GT(p.bytes, int64_t{60} << 30);
    }
  }
  // f64 doubles the parameters; AdamW's state is two more copies than plain SGD's.
  const auto params = [](const MemoryEstimate& e) {
    for (const auto& p : e.parts)
      if (p.name == "parameters") return p.bytes;
    return int64_t{0};
  };
  EXPECT_NEAR(static_cast<double>(params(estimate_memory(demo({"train.dtype=f64"})))), 2.0 * params(base), 16);
  EXPECT_LT(params(estimate_memory(demo({"optim.kind=sgd"}))), params(base));
}

TEST(MemoryEstimate, RefusalsAreOneLineNamingTheDrivingKeyAndTheEstimate) {
  const std::string typo = refusal(demo({"task.p=100003"}), int64_t{16} << 30);
  EXPECT_EQ(typo.rfind("task.p = 100003: the run needs about ", 0), 0u) << typo;
  EXPECT_NE(typo.find("GiB"), std::string::npos);
  EXPECT_NE(typo.find("available"), std::string::npos);
  EXPECT_EQ(typo.find('\n'), std::string::npos);
  const std::string wide = refusal(demo({"model.hidden=[10000000]"}), int64_t{16} << 30);
  EXPECT_EQ(wide.rfind("model.hidden = [10000000]: the run needs about ", 0), 0u) << wide;
  // train.max_memory is the limit when set, whatever the machine has.
  const std::string capped = refusal(demo({"train.max_memory=\"1M\""}), int64_t{1} << 40);
  EXPECT_NE(capped.find("above train.max_memory = 1M (1.0 MiB)"), std::string::npos) << capped;
  EXPECT_EQ(refusal(demo({}), int64_t{16} << 30), "");   // fits
  EXPECT_EQ(refusal(demo({}), std::nullopt), "");        // nothing known: no check
  EXPECT_THROW(demo({"train.max_memory=\"lots\""}), ConfigError);   // validate() checks the size
}

TEST(MemoryEstimate, ASweepMultipliesByItsWorkers) {
  const RunConfig c = demo({});
  const MemoryEstimate e = estimate_memory(c);
  EXPECT_NO_THROW(check_memory(c, e, e.total * 3, 3));
  EXPECT_THROW(check_memory(c, e, e.total * 3, 4), ConfigError);
}

TEST(MemoryEstimate, AFailedAllocationNamesThePhase) {
  const MemoryEstimate e = estimate_memory(demo({}));
  RunObserver sink;
  try {
    run_with_memory_guard(e, sink, [](RunObserver&) -> RunSummary { throw std::bad_alloc(); });
    FAIL() << "no MemoryError";
  } catch (const MemoryError& err) {
    const std::string m = err.what();
    EXPECT_EQ(m.rfind("out of memory while setting up the run: data, model, optimizer state, probes;", 0), 0u) << m;
    EXPECT_NE(m.find("estimated at"), std::string::npos);
  }
  try {
    run_with_memory_guard(e, sink, [](RunObserver& o) -> RunSummary {
      o.on_start(RunStart{});
      throw std::bad_alloc();
    });
    FAIL() << "no MemoryError";
  } catch (const MemoryError& err) {
    EXPECT_EQ(std::string(err.what()).rfind("out of memory while training", 0), 0u) << err.what();
  }
  // A finished run reports its estimate and the measured peak RSS.
  const RunSummary s = run_with_memory_guard(e, sink, [](RunObserver&) { return RunSummary{}; });
  EXPECT_EQ(s.memory_estimate, e.total);
  EXPECT_GT(s.peak_rss, 0);
}

}  // namespace
