// model.init = "torch_default": nn.Linear's reset_parameters, kaiming_uniform_(a = sqrt(5)), i.e. every weight
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in the layer's input width (Musat's MU-4 network: "standard PyTorch
// init"). Checked on MU-4's shape: sum-encoded tokens of p = 11, width 128, 11 outputs, no biases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "grokscope/core/rng.h"
#include "grokscope/nn/mlp.h"

namespace grokscope {
namespace {

TEST(MlpInit, TorchDefaultIsUniformWithinOneOverSqrtFanIn) {
  ModelConfig mc;
  mc.hidden = {128};
  mc.bias = BiasMode::none;
  mc.init = InitKind::torch_default;
  const Mlp<double> mlp(mc, MlpShape{.input_dim = 11, .token_input = true, .output_dim = 11});
  ASSERT_EQ(mlp.layout().params().size(), 2u);   // w1, w2: no biases
  std::vector<double> params(static_cast<size_t>(mlp.layout().total_size()));
  Rng rng(0);
  mlp.init_params(params.data(), rng);
  const std::vector<std::pair<std::string, int>> fan_ins = {{"w1", 11}, {"w2", 128}};
  for (const auto& [name, fan_in] : fan_ins) {
    const ParamInfo* p = mlp.layout().find(name);
    ASSERT_NE(p, nullptr);
    const double bound = 1.0 / std::sqrt(double(fan_in));
    double max_abs = 0.0, sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < p->size(); ++i) {
      const double u = params[static_cast<size_t>(p->offset + i)] / bound;   // U(-1, 1) when right
      max_abs = std::max(max_abs, std::abs(u));
      sum += u;
      sq += u * u;
    }
    const double n = double(p->size());
    EXPECT_LE(max_abs, 1.0) << name;
    EXPECT_GT(max_abs, 0.99) << name;               // the whole interval is used (1408 draws)
    EXPECT_NEAR(sum / n, 0.0, 0.05) << name;        // sd of the mean 0.015
    EXPECT_NEAR(sq / n, 1.0 / 3.0, 0.03) << name;   // variance of U(-1, 1); sd of the estimate 0.008
  }
}

}  // namespace
}  // namespace grokscope
