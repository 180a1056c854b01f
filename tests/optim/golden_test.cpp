// Golden comparison against real PyTorch 1.13 (tests/fixtures/optim_golden.json, written by
// tests/fixtures/make_optim_golden.py): 5 steps on a 21-element buffer of three tensors in two parameter groups with
// different lr / weight decay, for SGD, SGD momentum, SGD Nesterov, Adam with L2, AdamW with betas (0.9, 0.98) and
// AdamW with a LambdaLR warmup. Each case is built through make_optimizer from the stored hyperparameters.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "grokscope/optim/optimizer.h"

namespace grokscope {
namespace {

const nlohmann::json& golden() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(GROKSCOPE_FIXTURES) + "/optim_golden.json");
    if (!in) throw std::runtime_error("cannot open optim_golden.json in " GROKSCOPE_FIXTURES);
    return nlohmann::json::parse(in);
  }();
  return j;
}

const std::vector<std::string> kCases = {"sgd",     "sgd_momentum", "sgd_nesterov",
                                         "adam_wd", "adamw_betas",  "adamw_warmup"};

const nlohmann::json& find_case(const std::string& name) {
  for (const auto& c : golden().at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no golden case " + name);
}

OptimKind kind_of(const std::string& s) {
  if (s == "sgd") return OptimKind::sgd;
  if (s == "adam") return OptimKind::adam;
  if (s == "adamw") return OptimKind::adamw;
  throw std::runtime_error("unknown kind " + s);
}

// Combined tolerance: relative to the value, with a floor of 1 (parameters here are O(0.01..1)).
bool close(double actual, double expected, double rtol) {
  return std::abs(actual - expected) <= rtol * std::max(1.0, std::abs(expected));
}

template <class T>
void run_golden(const std::string& name, const std::string& dtype, double rtol) {
  const nlohmann::json& g = golden();
  const nlohmann::json& c = find_case(name);
  const int64_t total = g.at("total_size").get<int64_t>();
  const int steps = g.at("steps").get<int>();

  OptimConfig config;
  config.kind = kind_of(c.at("kind").get<std::string>());
  config.momentum = c.at("momentum").get<double>();
  config.nesterov = c.at("nesterov").get<bool>();
  config.beta1 = c.at("beta1").get<double>();
  config.beta2 = c.at("beta2").get<double>();
  config.eps = c.at("eps").get<double>();
  config.warmup_steps = c.at("warmup_steps").get<int64_t>();
  config.lr = c.at("groups").at(0).at("lr").get<double>();
  config.weight_decay = c.at("groups").at(0).at("weight_decay").get<double>();

  std::vector<ParamRange> ranges;
  for (const auto& t : g.at("tensors")) {
    const auto& group = c.at("groups").at(t.at("group").get<size_t>());
    ranges.push_back({.offset = t.at("offset").get<int64_t>(),
                      .size = t.at("size").get<int64_t>(),
                      .lr = group.at("lr").get<double>(),
                      .weight_decay = group.at("weight_decay").get<double>()});
  }
  auto opt = make_optimizer<T>(config, ranges, total);

  std::vector<T> params;
  for (double x : g.at("initial")) params.push_back(static_cast<T>(x));
  const auto& trajectory = c.at(dtype);
  ASSERT_EQ(trajectory.size(), static_cast<size_t>(steps));
  double worst = 0;
  int64_t bitwise = 0;
  for (int s = 0; s < steps; ++s) {
    std::vector<T> grads;
    for (double x : g.at("grads").at(s)) grads.push_back(static_cast<T>(x));
    const double mult = c.at("lr_multipliers").at(s).get<double>();
    if (config.warmup_steps > 0) {  // the multiplier the trainer computes: min(step / warmup, 1) at 0-based step
      EXPECT_EQ(mult, std::min(static_cast<double>(s) / static_cast<double>(config.warmup_steps), 1.0));
    }
    opt->step(params.data(), grads.data(), mult);
    EXPECT_EQ(opt->steps_taken(), s + 1);
    const auto& expected = trajectory.at(s);
    ASSERT_EQ(expected.size(), static_cast<size_t>(total));
    for (int64_t i = 0; i < total; ++i) {
      const double e = expected.at(i).get<double>();
      const double a = static_cast<double>(params[i]);
      bitwise += a == e;
      worst = std::max(worst, std::abs(a - e) / std::max(1.0, std::abs(e)));
      EXPECT_TRUE(close(a, e, rtol)) << name << " " << dtype << " step " << s << " element " << i << ": got " << a
                                     << ", PyTorch " << e << ", diff " << a - e;
    }
  }
  ::testing::Test::RecordProperty("max_scaled_error", fmt::format("{:.3g}", worst));
  ::testing::Test::RecordProperty("bitwise_equal", fmt::format("{}/{}", bitwise, steps * total));
}

class OptimGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimGoldenTest, Float64MatchesPyTorch) { run_golden<double>(GetParam(), "float64", 1e-12); }

TEST_P(OptimGoldenTest, Float32MatchesPyTorch) { run_golden<float>(GetParam(), "float32", 1e-6); }

INSTANTIATE_TEST_SUITE_P(Cases, OptimGoldenTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(OptimGoldenFile, ListsExactlyTheTestedCases) {
  std::vector<std::string> names;
  for (const auto& c : golden().at("cases")) names.push_back(c.at("name").get<std::string>());
  EXPECT_EQ(names, kCases);
  EXPECT_EQ(golden().at("steps").get<int>(), 5);
}

}  // namespace
}  // namespace grokscope
