// Finite-difference gradient checks in float64 for the MLP: every activation x bias mode x loss, token (gather)
// and dense inputs, depths 1 to 3.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "grokscope/core/rng.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/mlp.h"

namespace grokscope {
namespace {

struct Problem {
  int64_t n = 7;
  int input_dim = 10;
  int classes = 5;
  std::vector<int32_t> tokens, labels;
  std::vector<double> dense;
};

Problem make_problem(bool token_input, uint64_t seed) {
  Problem pr;
  Rng rng(seed);
  for (int64_t i = 0; i < pr.n; ++i) {
    pr.labels.push_back(static_cast<int32_t>(rng.below(pr.classes)));
    if (token_input) {
      pr.tokens.push_back(static_cast<int32_t>(rng.below(pr.input_dim / 2)));
      pr.tokens.push_back(static_cast<int32_t>(pr.input_dim / 2 + rng.below(pr.input_dim / 2)));
    }
  }
  if (token_input) pr.tokens[2] = pr.tokens[0], pr.tokens[3] = pr.tokens[1];  // a repeated row exercises accumulation
  if (!token_input)
    for (int64_t i = 0; i < pr.n * pr.input_dim; ++i) pr.dense.push_back(rng.normal());
  return pr;
}

double loss_at(const Mlp<double>& mlp, const LossConfig& lc, const std::vector<double>& params,
               const InputBatch<double>& x, const Problem& pr, Workspace& ws) {
  const double* out = mlp.forward(params.data(), x, ws);
  return classification_loss<double>(lc, out, x.n, pr.classes, pr.labels.data(), nullptr).loss;
}

using GradCase = std::tuple<Activation, BiasMode, LossKind, bool /*token*/, int /*hidden layers*/>;

class MlpGradient : public ::testing::TestWithParam<GradCase> {};

TEST_P(MlpGradient, MatchesCentralDifferences) {
  const auto [act, bias, loss_kind, token, depth] = GetParam();
  ModelConfig mc;
  mc.hidden.assign(static_cast<size_t>(depth), 6);
  mc.activation = act;
  mc.leaky_slope = 0.1;
  mc.bias = bias;
  mc.init = InitKind::torch_default;  // nonzero biases, so they matter
  LossConfig lc;
  lc.kind = loss_kind;
  lc.mse_reduction = MseReduction::sum_classes;
  const Problem pr = make_problem(token, 11);
  const Mlp<double> mlp(mc, MlpShape{.input_dim = pr.input_dim, .token_input = token, .output_dim = pr.classes});
  std::vector<double> params(static_cast<size_t>(mlp.layout().total_size()));
  Rng rng(3);
  mlp.init_params(params.data(), rng);
  for (auto& v : params) v *= 1.5;  // larger logits, so the loss is far from flat
  InputBatch<double> x{.n = pr.n, .dim = pr.input_dim, .tokens_per_row = token ? 2 : 0,
                       .tokens = token ? pr.tokens.data() : nullptr, .dense = token ? nullptr : pr.dense.data()};
  auto ws = mlp.make_workspace(pr.n);

  const double* out = mlp.forward(params.data(), x, *ws);
  std::vector<double> d_out(static_cast<size_t>(pr.n * pr.classes));
  classification_loss<double>(lc, out, pr.n, pr.classes, pr.labels.data(), d_out.data());
  std::vector<double> grad(params.size(), std::nan(""));
  mlp.backward(params.data(), x, d_out.data(), grad.data(), *ws);

  const double h = 1e-6;
  double max_err = 0.0;
  for (size_t k = 0; k < params.size(); ++k) {
    std::vector<double> p = params;
    p[k] = params[k] + h;
    const double up = loss_at(mlp, lc, p, x, pr, *ws);
    p[k] = params[k] - h;
    const double down = loss_at(mlp, lc, p, x, pr, *ws);
    const double fd = (up - down) / (2 * h);
    const double err = std::abs(fd - grad[k]) / std::max(1.0, std::abs(fd));
    max_err = std::max(max_err, err);
    ASSERT_TRUE(std::isfinite(grad[k])) << "parameter " << k;
  }
  EXPECT_LT(max_err, 1e-7);
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) {
  const auto [act, bias, loss_kind, token, depth] = info.param;
  return std::string(to_string(act)) + "_bias_" + to_string(bias) + "_" + to_string(loss_kind) +
         (token ? "_tokens" : "_dense") + "_depth" + std::to_string(depth);
}

INSTANTIATE_TEST_SUITE_P(
    AllActivationsBiasesLosses, MlpGradient,
    ::testing::Combine(::testing::Values(Activation::relu, Activation::leaky_relu, Activation::quadratic,
                                         Activation::identity, Activation::tanh),
                       ::testing::Values(BiasMode::none, BiasMode::first, BiasMode::all),
                       ::testing::Values(LossKind::cross_entropy, LossKind::mse), ::testing::Values(true, false),
                       ::testing::Values(0, 1, 2)),
    case_name);

TEST(MlpLayout, FirstLayerOfTokenModelIsStoredTransposed) {
  ModelConfig mc;
  mc.hidden = {4};
  const Mlp<double> mlp(mc, MlpShape{.input_dim = 6, .token_input = true, .output_dim = 3});
  const ParamInfo* w1 = mlp.layout().find("w1");
  ASSERT_NE(w1, nullptr);
  EXPECT_TRUE(w1->transposed);
  EXPECT_EQ(w1->rows, 4);
  EXPECT_EQ(w1->cols, 6);
  EXPECT_EQ(mlp.layout().find("w2")->group, "head");
  EXPECT_EQ(w1->group, "input");
  EXPECT_EQ(mlp.layout().find("b2"), nullptr);  // bias = first by default
}

TEST(MlpInit, InitScaleMultipliesWeightsAndZeroLastLayerZeroesHead) {
  ModelConfig mc;
  mc.hidden = {8};
  const MlpShape shape{.input_dim = 10, .token_input = true, .output_dim = 5};
  const Mlp<double> base(mc, shape);
  mc.init_scale = 8.0;
  const Mlp<double> scaled(mc, shape);
  mc.zero_last_layer = true;
  const Mlp<double> zeroed(mc, shape);
  std::vector<double> a(static_cast<size_t>(base.layout().total_size())), b(a.size()), c(a.size());
  Rng r1(5), r2(5), r3(5);
  base.init_params(a.data(), r1);
  scaled.init_params(b.data(), r2);
  zeroed.init_params(c.data(), r3);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_DOUBLE_EQ(b[i], 8.0 * a[i]);
  const ParamInfo* w2 = zeroed.layout().find("w2");
  for (int64_t i = 0; i < w2->size(); ++i) EXPECT_EQ(c[static_cast<size_t>(w2->offset + i)], 0.0);
  const ParamInfo* w1 = zeroed.layout().find("w1");
  for (int64_t i = 0; i < w1->size(); ++i)
    EXPECT_EQ(c[static_cast<size_t>(w1->offset + i)], b[static_cast<size_t>(w1->offset + i)]);
}

TEST(MlpInit, HeInitHasKaimingStandardDeviation) {
  ModelConfig mc;
  mc.hidden = {2000};
  const Mlp<double> mlp(mc, MlpShape{.input_dim = 50, .token_input = true, .output_dim = 40});
  std::vector<double> p(static_cast<size_t>(mlp.layout().total_size()));
  Rng rng(1);
  mlp.init_params(p.data(), rng);
  auto std_of = [&](const char* name) {
    const ParamInfo* info = mlp.layout().find(name);
    double s = 0;
    for (int64_t i = 0; i < info->size(); ++i) s += p[static_cast<size_t>(info->offset + i)] * p[static_cast<size_t>(info->offset + i)];
    return std::sqrt(s / static_cast<double>(info->size()));
  };
  EXPECT_NEAR(std_of("w1"), std::sqrt(2.0 / 50), 0.01 * std::sqrt(2.0 / 50));   // relu gain, fan_in 50
  EXPECT_NEAR(std_of("w2"), 1.0 / std::sqrt(2000.0), 0.02 / std::sqrt(2000.0));  // linear gain for the head
}

TEST(MlpHomogeneity, DegreeFollowsDepthAndActivation) {
  ModelConfig mc;
  mc.hidden = {4};
  const MlpShape shape{.input_dim = 6, .token_input = true, .output_dim = 3};
  EXPECT_EQ(Mlp<double>(mc, shape).homogeneity(), 2);
  mc.hidden = {4, 4};
  EXPECT_EQ(Mlp<double>(mc, shape).homogeneity(), 3);
  mc.activation = Activation::quadratic;
  mc.hidden = {4};
  EXPECT_EQ(Mlp<double>(mc, shape).homogeneity(), 3);
  mc.activation = Activation::relu;
  mc.bias = BiasMode::all;
  EXPECT_EQ(Mlp<double>(mc, shape).homogeneity(), 0);
}

}  // namespace
}  // namespace grokscope

