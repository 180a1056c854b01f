// optim.schedule = "loss_scaled" (Lyu et al. App. B.1, LY-7): each step is lr / L(theta_t) times the plain gradient,
// log_time = log sum_t lr / L_t, and the configs it cannot run are rejected with one line naming the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/data/dataset.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/train/trainer.h"
#include "run_recorder.h"

namespace grokscope {
namespace {

// a + b mod 5, 15 training pairs, a 10-8-5 ReLU MLP in f64, plain GD without weight decay (128 parameters).
RunConfig tiny_config() {
  RunConfig c;
  c.task.p = 5;
  c.task.train_fraction = 0.6;
  c.model.hidden = {8};
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = 0.5;
  c.optim.schedule = LrSchedule::loss_scaled;
  c.train.steps = 8;
  c.train.dtype = Dtype::f64;
  c.train.threads = 1;
  c.eval.schedule = EvalScheduleKind::linear;
  c.eval.every = 1;
  c.eval.record_trajectory = true;
  c.eval.probes = {"none"};
  return c;
}

using Recorder = test::RunRecorder;

TEST(LossScaled, StepIsLrOverLossTimesGradientAndLogTimeIsLogOfSum) {
  const RunConfig c = tiny_config();
  Recorder rec;
  const RunSummary summary = train(c, rec);
  ASSERT_EQ(summary.status, RunStatus::completed);
  ASSERT_EQ(rec.params.size(), 9u);
  ASSERT_EQ(rec.rows.size(), 9u);

  // The plain loss and gradient at each theta_t, computed here without the trainer.
  const TaskData<double> data = make_task_data<double>(c.task);
  const auto model = make_model<double>(c.model, data);
  const auto ws = model->make_workspace(data.train.n);
  const int C = model->output_dim();
  double time = 0.0;
  for (size_t t = 0; t + 1 < rec.params.size(); ++t) {
    const std::vector<double>& theta = rec.params[t];
    const double* out = model->forward(theta.data(), data.train.batch(), *ws);
    std::vector<double> d_out(static_cast<size_t>(data.train.n * C)), grad(theta.size());
    const double loss =
        classification_loss<double>(c.loss, out, data.train.n, C, data.train.labels.data(), d_out.data()).loss;
    model->backward(theta.data(), data.train.batch(), d_out.data(), grad.data(), *ws);
    EXPECT_NEAR(rec.at(t, "log_loss_train"), std::log(loss), 1e-12 * std::abs(std::log(loss)));
    EXPECT_NEAR(rec.at(t, "loss_train"), loss, 1e-12 * loss);
    double diff = 0.0, ref = 0.0;
    for (size_t k = 0; k < theta.size(); ++k) {
      const double want = -c.optim.lr / loss * grad[k];
      diff = std::max(diff, std::abs(rec.params[t + 1][k] - theta[k] - want));
      ref = std::max(ref, std::abs(want));
    }
    EXPECT_LT(diff, 1e-12 * ref) << "step " << t;
    time += c.optim.lr / loss;
    EXPECT_NEAR(rec.at(t + 1, "log_time"), std::log(time), 1e-12 * std::abs(std::log(time))) << "step " << t + 1;
    EXPECT_NEAR(rec.at(t + 1, "time"), time, 1e-12 * time);
  }
  EXPECT_EQ(rec.at(0, "log_time"), -std::numeric_limits<double>::infinity());
  EXPECT_LT(rec.at(8, "log_loss_train"), rec.at(0, "log_loss_train"));  // GD on log L decreases it
}

TEST(LossScaled, ColumnsOnlyWithTheSchedule) {
  RunConfig c = tiny_config();
  c.optim.schedule = LrSchedule::constant;
  c.eval.record_trajectory = false;
  c.train.steps = 2;
  Recorder rec;
  train(c, rec);
  EXPECT_EQ(std::count(rec.columns.begin(), rec.columns.end(), "log_time"), 0);
  EXPECT_EQ(std::count(rec.columns.begin(), rec.columns.end(), "log_loss_train"), 0);
}

// One-line ConfigError naming optim.schedule and its value, and the conflicting setting.
void expect_rejected(const RunConfig& c, const std::string& key, const std::string& part) {
  Recorder rec;
  try {
    train(c, rec);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.key(), key) << what;
    EXPECT_NE(what.find(part), std::string::npos) << what << "\nmissing: " << part;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_TRUE(rec.columns.empty());  // rejected before anything started
    return;
  }
  ADD_FAILURE() << "accepted: " << part;
}

TEST(LossScaled, RejectsWhatItCannotRun) {
  const std::string value = "optim.schedule = \"loss_scaled\"";
  RunConfig c = tiny_config();
  c.optim.weight_decay = 1e-3;
  expect_rejected(c, "optim.schedule", value);
  expect_rejected(c, "optim.schedule", "optim.weight_decay = 0");
  c = tiny_config();
  c.optim.groups["head"].weight_decay = 0.1;
  expect_rejected(c, "optim.schedule", "optim.groups.head.weight_decay = 0.1");
  c = tiny_config();
  c.loss.kind = LossKind::mse;
  expect_rejected(c, "optim.schedule", "needs loss.kind = \"cross_entropy\", not \"mse\"");
  c = tiny_config();
  c.optim.kind = OptimKind::adamw;
  expect_rejected(c, "optim.schedule", "needs optim.kind = \"sgd\"");
  c = tiny_config();
  c.train.batch_size = 4;
  expect_rejected(c, "train.batch_size", "full batch");
  c = tiny_config();
  c.train.batch_size = 1000;  // at least the training set: full batch, accepted
  c.train.steps = 1;
  Recorder rec;
  EXPECT_EQ(train(c, rec).status, RunStatus::completed);
}

}  // namespace
}  // namespace grokscope
