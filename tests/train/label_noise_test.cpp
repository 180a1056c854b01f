// Label-noise SGD (train.label_noise_std, Lyu App. B.2) and the population probe of the sparse_regression task: the
// noise enters the step as (f - y + xi)^2 with xi ~ N(0, std^2) (checked on a row the model fits exactly, where each
// step is 2 lr xi x), the train metrics stay those of the clean targets, runs are deterministic in the seed, and the
// probe's theta_GF is where the trainer's own gradient flow goes.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/train/trainer.h"
#include "run_recorder.h"

namespace grokscope {
namespace {

using test::RunRecorder;

// Musat's 1 + 1 = 2 fitted exactly from the start: f(x) = w . x with w = (1, 1), x = (1, 1), y = 2. f64.
RunConfig fitted_toy(double noise_std, double lr, int64_t steps) {
  RunConfig c;
  c.task.kind = TaskKind::toy_regression;
  c.model.hidden = {};
  c.model.activation = Activation::identity;
  c.model.bias = BiasMode::none;
  c.model.init_values = {1.0, 1.0};
  c.loss.kind = LossKind::squared;
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = lr;
  c.train.steps = steps;
  c.train.dtype = Dtype::f64;
  c.train.threads = 1;
  c.train.label_noise_std = noise_std;
  c.eval.record_trajectory = true;
  c.eval.probes = {"none"};
  return c;
}

TEST(LabelNoise, EachStepIsTwoLrXiTimesTheInput) {
  constexpr double kLr = 1e-7, kStd = 0.5;
  constexpr int64_t kSteps = 4000;
  RunRecorder rec;
  train(fitted_toy(kStd, kLr, kSteps), rec);
  ASSERT_EQ(rec.params.size(), static_cast<size_t>(kSteps + 1));
  // w_{t+1} - w_t = -lr 2 (f - y - std z) x = 2 lr std z (1, 1) up to f - y = O(lr sqrt(t)) (negligible here).
  double sum = 0.0, sq = 0.0;
  for (int64_t t = 0; t < kSteps; ++t) {
    const auto& a = rec.params[static_cast<size_t>(t)];
    const auto& b = rec.params[static_cast<size_t>(t + 1)];
    EXPECT_NEAR(b[0] - a[0], b[1] - a[1], 1e-15);
    const double z = (b[0] - a[0]) / (2 * kLr * kStd);
    sum += z;
    sq += z * z;
  }
  const double mean = sum / kSteps, var = sq / kSteps - mean * mean;
  EXPECT_NEAR(mean, 0.0, 4.0 / std::sqrt(double(kSteps)));
  EXPECT_NEAR(var, 1.0, 0.1);   // the factor 2 of d(f - y + xi)^2 / df and std^2 of the noise
}

TEST(LabelNoise, TrainMetricsUseTheCleanTargets) {
  RunRecorder rec;
  train(fitted_toy(10.0, 1e-9, 10), rec);
  for (size_t r = 0; r < rec.rows.size(); ++r) EXPECT_LT(rec.at(r, "loss_train"), 1e-12) << r;   // noisy: ~100
}

RunConfig label_noise_regression(double noise_std) {
  RunConfig c;
  c.task.kind = TaskKind::sparse_regression;
  c.task.d = 50;
  c.task.n_train = 20;
  c.task.n_test = 500;
  c.model.kind = ModelKind::diagonal;
  c.model.init_scale = 10.0;   // u = v = 1
  c.loss.kind = LossKind::squared;
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = 1e-3;
  c.train.steps = 2000;
  c.train.batch_size = 1;
  c.train.dtype = Dtype::f64;
  c.train.threads = 1;
  c.train.label_noise_std = noise_std;
  return c;
}

// Rows equal value for value, NaN (the accuracy columns of a regression) equal to NaN.
bool same_rows(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t r = 0; r < a.size(); ++r) {
    if (a[r].size() != b[r].size()) return false;
    for (size_t c = 0; c < a[r].size(); ++c)
      if (!(a[r][c] == b[r][c] || (std::isnan(a[r][c]) && std::isnan(b[r][c])))) return false;
  }
  return true;
}

TEST(LabelNoise, DeterministicInTheSeedAndDifferentFromNoNoise) {
  RunRecorder a, b, clean, other;
  train(label_noise_regression(1.0), a);
  train(label_noise_regression(1.0), b);
  train(label_noise_regression(0.0), clean);
  RunConfig c = label_noise_regression(1.0);
  c.train.seed = 1;
  train(c, other);
  EXPECT_TRUE(same_rows(a.rows, b.rows));
  EXPECT_FALSE(same_rows(a.rows, clean.rows));
  EXPECT_FALSE(same_rows(a.rows, other.rows));
  EXPECT_NE(a.at(a.rows.size() - 1, "loss_population"), clean.at(clean.rows.size() - 1, "loss_population"));
}

TEST(PopulationProbe, ExactLossAndTheGradientFlowLimit) {
  RunConfig c = label_noise_regression(0.0);   // the probe's own flow, then the trainer's flow to t = 64
  c.optim.kind = OptimKind::gradient_flow;
  c.optim.lr = 1.0;
  c.optim.flow_rtol = 1e-8;   // the probe's tolerances
  c.optim.flow_atol = 1e-12;
  c.train.steps = 64;
  c.train.batch_size = 0;
  c.eval.probes = {"population"};
  RunRecorder rec;
  train(c, rec);
  const size_t last = rec.rows.size() - 1;
  EXPECT_EQ(rec.at(0, "loss_population"), 3.0);   // w = 0 at u = v, |w*|^2 = k = 3
  EXPECT_NEAR(rec.at(0, "loss_test"), 3.0, 0.5);   // its Monte Carlo estimate on 500 rows
  EXPECT_LT(rec.at(0, "loss_train_gf"), 1e-10 * rec.at(0, "loss_train"));
  const double gf = rec.at(0, "loss_population_gf");
  EXPECT_EQ(rec.at(last, "loss_population_gf"), gf);
  EXPECT_GT(gf, 0.1);
  EXPECT_NEAR(rec.at(last, "loss_population"), gf, 1e-5 * gf);
  EXPECT_LT(rec.at(last, "dist_w_gf"), 1e-5);
  EXPECT_NEAR(rec.at(0, "dist_w_gf"), 1.0, 1e-12);   // w = 0
  EXPECT_NEAR(rec.at(last, "loss_test"), rec.at(last, "loss_population"), 0.2 * gf);
}

}  // namespace
}  // namespace grokscope