namespace grokscope {
namespace {

TEST(EmbeddingMlp, LayoutGradientAndHomogeneity) {
  ModelConfig mc;
  mc.kind = ModelKind::embedding_mlp;
  mc.embedding_dim = 5;
  mc.hidden = {6};
  mc.bias = BiasMode::none;
  mc.init = InitKind::torch_default;
  const Problem pr = make_problem(true, 17);
  const Mlp<double> mlp(mc, MlpShape{.input_dim = pr.input_dim, .token_input = true, .output_dim = pr.classes,
                                     .embedding = true});
  const ParamInfo* e = mlp.layout().find("E");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->rows, pr.input_dim);  // nn.Embedding orientation: tokens x d
  EXPECT_EQ(e->cols, 5);
  EXPECT_EQ(e->group, "embedding");
  EXPECT_EQ(mlp.layout().find("w1")->cols, 5);
  EXPECT_EQ(mlp.homogeneity(), 3);  // E (1), relu layer (2), head (3)
  std::vector<double> params(static_cast<size_t>(mlp.layout().total_size()));
  Rng rng(2);
  mlp.init_params(params.data(), rng);
  InputBatch<double> x{.n = pr.n, .dim = pr.input_dim, .tokens_per_row = 2, .tokens = pr.tokens.data()};
  auto ws = mlp.make_workspace(pr.n);
  const LossConfig lc;
  const double* out = mlp.forward(params.data(), x, *ws);
  std::vector<double> d_out(static_cast<size_t>(pr.n * pr.classes)), grad(params.size());
  classification_loss<double>(lc, out, pr.n, pr.classes, pr.labels.data(), d_out.data());
  mlp.backward(params.data(), x, d_out.data(), grad.data(), *ws);
  for (size_t k = 0; k < params.size(); ++k) {
    std::vector<double> p = params;
    p[k] += 1e-6;
    const double up = loss_at(mlp, lc, p, x, pr, *ws);
    p[k] -= 2e-6;
    const double down = loss_at(mlp, lc, p, x, pr, *ws);
    ASSERT_NEAR(grad[k], (up - down) / 2e-6, 1e-7 * std::max(1.0, std::abs(grad[k]))) << k;
  }
  // The first hidden layer sees E_a + E_b: compare with a direct computation for row 0.
  const double* E = params.data() + e->offset;
  std::vector<double> h0(5);
  for (int j = 0; j < 5; ++j) h0[static_cast<size_t>(j)] = E[pr.tokens[0] * 5 + j] + E[pr.tokens[1] * 5 + j];
  const ParamInfo* w1 = mlp.layout().find("w1");
  const ParamInfo* w2 = mlp.layout().find("w2");
  std::vector<double> h1(6);
  for (int o = 0; o < 6; ++o) {
    double z = 0;
    for (int i = 0; i < 5; ++i) z += params[static_cast<size_t>(w1->offset + o * 5 + i)] * h0[static_cast<size_t>(i)];
    h1[static_cast<size_t>(o)] = std::max(z, 0.0);
  }
  out = mlp.forward(params.data(), x, *ws);
  for (int c = 0; c < pr.classes; ++c) {
    double z = 0;
    for (int i = 0; i < 6; ++i) z += params[static_cast<size_t>(w2->offset + c * 6 + i)] * h1[static_cast<size_t>(i)];
    EXPECT_NEAR(out[c], z, 1e-12);
  }
}

}  // namespace
}  // namespace grokscope
