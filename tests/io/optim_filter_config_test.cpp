// The keys of Omnigrok's fixed norm and the Grokfast filters (optim.fixed_norm, optim.grad_filter, optim.ema_*,
// optim.ma_*): defaults written by to_toml, the same values from a file, from --set and back from to_toml, wrong
// types, and the config hash moving with each of them.
#include <gtest/gtest.h>

#include <set>

#include "config_test_util.h"
#include "grokscope/io/config_toml.h"

namespace grokscope {
namespace {

using config_test::expect_error;
using config_test::expect_same;
using config_test::parse;

TEST(OptimFilterConfig, DefaultsAreWritten) {
  const RunConfig c = parse("");
  EXPECT_EQ(c.optim.fixed_norm, 0.0);
  EXPECT_EQ(c.optim.grad_filter, GradFilterKind::none);
  EXPECT_EQ(c.optim.ema_alpha, 0.98);
  EXPECT_EQ(c.optim.ema_lamb, 2.0);
  EXPECT_EQ(c.optim.ma_window, 100);
  EXPECT_EQ(c.optim.ma_lamb, 5.0);
  EXPECT_EQ(c.optim.ma_filter, MaFilter::mean);
  EXPECT_TRUE(c.optim.ma_warmup);
  const std::string text = to_toml(c);
  EXPECT_NE(text.find("fixed_norm = 0.0\ngrad_filter = \"none\"\nema_alpha = 0.98\nema_lamb = 2.0\nma_window = 100\n"
                      "ma_lamb = 5.0\nma_filter = \"mean\"\nma_warmup = true\n"),
            std::string::npos)
      << text;
}

TEST(OptimFilterConfig, FileSetAndRoundTripAgree) {
  RunConfig c;
  c.optim.fixed_norm = 0.8;
  c.optim.grad_filter = GradFilterKind::ma;
  c.optim.ema_alpha = 0.5;
  c.optim.ema_lamb = -1.5;
  c.optim.ma_window = 7;
  c.optim.ma_lamb = 0.1 + 0.2;
  c.optim.ma_filter = MaFilter::sum;
  c.optim.ma_warmup = false;
  expect_same(parse("[optim]\nfixed_norm = 0.8\ngrad_filter = \"ma\"\nema_alpha = 0.5\nema_lamb = -1.5\n"
                    "ma_window = 7\nma_lamb = 0.30000000000000004\nma_filter = \"sum\"\nma_warmup = false\n"),
              c);
  expect_same(parse("", {"optim.fixed_norm=0.8", "optim.grad_filter=ma", "optim.ema_alpha=0.5", "optim.ema_lamb=-1.5",
                         "optim.ma_window=7", "optim.ma_lamb=0.30000000000000004", "optim.ma_filter=sum",
                         "optim.ma_warmup=false"}),
              c);
  expect_same(parse_run_config(to_toml(c), {}, ""), c);
  const nlohmann::json j = to_json(c);
  EXPECT_EQ(j["optim"]["grad_filter"], "ma");
  EXPECT_EQ(j["optim"]["ma_filter"], "sum");
  EXPECT_EQ(j["optim"]["ma_window"], 7);
}

TEST(OptimFilterConfig, WrongTypes) {
  expect_error("[optim]\nfixed_norm = \"0.8\"\n", {}, {"optim.fixed_norm = \"0.8\"", "expected a number"});
  expect_error("[optim]\nma_window = 2.5\n", {}, {"optim.ma_window = 2.5", "integer"});
  expect_error("[optim]\nma_warmup = 1\n", {}, {"optim.ma_warmup = 1", "bool"});
  expect_error("", {"optim.grad_filter=lowpass"}, {"optim.grad_filter", "lowpass", "none, ema, ma"});
}

TEST(OptimFilterConfig, HashMovesWithEveryKey) {
  std::set<std::string> hashes = {config_hash(RunConfig{})};
  const std::vector<std::string> sets = {"optim.fixed_norm=0.8", "optim.grad_filter=ema", "optim.ema_alpha=0.9",
                                         "optim.ema_lamb=1", "optim.ma_window=5", "optim.ma_lamb=1",
                                         "optim.ma_filter=sum", "optim.ma_warmup=false"};
  for (const auto& set : sets) hashes.insert(config_hash(parse("", {set})));
  EXPECT_EQ(hashes.size(), sets.size() + 1);
}

}  // namespace
}  // namespace grokscope
