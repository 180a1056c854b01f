// Golden comparison of whole training trajectories against PyTorch 1.13 (tests/fixtures/transformer_golden.json,
// written by tests/fixtures/make_transformer_golden.py): the transformer's forward and backward, the cross-entropy
// objective, AdamW and the warmup schedule together, in float64, full batch. Every step's training loss agrees to
// 1e-10 relative and every parameter tensor after the last step (60 and 80 steps) to 1e-8 relative to its largest
// entry, for a 1-layer Nanda-style model and a 2-layer pre-LN model with every bias.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/objective.h"
#include "grokscope/nn/param_export.h"
#include "grokscope/nn/transformer.h"
#include "grokscope/optim/optimizer.h"
#include "grokscope/optim/param_groups.h"

namespace grokscope {
namespace {

const nlohmann::json& golden() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(GROKSCOPE_FIXTURES) + "/transformer_golden.json");
    if (!in) throw std::runtime_error("cannot open transformer_golden.json in " GROKSCOPE_FIXTURES);
    return nlohmann::json::parse(in);
  }();
  return j;
}

class TransformerGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TransformerGolden, TrajectoryMatchesPyTorch) {
  const nlohmann::json* found = nullptr;
  for (const auto& c : golden()["cases"])
    if (c["name"] == GetParam()) found = &c;
  ASSERT_NE(found, nullptr);
  const nlohmann::json& c = *found;
  ModelConfig mc;
  mc.kind = ModelKind::transformer;
  mc.layers = c["layers"];
  mc.d_model = c["d_model"];
  mc.heads = c["heads"];
  mc.d_mlp = c["d_mlp"];
  mc.layer_norm = c["layer_norm"];
  mc.mlp_bias = c["mlp_bias"];
  mc.attn_bias = c["attn_bias"];
  mc.unembed_bias = c["unembed_bias"];
  const int p = c["p"];
  const Transformer<double> model(mc, TransformerShape{.vocab = p + 1, .ctx = 3, .outputs = p});
  const ParamLayout& layout = model.layout();

  std::vector<NpyArray> arrays;
  for (const auto& [name, t] : c["initial"].items()) {
    const ParamInfo* info = layout.find(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(t["shape"].get<std::vector<int64_t>>(), info->shape) << name;
    arrays.push_back(NpyArray{name, t["shape"].get<std::vector<int64_t>>(), t["values"].get<std::vector<double>>()});
  }
  ASSERT_EQ(arrays.size(), layout.params().size());
  std::vector<double> params(static_cast<size_t>(layout.total_size()));
  import_params(layout, arrays, params.data());

  const auto tokens = c["tokens"].get<std::vector<int32_t>>();
  const auto labels = c["labels"].get<std::vector<int32_t>>();
  const auto n = static_cast<int64_t>(labels.size());
  const InputBatch<double> x{.n = n, .dim = p + 1, .tokens_per_row = 3, .tokens = tokens.data()};
  OptimConfig oc;
  oc.kind = OptimKind::adamw;
  oc.lr = c["lr"];
  oc.weight_decay = c["weight_decay"];
  oc.beta1 = c["betas"][0];
  oc.beta2 = c["betas"][1];
  oc.eps = c["eps"];
  oc.warmup_steps = c["warmup_steps"];
  auto optimizer = make_optimizer<double>(oc, resolve_param_ranges(layout, oc), layout.total_size());
  auto ws = model.make_workspace(n);
  std::vector<double> d_out(static_cast<size_t>(n * p)), grads(params.size());
  const LossConfig lc;
  const auto losses = c["losses"].get<std::vector<double>>();
  const int64_t steps = c["steps"];
  ASSERT_GE(steps, 60);
  for (int64_t s = 0; s < steps; ++s) {
    const double* out = model.forward(params.data(), x, *ws);
    const BatchStats st =
        compute_objective<double>(lc, TargetKind::classes, out, n, p, labels.data(), nullptr, d_out.data());
    EXPECT_NEAR(st.loss, losses[static_cast<size_t>(s)], 1e-10 * losses[static_cast<size_t>(s)]) << "step " << s;
    model.backward(params.data(), x, d_out.data(), grads.data(), *ws);
    optimizer->step(params.data(), grads.data(), warmup_multiplier(s, oc.warmup_steps));
  }
  double worst = 0.0;
  for (const auto& info : layout.params()) {
    const auto want = c["final"][info.name].get<std::vector<double>>();
    ASSERT_EQ(static_cast<int64_t>(want.size()), info.size()) << info.name;
    double scale = 0.0, err = 0.0, moved = 0.0;
    const auto init_values = c["initial"][info.name]["values"].get<std::vector<double>>();
    for (size_t i = 0; i < want.size(); ++i) {
      const double got = params[static_cast<size_t>(info.offset) + i];
      scale = std::max(scale, std::abs(want[i]));
      err = std::max(err, std::abs(got - want[i]));
      moved = std::max(moved, std::abs(want[i] - init_values[i]));
    }
    EXPECT_LE(err, 1e-8 * scale) << info.name;
    EXPECT_GT(moved, 1e-3 * scale) << info.name << " did not move: the comparison would be empty";
    worst = std::max(worst, err / scale);
  }
  RecordProperty("worst_relative_error", std::to_string(worst));
  std::printf("%s: %lld steps, worst tensor max|error| / max|value| = %.3g\n", GetParam().c_str(),
              static_cast<long long>(steps), worst);
}

INSTANTIATE_TEST_SUITE_P(Cases, TransformerGolden, ::testing::Values("nanda_1layer", "preln_2layer"));

}  // namespace
}  // namespace grokscope
