// optim.loss_scaled_initial_phase (Lyu's train_mod_add_nowd.py): with the loss-scaled schedule, a step whose
// log L > -5 is a plain cross-entropy step at lr 10 * lr with time += 10 * lr; later steps are lr / L steps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
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

// a + b mod 5, 15 training pairs, a 10-32-5 ReLU MLP in f64, no weight decay: log L falls below -5 after ~90 plain
// steps at lr 2.
RunConfig tiny_config() {
  RunConfig c;
  c.task.p = 5;
  c.task.train_fraction = 0.6;
  c.model.hidden = {32};
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = 0.2;
  c.optim.schedule = LrSchedule::loss_scaled;
  c.optim.loss_scaled_initial_phase = true;
  c.train.steps = 150;
  c.train.dtype = Dtype::f64;
  c.train.threads = 1;
  c.eval.schedule = EvalScheduleKind::linear;
  c.eval.every = 1;
  c.eval.record_trajectory = true;
  c.eval.probes = {"none"};
  return c;
}

using Recorder = test::RunRecorder;

TEST(LossScaledInitialPhase, PlainStepsAtTenLrUntilLogLossFallsBelowMinusFive) {
  const RunConfig c = tiny_config();
  Recorder rec;
  ASSERT_EQ(train(c, rec).status, RunStatus::completed);
  ASSERT_EQ(rec.params.size(), 151u);

  const TaskData<double> data = make_task_data<double>(c.task);
  const auto model = make_model<double>(c.model, data);
  const auto ws = model->make_workspace(data.train.n);
  const int C = model->output_dim();
  double time = 0.0;
  int plain = 0, scaled = 0;
  for (size_t t = 0; t + 1 < rec.params.size(); ++t) {
    const std::vector<double>& theta = rec.params[t];
    const double* out = model->forward(theta.data(), data.train.batch(), *ws);
    std::vector<double> d_out(static_cast<size_t>(data.train.n * C)), grad(theta.size());
    const double loss =
        classification_loss<double>(c.loss, out, data.train.n, C, data.train.labels.data(), d_out.data()).loss;
    model->backward(theta.data(), data.train.batch(), d_out.data(), grad.data(), *ws);
    const bool is_plain = std::log(loss) > -5.0;
    const double scale = is_plain ? 10.0 * c.optim.lr : c.optim.lr / loss;   // step = -scale * grad L
    (is_plain ? plain : scaled)++;
    double diff = 0.0, ref = 0.0;
    for (size_t k = 0; k < theta.size(); ++k) {
      const double want = -scale * grad[k];
      diff = std::max(diff, std::abs(rec.params[t + 1][k] - theta[k] - want));
      ref = std::max(ref, std::abs(want));
    }
    EXPECT_LT(diff, 1e-12 * ref) << "step " << t << (is_plain ? " (plain)" : " (lr / L)");
    time += is_plain ? 10.0 * c.optim.lr : c.optim.lr / loss;
    EXPECT_NEAR(rec.at(t + 1, "time"), time, 1e-12 * time) << "step " << t + 1;
  }
  // Both phases occur in this run, the plain one first.
  std::printf("[initial phase] %d plain steps, %d lr / L steps\n", plain, scaled);
  EXPECT_GT(plain, 50);
  EXPECT_GT(scaled, 20);
  EXPECT_GT(rec.at(0, "log_loss_train"), -5.0);
  EXPECT_LT(rec.at(150, "log_loss_train"), -5.0);
}

TEST(LossScaledInitialPhase, NeedsTheLossScaledSchedule) {
  RunConfig c = tiny_config();
  c.optim.schedule = LrSchedule::constant;
  try {
    validate(c);
    ADD_FAILURE() << "accepted without the loss-scaled schedule";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "optim.loss_scaled_initial_phase");
    EXPECT_NE(std::string(e.what()).find("needs optim.schedule = \"loss_scaled\", not \"constant\""),
              std::string::npos)
        << e.what();
  }
  // Off by default: the first step of the plain schedule is lr / L, not 10 lr.
  c = tiny_config();
  c.optim.loss_scaled_initial_phase = false;
  c.train.steps = 1;
  Recorder rec;
  train(c, rec);
  EXPECT_NEAR(rec.at(1, "log_time"), std::log(c.optim.lr) - rec.at(0, "log_loss_train"), 1e-12);
}

}  // namespace
}  // namespace grokscope
