// The transformer (nn/transformer.h): finite-difference gradient checks in float64 for every parameter tensor of the
// 1- and 2-layer models with and without LayerNorm and biases, its TransformerLens layout, Nanda's init scales, and
// float32 against float64.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <tuple>

#include "grokscope/core/rng.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/param_export.h"
#include "grokscope/nn/transformer.h"

namespace grokscope {
namespace {

constexpr int kP = 5;

struct Problem {
  int64_t n = 9;
  std::vector<int32_t> tokens, labels;
};

Problem make_problem(uint64_t seed) {
  Problem pr;
  Rng rng(seed);
  for (int64_t i = 0; i < pr.n; ++i) {
    const auto a = static_cast<int32_t>(rng.below(kP)), b = static_cast<int32_t>(rng.below(kP));
    pr.tokens.insert(pr.tokens.end(), {a, b, kP});
    pr.labels.push_back((a + b) % kP);
  }
  return pr;
}

ModelConfig small_config(int layers, bool layer_norm, bool biases) {
  ModelConfig mc;
  mc.kind = ModelKind::transformer;
  mc.layers = layers;
  mc.d_model = 8;
  mc.heads = 2;
  mc.d_mlp = 12;
  mc.layer_norm = layer_norm;
  mc.mlp_bias = biases;
  mc.attn_bias = biases;
  mc.unembed_bias = biases;
  return mc;
}

const TransformerShape kShape{.vocab = kP + 1, .ctx = 3, .outputs = kP};

using GradCase = std::tuple<int /*layers*/, bool /*layer_norm*/, bool /*biases*/>;
class TransformerGradient : public ::testing::TestWithParam<GradCase> {};

TEST_P(TransformerGradient, EveryParameterMatchesCentralDifferences) {
  const auto [layers, layer_norm, biases] = GetParam();
  const Transformer<double> model(small_config(layers, layer_norm, biases), kShape);
  const Problem pr = make_problem(7);
  std::vector<double> params(static_cast<size_t>(model.layout().total_size()));
  Rng rng(5);
  model.init_params(params.data(), rng);
  // Biases and LayerNorm parameters start at 0 and 1: perturb everything so that each one matters (LayerNorm keeps
  // the logits moderate, so its weights are scaled up too, making attention far from uniform).
  const double gain = layer_norm ? 2.0 : 1.0;
  for (auto& v : params) v = gain * v + 0.3 * rng.normal();
  const InputBatch<double> x{.n = pr.n, .dim = kShape.vocab, .tokens_per_row = 3, .tokens = pr.tokens.data()};
  auto ws = model.make_workspace(pr.n);
  LossConfig lc;
  auto loss_at = [&](const std::vector<double>& p) {
    const double* out = model.forward(p.data(), x, *ws);
    return classification_loss<double>(lc, out, x.n, kP, pr.labels.data(), nullptr).loss;
  };
  const double* out = model.forward(params.data(), x, *ws);
  std::vector<double> d_out(static_cast<size_t>(pr.n * kP));
  classification_loss<double>(lc, out, pr.n, kP, pr.labels.data(), d_out.data());
  std::vector<double> grad(params.size(), std::nan(""));
  model.backward(params.data(), x, d_out.data(), grad.data(), *ws);

  const double h = 1e-6;
  for (const auto& info : model.layout().params()) {
    double max_err = 0.0, max_grad = 0.0;
    for (int64_t k = info.offset; k < info.offset + info.size(); ++k) {
      const auto ku = static_cast<size_t>(k);
      std::vector<double> p = params;
      p[ku] = params[ku] + h;
      const double up = loss_at(p);
      p[ku] = params[ku] - h;
      const double fd = (up - loss_at(p)) / (2 * h);
      ASSERT_TRUE(std::isfinite(grad[ku])) << info.name << " element " << k - info.offset;
      max_err = std::max(max_err, std::abs(fd - grad[ku]) / std::max(1.0, std::abs(fd)));
      max_grad = std::max(max_grad, std::abs(grad[ku]));
    }
    EXPECT_LT(max_err, 1e-7) << info.name;
    if (info.name.ends_with("attn.b_K"))   // q.(k_t + b_K) shifts every score of a query alike: softmax ignores it
      EXPECT_LT(max_grad, 1e-12) << info.name;
    else
      EXPECT_GT(max_grad, 1e-4) << info.name << " has no gradient: the check would be empty";
  }
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) {
  const auto [layers, layer_norm, biases] = info.param;
  return std::to_string(layers) + "_layers" + (layer_norm ? "_pre_ln" : "_no_ln") + (biases ? "_all_biases" : "_no_biases");
}

INSTANTIATE_TEST_SUITE_P(LayersNormsBiases, TransformerGradient,
                         ::testing::Combine(::testing::Values(1, 2), ::testing::Values(false, true),
                                            ::testing::Values(false, true)),
                         case_name);

TEST(TransformerLayout, TransformerLensNamesAndShapes) {
  const Transformer<double> model(small_config(2, true, true), kShape);
  std::vector<double> params(static_cast<size_t>(model.layout().total_size()), 0.0);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& a : export_params(model.layout(), params.data())) shapes[a.name] = a.shape;
  using S = std::vector<int64_t>;
  EXPECT_EQ(shapes.at("embed.W_E"), (S{6, 8}));
  EXPECT_EQ(shapes.at("pos_embed.W_pos"), (S{3, 8}));
  EXPECT_EQ(shapes.at("blocks.1.attn.W_Q"), (S{2, 8, 4}));
  EXPECT_EQ(shapes.at("blocks.1.attn.W_O"), (S{2, 4, 8}));
  EXPECT_EQ(shapes.at("blocks.0.attn.b_K"), (S{2, 4}));
  EXPECT_EQ(shapes.at("blocks.0.attn.b_O"), (S{8}));
  EXPECT_EQ(shapes.at("blocks.0.mlp.W_in"), (S{8, 12}));
  EXPECT_EQ(shapes.at("blocks.0.mlp.W_out"), (S{12, 8}));
  EXPECT_EQ(shapes.at("blocks.1.ln2.w"), (S{8}));
  EXPECT_EQ(shapes.at("ln_final.b"), (S{8}));
  EXPECT_EQ(shapes.at("unembed.W_U"), (S{8, 5}));
  EXPECT_EQ(shapes.at("unembed.b_U"), (S{5}));
  EXPECT_EQ(shapes.size(), 2u + 2 * 16 + 4);
  // Without LayerNorm and biases.
  const Transformer<double> bare(small_config(1, false, false), kShape);
  for (const char* absent : {"blocks.0.ln1.w", "ln_final.w", "blocks.0.attn.b_Q", "unembed.b_U", "blocks.0.mlp.b_in"})
    EXPECT_EQ(bare.layout().find(absent), nullptr) << absent;
  EXPECT_EQ(bare.layout().find("embed.W_E")->group, "embedding");
  EXPECT_EQ(bare.layout().find("unembed.W_U")->group, "head");
}

TEST(TransformerInit, NandaScales) {
  ModelConfig mc = small_config(1, true, true);
  mc.d_model = 64;
  mc.heads = 4;
  mc.d_mlp = 256;
  const TransformerShape shape{.vocab = 114, .ctx = 3, .outputs = 113};
  const Transformer<double> model(mc, shape);
  std::vector<double> params(static_cast<size_t>(model.layout().total_size()));
  Rng rng(1);
  model.init_params(params.data(), rng);
  auto rms = [&](const char* name) {
    const ParamInfo* p = model.layout().find(name);
    double s = 0;
    for (int64_t i = 0; i < p->size(); ++i) s += params[static_cast<size_t>(p->offset + i)] * params[static_cast<size_t>(p->offset + i)];
    return std::sqrt(s / static_cast<double>(p->size()));
  };
  for (const char* w : {"embed.W_E", "blocks.0.attn.W_Q", "blocks.0.attn.W_O", "blocks.0.mlp.W_in", "blocks.0.mlp.W_out"})
    EXPECT_NEAR(rms(w), 1.0 / 8.0, 0.01) << w;   // 1/sqrt(d_model), W_out included
  EXPECT_NEAR(rms("unembed.W_U"), 1.0 / std::sqrt(114.0), 0.005);
  EXPECT_EQ(rms("blocks.0.mlp.b_in"), 0.0);
  EXPECT_EQ(rms("blocks.0.ln1.w"), 1.0);
  EXPECT_EQ(rms("ln_final.b"), 0.0);
}

TEST(TransformerPrecision, Float32MatchesFloat64) {
  const ModelConfig mc = small_config(2, true, true);
  const Transformer<double> m64(mc, kShape);
  const Transformer<float> m32(mc, kShape);
  const Problem pr = make_problem(3);
  std::vector<double> p64(static_cast<size_t>(m64.layout().total_size()));
  Rng rng(2);
  m64.init_params(p64.data(), rng);
  for (auto& v : p64) v += 0.1 * rng.normal();
  const std::vector<float> p32(p64.begin(), p64.end());
  const InputBatch<double> x64{.n = pr.n, .dim = kShape.vocab, .tokens_per_row = 3, .tokens = pr.tokens.data()};
  const InputBatch<float> x32{.n = pr.n, .dim = kShape.vocab, .tokens_per_row = 3, .tokens = pr.tokens.data()};
  auto ws64 = m64.make_workspace(pr.n);
  auto ws32 = m32.make_workspace(pr.n);
  const double* o64 = m64.forward(p64.data(), x64, *ws64);
  const float* o32 = m32.forward(p32.data(), x32, *ws32);
  for (int64_t i = 0; i < pr.n * kP; ++i) EXPECT_NEAR(o32[i], o64[i], 1e-5 * (1 + std::abs(o64[i])));
  std::vector<double> d64(static_cast<size_t>(pr.n * kP), 0.0);
  for (size_t i = 0; i < d64.size(); ++i) d64[i] = 0.01 * static_cast<double>(i % 7) - 0.03;
  std::vector<float> d32(d64.begin(), d64.end());
  std::vector<double> g64(p64.size());
  std::vector<float> g32(p64.size());
  m64.backward(p64.data(), x64, d64.data(), g64.data(), *ws64);
  m32.backward(p32.data(), x32, d32.data(), g32.data(), *ws32);
  for (size_t i = 0; i < g64.size(); ++i) EXPECT_NEAR(g32[i], g64[i], 1e-4 * (1 + std::abs(g64[i]))) << i;
}

}  // namespace
}  // namespace grokscope
