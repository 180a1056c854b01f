// Golden comparison of the Grokfast filters against the official code run by PyTorch 1.13
// (tests/fixtures/grokfast_golden.json, written by tests/fixtures/make_grokfast_golden.py, which re-types
// gradfilter_ema / gradfilter_ma from github.com/ironjr/grokfast @ 93b2248): a linear model W x + b with the mean
// squared error on 6 rows, 15 full-batch steps, the filter between backward and optimizer.step(). The gradient is
// computed here in f64; filter and optimizer are grokscope's (make_grad_filter, make_optimizer), so the cases check
// the filter's formulas, when it starts (MA warmup), and that coupled weight decay (SGD, Adam) is added to the
// filtered gradient while AdamW's decoupled decay is not filtered.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "grokscope/optim/grad_filter.h"
#include "grokscope/optim/optimizer.h"

namespace grokscope {
namespace {

const nlohmann::json& golden() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(GROKSCOPE_FIXTURES) + "/grokfast_golden.json");
    if (!in) throw std::runtime_error("cannot open grokfast_golden.json in " GROKSCOPE_FIXTURES);
    return nlohmann::json::parse(in);
  }();
  return j;
}

const std::vector<std::string> kCases = {"ema_adamw", "ema_defaults_sgd_momentum", "ma_mean_warmup_sgd",
                                         "ma_sum_no_warmup_adam", "ma_mean_warmup_adamw"};

const nlohmann::json& find_case(const std::string& name) {
  for (const auto& c : golden().at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no golden case " + name);
}

OptimConfig config_of(const nlohmann::json& c) {
  OptimConfig o;
  const std::string kind = c.at("kind");
  o.kind = kind == "sgd" ? OptimKind::sgd : kind == "adam" ? OptimKind::adam : OptimKind::adamw;
  o.lr = c.at("lr");
  o.weight_decay = c.at("weight_decay");
  if (c.contains("momentum")) o.momentum = c.at("momentum");
  if (c.contains("betas")) o.beta1 = c.at("betas").at(0), o.beta2 = c.at("betas").at(1);
  if (c.at("filter") == "ema") {
    o.grad_filter = GradFilterKind::ema;
    o.ema_alpha = c.at("alpha");
    o.ema_lamb = c.at("lamb");
  } else {
    o.grad_filter = GradFilterKind::ma;
    o.ma_window = c.at("window");
    o.ma_lamb = c.at("lamb");
    o.ma_filter = c.at("filter_type") == "sum" ? MaFilter::sum : MaFilter::mean;
    o.ma_warmup = c.at("warmup");
  }
  return o;
}

// The mean squared error of W x + b over the rows and outputs, and its gradient (W row-major, then b).
void mse_gradient(const std::vector<double>& theta, const nlohmann::json& g, std::vector<double>& grad) {
  const int n = g.at("n_rows"), d = g.at("n_in"), o = g.at("n_out");
  std::fill(grad.begin(), grad.end(), 0.0);
  for (int r = 0; r < n; ++r)
    for (int k = 0; k < o; ++k) {
      double pred = theta[static_cast<size_t>(o * d + k)];
      for (int i = 0; i < d; ++i) pred += theta[static_cast<size_t>(k * d + i)] * g.at("x").at(r).at(i).get<double>();
      const double dpred = 2.0 * (pred - g.at("y").at(r).at(k).get<double>()) / (n * o);
      for (int i = 0; i < d; ++i) grad[static_cast<size_t>(k * d + i)] += dpred * g.at("x").at(r).at(i).get<double>();
      grad[static_cast<size_t>(o * d + k)] += dpred;
    }
}

class GrokfastGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GrokfastGoldenTest, Float64MatchesReference) {
  const nlohmann::json& g = golden();
  const nlohmann::json& c = find_case(GetParam());
  const OptimConfig config = config_of(c);
  std::vector<double> theta = g.at("initial").get<std::vector<double>>();
  const auto total = static_cast<int64_t>(theta.size());
  auto opt = make_optimizer<double>(config, {{.offset = 0, .size = total, .lr = config.lr,
                                              .weight_decay = config.weight_decay}}, total);
  auto filter = make_grad_filter<double>(config, total);
  ASSERT_NE(filter, nullptr);
  std::vector<double> grad(theta.size()), plain(theta.size());
  double worst = 0;
  const int steps = g.at("steps");
  for (int s = 0; s < steps; ++s) {
    mse_gradient(theta, g, grad);
    plain = grad;
    filter->apply(grad.data());
    // Without MA warmup, and with EMA, every step is filtered; with MA warmup the first window - 1 are not.
    const bool filtered = config.grad_filter == GradFilterKind::ema || !config.ma_warmup || s + 1 >= config.ma_window;
    EXPECT_EQ(grad != plain, filtered) << "step " << s;
    opt->step(theta.data(), grad.data(), 1.0);
    const auto& expected = c.at("float64").at(s);
    for (int64_t i = 0; i < total; ++i) {
      const double e = expected.at(i).get<double>(), a = theta[static_cast<size_t>(i)];
      const double err = std::abs(a - e) / std::max(1e-3, std::abs(e));
      worst = std::max(worst, err);
      EXPECT_LE(err, 1e-10) << GetParam() << " step " << s << " element " << i << ": got " << a << ", reference " << e;
    }
  }
  ::testing::Test::RecordProperty("max_relative_error", fmt::format("{:.3g}", worst));
}

INSTANTIATE_TEST_SUITE_P(Cases, GrokfastGoldenTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(GrokfastGoldenFile, ListsExactlyTheTestedCases) {
  std::vector<std::string> names;
  for (const auto& c : golden().at("cases")) names.push_back(c.at("name").get<std::string>());
  EXPECT_EQ(names, kCases);
}

// The filter changes the trajectory: running the same case without it leaves the reference by far more than the
// tolerance (so the comparison above cannot pass with a filter that does nothing).
TEST(GrokfastGoldenFile, UnfilteredRunDiffers) {
  const nlohmann::json& g = golden();
  for (const auto& name : kCases) {
    const nlohmann::json& c = find_case(name);
    OptimConfig config = config_of(c);
    std::vector<double> theta = g.at("initial").get<std::vector<double>>();
    const auto total = static_cast<int64_t>(theta.size());
    auto opt = make_optimizer<double>(config, {{.offset = 0, .size = total, .lr = config.lr,
                                                .weight_decay = config.weight_decay}}, total);
    std::vector<double> grad(theta.size());
    const int steps = g.at("steps");
    for (int s = 0; s < steps; ++s) {
      mse_gradient(theta, g, grad);
      opt->step(theta.data(), grad.data(), 1.0);
    }
    double diff = 0;
    for (int64_t i = 0; i < total; ++i)
      diff = std::max(diff, std::abs(theta[static_cast<size_t>(i)] - c.at("float64").at(steps - 1).at(i).get<double>()));
    EXPECT_GT(diff, 1e-4) << name;
  }
}

}  // namespace
}  // namespace grokscope
