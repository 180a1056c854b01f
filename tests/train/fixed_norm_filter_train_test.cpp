// The trainer with Omnigrok's fixed norm (optim.fixed_norm) and the Grokfast filters (optim.grad_filter): the norm
// after every step equals c ||theta_init|| in f64, the metrics' norm_total shows it, a filter with lamb 0 leaves a run
// bit for bit as without, a filter changes a minibatch run deterministically, the filters' state is in the memory
// estimate, and bad values are one-line ConfigErrors naming the key.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/train/config.h"
#include "grokscope/train/memory_estimate.h"
#include "grokscope/train/trainer.h"
#include "run_recorder.h"

namespace grokscope {
namespace {

using test::RunRecorder;

// a + b mod 7, width-16 MLP (352 parameters), full batch, AdamW, f64, every step recorded.
RunConfig small(const std::function<void(RunConfig&)>& edit = {}) {
  RunConfig c;
  c.task.p = 7;
  c.task.train_fraction = 0.5;
  c.model.hidden = {16};
  c.optim.lr = 0.01;
  c.train.steps = 60;
  c.train.dtype = Dtype::f64;
  c.train.threads = 1;
  c.eval.record_trajectory = true;
  c.eval.probes = {"none"};
  if (edit) edit(c);
  return c;
}

double norm(const std::vector<double>& p) {
  double s = 0;
  for (double x : p) s += x * x;
  return std::sqrt(s);
}

TEST(FixedNormTraining, NormAfterEveryStepIsCTimesTheInitialNorm) {
  RunRecorder plain;
  train(small(), plain);
  const double init_norm = norm(plain.params.at(0));
  ASSERT_GT(init_norm, 0);
  EXPECT_GT(std::abs(norm(plain.params.back()) / init_norm - 1), 1e-3);   // unconstrained, the norm moves
  for (const double c : {0.8, 1.0, 2.5}) {
    RunRecorder rec;
    train(small([&](RunConfig& r) { r.optim.fixed_norm = c; }), rec);
    ASSERT_EQ(rec.params.size(), 61u);
    for (size_t t = 0; t < rec.params.size(); ++t)
      EXPECT_NEAR(norm(rec.params[t]) / (c * init_norm), 1.0, 1e-12) << "c " << c << " step " << t;
    // The initial parameters are theta_init scaled by c.
    for (size_t i = 0; i < rec.params[0].size(); ++i)
      EXPECT_NEAR(rec.params[0][i], c * plain.params[0][i], 1e-15 * init_norm);
    for (size_t row = 0; row < rec.rows.size(); ++row)
      EXPECT_NEAR(rec.at(row, "norm_total") / (c * init_norm), 1.0, 1e-12) << row;
    // And the run still trains (the direction moves).
    EXPECT_GT(std::abs(rec.params.back()[0] - rec.params[0][0]), 1e-6);
  }
}

TEST(FixedNormTraining, WorksWithWeightDecayAndSgd) {
  RunRecorder plain, rec;
  train(small([](RunConfig& r) { r.optim.kind = OptimKind::sgd; r.optim.lr = 0.5; }), plain);
  train(small([](RunConfig& r) {
          r.optim.kind = OptimKind::sgd;
          r.optim.lr = 0.5;
          r.optim.weight_decay = 0.1;
          r.optim.fixed_norm = 0.8;
        }),
        rec);
  const double target = 0.8 * norm(plain.params.at(0));
  for (size_t t = 0; t < rec.params.size(); ++t) EXPECT_NEAR(norm(rec.params[t]) / target, 1.0, 1e-12) << t;
}

TEST(GradFilterTraining, ZeroLambIsBitForBitTheUnfilteredRun) {
  RunRecorder plain, ema, ma;
  train(small(), plain);
  train(small([](RunConfig& r) { r.optim.grad_filter = GradFilterKind::ema; r.optim.ema_lamb = 0; }), ema);
  train(small([](RunConfig& r) {
          r.optim.grad_filter = GradFilterKind::ma;
          r.optim.ma_lamb = 0;
          r.optim.ma_window = 3;
          r.optim.ma_warmup = false;
        }),
        ma);
  EXPECT_EQ(ema.params, plain.params);
  EXPECT_EQ(ma.params, plain.params);
}

TEST(GradFilterTraining, FiltersMinibatchStepsDeterministically) {
  const auto minibatch = [](GradFilterKind kind) {
    return small([kind](RunConfig& r) {
      r.train.batch_size = 8;
      r.optim.grad_filter = kind;
      if (kind == GradFilterKind::ma) r.optim.ma_window = 5;
    });
  };
  RunRecorder plain, ema1, ema2, ma;
  train(minibatch(GradFilterKind::none), plain);
  train(minibatch(GradFilterKind::ema), ema1);
  train(minibatch(GradFilterKind::ema), ema2);
  train(minibatch(GradFilterKind::ma), ma);
  EXPECT_EQ(ema1.params, ema2.params);
  EXPECT_NE(ema1.params.back(), plain.params.back());
  EXPECT_NE(ma.params.back(), plain.params.back());
  // MA with warmup: the first window - 1 = 4 steps are plain ones.
  for (size_t t = 0; t <= 4; ++t) EXPECT_EQ(ma.params[t], plain.params[t]) << t;
  EXPECT_NE(ma.params[5], plain.params[5]);
}

TEST(GradFilterTraining, MemoryEstimateCountsTheFilterState) {
  const auto params_bytes = [](const std::vector<std::string>& sets) {
    RunConfig c = parse_run_config("[task]\np = 97\n[model]\nhidden = [256]\n", sets, "test");
    validate(c);
    for (const auto& part : estimate_memory(c).parts)
      if (part.name == "parameters") return part.bytes;
    return int64_t{-1};
  };
  const int64_t n_params = 2 * 97 * 256 + 256 + 256 * 97;   // w1, b1 (bias = "first"), w2
  const int64_t base = params_bytes({});
  EXPECT_NEAR(static_cast<double>(params_bytes({"optim.grad_filter=ema"}) - base), 4.0 * n_params, 8);
  EXPECT_NEAR(static_cast<double>(params_bytes({"optim.grad_filter=ma", "optim.ma_window=100"}) - base),
              101 * 4.0 * n_params, 8);
}

void expect_config_error(const std::vector<std::string>& sets, const std::string& key, const std::string& part) {
  try {
    RunConfig c = parse_run_config("", sets, "test");
    validate(c);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.key(), key) << what;
    EXPECT_NE(what.find(part), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    return;
  }
  ADD_FAILURE() << "accepted " << key;
}

TEST(FixedNormAndFilterConfig, BadValuesAreOneLineErrors) {
  expect_config_error({"optim.fixed_norm=-0.5"}, "optim.fixed_norm", "must be a finite number >= 0");
  expect_config_error({"optim.fixed_norm=nan"}, "optim.fixed_norm", ">= 0");
  expect_config_error({"optim.fixed_norm=inf"}, "optim.fixed_norm", ">= 0");
  expect_config_error({"optim.fixed_norm=true"}, "optim.fixed_norm", "expected a number");
  expect_config_error({"optim.kind=gradient_flow", "optim.fixed_norm=0.8"}, "optim.fixed_norm", "gradient_flow");
  expect_config_error({"optim.grad_filter=fast"}, "optim.grad_filter", "none, ema, ma");
  expect_config_error({"optim.kind=gradient_flow", "optim.grad_filter=ema"}, "optim.grad_filter", "gradient_flow");
  expect_config_error({"optim.grad_filter=ema", "optim.ema_alpha=1"}, "optim.ema_alpha", "[0, 1)");
  expect_config_error({"optim.grad_filter=ema", "optim.ema_lamb=inf"}, "optim.ema_lamb", "finite");
  expect_config_error({"optim.grad_filter=ma", "optim.ma_window=0"}, "optim.ma_window", ">= 1");
  expect_config_error({"optim.grad_filter=ma", "optim.ma_filter=median"}, "optim.ma_filter", "mean, sum");
  expect_config_error({"optim.ema_lamb=3"}, "optim.ema_lamb", "needs optim.grad_filter = \"ema\", not \"none\"");
  expect_config_error({"optim.grad_filter=ema", "optim.ma_window=10"}, "optim.ma_window",
                      "needs optim.grad_filter = \"ma\", not \"ema\"");
  expect_config_error({"optim.grad_filter=ma", "optim.ema_alpha=0.9"}, "optim.ema_alpha", "optim.grad_filter = \"ema\"");
  expect_config_error({"optim.ma_warmup=false"}, "optim.ma_warmup", "needs optim.grad_filter = \"ma\"");
}

TEST(FixedNormAndFilterConfig, ZeroInitialNormIsRefused) {
  RunConfig c;
  c.task.kind = TaskKind::toy_regression;
  c.model.hidden = {};
  c.model.activation = Activation::identity;
  c.model.bias = BiasMode::none;
  c.model.init_values = {0.0, 0.0};
  c.loss.kind = LossKind::squared;
  c.optim.kind = OptimKind::sgd;
  c.optim.fixed_norm = 1.0;
  c.train.steps = 1;
  RunRecorder rec;
  try {
    train(c, rec);
    ADD_FAILURE() << "accepted a zero initial norm";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "optim.fixed_norm");
    EXPECT_NE(std::string(e.what()).find("norm 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace grokscope
