// optim.kind = "gradient_flow" through the trainer: the exact flow of a linear regression (Musat's 1 + 1 = 2, whose
// flow has a closed form), agreement with small-step GD to first order on a tanh MLP, clocks and rows in continuous
// time, a failing flow keeping its last accepted point, and the configs it cannot run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/train/trainer.h"

namespace grokscope {
namespace {

struct Recorder : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows, trajectory;
  std::vector<double> trajectory_time, final_params;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  void on_trajectory(int64_t, double time, const std::vector<double>& p) override {
    trajectory.push_back(p);
    trajectory_time.push_back(time);
  }
  void on_finish(const RunSummary&, const std::vector<NpyArray>& params) override {
    for (const auto& a : params) {   // flattened in layout order
      if (const auto* d = std::get_if<std::vector<double>>(&a.data))
        final_params.insert(final_params.end(), d->begin(), d->end());
      if (const auto* f = std::get_if<std::vector<float>>(&a.data))
        final_params.insert(final_params.end(), f->begin(), f->end());
    }
  }
  double at(size_t row, const std::string& col) const {
    const auto it = std::find(columns.begin(), columns.end(), col);
    EXPECT_NE(it, columns.end()) << col;
    return rows.at(row).at(static_cast<size_t>(it - columns.begin()));
  }
};

const Clock& clock_named(const RunSummary& s, const std::string& name) {
  for (const auto& c : s.clocks)
    if (c.name == name) return c;
  ADD_FAILURE() << "no clock " << name;
  return s.clocks.front();
}

// Musat's 1 + 1 = 2 (configs/zoo/one_plus_one.toml): one row x = (1, 1), y = 2, f = w . x, L = (f - y)^2, coupled
// weight decay lambda = 0.2, w(0) = (-1, 1).
RunConfig one_plus_one(OptimKind kind, double lr, int64_t steps) {
  RunConfig c;
  c.task.kind = TaskKind::toy_regression;
  c.model.hidden = {};
  c.model.activation = Activation::identity;
  c.model.bias = BiasMode::none;
  c.model.init_values = {-1.0, 1.0};
  c.loss.kind = LossKind::squared;
  c.optim.kind = kind;
  c.optim.lr = lr;
  c.optim.weight_decay = 0.2;
  c.optim.flow_rtol = 1e-10;
  c.optim.flow_atol = 1e-12;
  c.train.steps = steps;
  c.train.dtype = Dtype::f64;
  c.train.threads = 1;
  c.eval.fit_loss = 1e-2;
  c.eval.gen_loss = 1e-2;
  c.eval.probes = {"none"};
  return c;
}

// The flow of one_plus_one in closed form: with s = w1 + w2 and g = w1 - w2,
//   s' = -2 (s - 2) |x|^2 - lambda s = -(4 + lambda) s + 8,   g' = -lambda g.
std::vector<double> exact_one_plus_one(double t) {
  const double lambda = 0.2, s_star = 8.0 / (4.0 + lambda);
  const double s = s_star + (0.0 - s_star) * std::exp(-(4.0 + lambda) * t);
  const double g = -2.0 * std::exp(-lambda * t);
  return {(s + g) / 2, (s - g) / 2};
}

TEST(GradientFlowTrain, LinearRegressionFollowsTheClosedFormFlow) {
  RunConfig c = one_plus_one(OptimKind::gradient_flow, 0.05, 1000);   // t in [0, 50], log-spaced rows
  c.eval.record_trajectory = true;
  Recorder rec;
  const RunSummary s = train(c, rec);
  ASSERT_EQ(s.status, RunStatus::completed) << s.message;
  EXPECT_EQ(s.time, 50.0);
  EXPECT_EQ(s.steps_done, 1000);

  // Every accepted integrator step (trajectory.csv) lies on the exact flow.
  ASSERT_GT(rec.trajectory.size(), 10u);
  double worst = 0.0;
  for (size_t k = 0; k < rec.trajectory.size(); ++k) {
    const auto want = exact_one_plus_one(rec.trajectory_time[k]);
    for (size_t i = 0; i < 2; ++i) worst = std::max(worst, std::abs(rec.trajectory[k][i] - want[i]));
  }
  std::printf("[flow 1+1=2] %lld accepted steps, %lld evaluations; worst |theta - exact| %.2e\n",
              static_cast<long long>(s.flow->accepted_steps), static_cast<long long>(s.flow->gradient_evaluations),
              worst);
  EXPECT_LT(worst, 1e-8);
  EXPECT_EQ(static_cast<int64_t>(rec.trajectory.size()) - 1, s.flow->accepted_steps);

  // Rows: at exactly step * lr, with the loss and norm of the exact flow there.
  ASSERT_GT(rec.rows.size(), 40u);
  for (size_t r = 0; r < rec.rows.size(); ++r) {
    const double t = rec.at(r, "time");
    EXPECT_EQ(t, rec.at(r, "step") * 0.05) << "row " << r;
    const auto w = exact_one_plus_one(t);
    const double f = w[0] + w[1];
    EXPECT_NEAR(rec.at(r, "loss_train"), (f - 2) * (f - 2), 1e-8) << "t = " << t;
    EXPECT_NEAR(rec.at(r, "norm_w1"), std::hypot(w[0], w[1]), 1e-8) << "t = " << t;
  }
  const auto last = exact_one_plus_one(50.0);
  ASSERT_EQ(rec.final_params.size(), 2u);
  EXPECT_NEAR(rec.final_params[0], last[0], 1e-8);
  EXPECT_NEAR(rec.final_params[1], last[1], 1e-8);

  // The work columns and the summary agree; the integrator is cheap here (the flow is linear).
  const size_t end = rec.rows.size() - 1;
  EXPECT_EQ(rec.at(end, "flow_evals"), static_cast<double>(s.flow->gradient_evaluations));
  EXPECT_EQ(rec.at(end, "flow_steps"), static_cast<double>(s.flow->accepted_steps));
  EXPECT_EQ(rec.at(end, "flow_rejected"), static_cast<double>(s.flow->rejected_steps));
  EXPECT_EQ(rec.at(end, "flow_forced"), 0.0);
  for (size_t r = 1; r < rec.rows.size(); ++r) EXPECT_GE(rec.at(r, "flow_evals"), rec.at(r - 1, "flow_evals"));
  // One extra pass per row but the last: step 0 (before any integrator evaluation) and the rows interpolated inside
  // a step; the last row is the integrator's end point and reuses its last stage.
  EXPECT_EQ(s.flow->metric_passes, static_cast<int64_t>(rec.rows.size()) - 1);
  EXPECT_EQ(s.flow->rtol, 1e-10);
  EXPECT_EQ(s.flow->atol, 1e-12);
}

TEST(GradientFlowTrain, ClocksAreInContinuousTimeLikeGd) {
  // Same rows in time (lr 0.005, 10^4 steps: t in [0, 50]); GD with that step is within O(eta) of the flow.
  Recorder flow_rec, gd_rec;
  const RunSummary flow = train(one_plus_one(OptimKind::gradient_flow, 0.005, 10000), flow_rec);
  const RunSummary gd = train(one_plus_one(OptimKind::sgd, 0.005, 10000), gd_rec);
  ASSERT_EQ(flow_rec.rows.size(), gd_rec.rows.size());
  for (size_t r = 0; r < flow_rec.rows.size(); ++r)
    EXPECT_NEAR(flow_rec.at(r, "time"), gd_rec.at(r, "time"), 1e-12 * flow_rec.at(r, "time"));
  EXPECT_FALSE(gd.flow.has_value());
  for (const char* name : {"t_fit", "t_gen"}) {
    const Clock& f = clock_named(flow, name);
    const Clock& g = clock_named(gd, name);
    ASSERT_TRUE(f.fired && g.fired) << name;
    EXPECT_EQ(f.time, static_cast<double>(f.step) * 0.005) << name;
    EXPECT_NEAR(f.time, g.time, 0.13 * g.time) << name;   // at most one evaluation apart (20 per decade)
  }
  // g = w1 - w2 decays as e^{-lambda t}: the test loss (about g^2 / 2 on Gaussian inputs) needs t ~ 10 to reach
  // 1e-2, long after the fit (t ~ 1): the clocks measure the flow's time, not steps.
  EXPECT_GT(clock_named(flow, "t_gen").time, 5.0 * clock_named(flow, "t_fit").time);
}

TEST(GradientFlowTrain, EarlyStopAndStopRequestEndAtTheirRow) {
  // Early stop at a row inside an integrator step: the run ends at that row's time with the flow's point there.
  RunConfig c = one_plus_one(OptimKind::gradient_flow, 0.05, 1000);
  c.train.early_stop = true;
  c.eval.loss_eps = {0.1, 0.01};   // the regularized optimum keeps a train loss of 0.009
  Recorder rec;
  const RunSummary s = train(c, rec);
  ASSERT_EQ(s.status, RunStatus::completed);
  ASSERT_NE(s.message.find("early stop"), std::string::npos) << s.message;
  const size_t last = rec.rows.size() - 1;
  EXPECT_LT(s.time, 50.0);
  EXPECT_EQ(s.time, rec.at(last, "time"));
  EXPECT_EQ(s.steps_done, static_cast<int64_t>(rec.at(last, "step")));
  const auto want = exact_one_plus_one(s.time);
  ASSERT_EQ(rec.final_params.size(), 2u);
  EXPECT_NEAR(rec.final_params[0], want[0], 1e-8);
  EXPECT_NEAR(rec.final_params[1], want[1], 1e-8);

  // A stop request between integrator steps: one more row, at the integrator's point (step = floor(time / lr)).
  struct Stopper : Recorder {
    bool stop_requested() override { return rows.size() >= 20; }
  } stop;
  const RunSummary st = train(one_plus_one(OptimKind::gradient_flow, 0.05, 1000), stop);
  ASSERT_EQ(st.status, RunStatus::stopped);
  ASSERT_EQ(stop.rows.size(), 21u);
  EXPECT_EQ(stop.at(20, "time"), st.time);
  EXPECT_GE(st.time, stop.at(19, "time"));
  EXPECT_EQ(stop.at(20, "step"), std::floor(st.time / 0.05));
  const auto at = exact_one_plus_one(st.time);
  EXPECT_NEAR(stop.final_params[0], at[0], 1e-8);
  EXPECT_NEAR(stop.final_params[1], at[1], 1e-8);
}

// a + b mod 7, half the table, a 14-16-7 tanh MLP, lambda = 0.01, t = 2 (as tests/theory/gradient_flow_test.cpp).
RunConfig small_tanh_mlp(OptimKind kind, double lr, int64_t steps) {
  RunConfig c;
  c.task.p = 7;
  c.task.train_fraction = 0.5;
  c.task.split_seed = 3;
  c.model.hidden = {16};
  c.model.activation = Activation::tanh;
  c.optim.kind = kind;
  c.optim.lr = lr;
  c.optim.weight_decay = 0.01;
  c.optim.flow_rtol = 1e-10;
  c.optim.flow_atol = 1e-12;
  c.train.steps = steps;
  c.train.seed = 11;
  c.train.dtype = Dtype::f64;
  c.train.threads = 1;
  c.eval.schedule = EvalScheduleKind::linear;
  c.eval.every = 500;
  c.eval.probes = {"none"};
  return c;
}

double rel_dist(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0, n = 0.0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]), n += b[i] * b[i];
  return std::sqrt(d / n);
}

TEST(GradientFlowTrain, MatchesSmallStepGdToFirstOrder) {
  Recorder flow_rec, gd1_rec, gd2_rec;
  const RunSummary flow = train(small_tanh_mlp(OptimKind::gradient_flow, 1e-3, 2000), flow_rec);
  train(small_tanh_mlp(OptimKind::sgd, 2e-3, 1000), gd1_rec);
  train(small_tanh_mlp(OptimKind::sgd, 1e-3, 2000), gd2_rec);
  ASSERT_EQ(flow.status, RunStatus::completed) << flow.message;
  const std::vector<double>& theta = flow_rec.final_params;
  const double e1 = rel_dist(gd1_rec.final_params, theta), e2 = rel_dist(gd2_rec.final_params, theta);
  std::vector<double> richardson(theta.size());
  for (size_t i = 0; i < theta.size(); ++i) richardson[i] = 2.0 * gd2_rec.final_params[i] - gd1_rec.final_params[i];
  const double er = rel_dist(richardson, theta);
  std::printf("[flow vs GD, trainer] flow %lld evaluations; |GD(2e-3)-flow| %.3e, |GD(1e-3)-flow| %.3e, "
              "|Richardson-flow| %.3e\n",
              static_cast<long long>(flow.flow->gradient_evaluations), e1, e2, er);
  // GD is Euler's method on the flow: error C eta + O(eta^2), so halving eta halves it, and the Richardson
  // combination 2 GD(eta/2) - GD(eta) agrees with the flow to O(eta^2).
  EXPECT_NEAR(e1 / e2, 2.0, 0.05) << e1 << " " << e2;
  EXPECT_LT(e2, 1e-4);
  EXPECT_LT(er, 0.02 * e2);
  EXPECT_LT(flow.flow->gradient_evaluations, 300);   // vs 2000 GD steps for a worse result
  // Same rows in time (lr 1e-3): the training losses agree to the first-order error.
  ASSERT_EQ(flow_rec.rows.size(), gd2_rec.rows.size());
  for (size_t r = 0; r < flow_rec.rows.size(); ++r) {
    EXPECT_EQ(flow_rec.at(r, "step"), gd2_rec.at(r, "step"));
    EXPECT_NEAR(flow_rec.at(r, "loss_train"), gd2_rec.at(r, "loss_train"), 1e-4 * flow_rec.at(r, "loss_train"));
  }
}

TEST(GradientFlowTrain, FailingFlowStopsAndKeepsTheLastAcceptedPoint) {
  // Steps pinned at dt = 1 (flow_dt_floor = flow_dt_max) on a flow with Hessian eigenvalue 4: beyond the
  // Dormand-Prince stability limit (|R(-4)| = 3.3), so every step is forced and the iterates grow until a stage
  // overflows float. The run must end `diverged`, naming the integrator's reason, with the last accepted point.
  RunConfig c = one_plus_one(OptimKind::gradient_flow, 1.0, 1000);
  c.optim.weight_decay = 0.0;
  c.optim.flow_dt_floor = 1.0;
  c.optim.flow_dt_max = 1.0;
  c.train.dtype = Dtype::f32;
  c.eval.record_trajectory = true;
  Recorder rec;
  const RunSummary s = train(c, rec);
  ASSERT_EQ(s.status, RunStatus::diverged) << s.message;
  EXPECT_NE(s.message.find("[gradient_flow]"), std::string::npos) << s.message;
  EXPECT_NE(s.message.find("dt_floor"), std::string::npos) << s.message;
  EXPECT_EQ(s.message.find('\n'), std::string::npos) << s.message;
  EXPECT_GT(s.time, 10.0);
  EXPECT_LT(s.time, 1000.0);
  EXPECT_EQ(s.steps_done, static_cast<int64_t>(s.time));
  EXPECT_GT(s.flow->forced_steps, 10);
  ASSERT_EQ(rec.final_params.size(), 2u);
  EXPECT_EQ(rec.final_params, rec.trajectory.back());   // the last accepted point ...
  for (double v : rec.final_params) EXPECT_TRUE(std::isfinite(v));
  const double f = rec.final_params[0] + rec.final_params[1];
  EXPECT_TRUE(std::isfinite((f - 2) * (f - 2)));         // ... whose loss is finite
  EXPECT_GT(std::abs(f), 1e6);                           // and it did blow up
  EXPECT_FALSE(clock_named(s, "t_fit").fired);
}

// One-line ConfigError naming the key and its value, before the run starts.
void expect_rejected(const RunConfig& c, const std::string& key, const std::vector<std::string>& parts) {
  Recorder rec;
  try {
    train(c, rec);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.key(), key) << what;
    for (const auto& part : parts) EXPECT_NE(what.find(part), std::string::npos) << what << "\nmissing: " << part;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_TRUE(rec.columns.empty());
    return;
  }
  ADD_FAILURE() << "accepted: " << key;
}

TEST(GradientFlowTrain, RejectsWhatItCannotRun) {
  const auto flow = [] { return small_tanh_mlp(OptimKind::gradient_flow, 1e-3, 10); };
  const std::string with = "with optim.kind = \"gradient_flow\"";
  RunConfig c = flow();
  c.train.batch_size = 4;
  expect_rejected(c, "train.batch_size", {"train.batch_size = 4", "needs the full batch"});
  c = flow();
  c.optim.momentum = 0.9;
  expect_rejected(c, "optim.momentum", {"optim.momentum = 0.9", with});
  c = flow();
  c.optim.beta2 = 0.98;
  expect_rejected(c, "optim.betas", {"optim.betas = [0.9, 0.98]", with});
  c = flow();
  c.optim.eps = 1e-6;
  expect_rejected(c, "optim.eps", {"optim.eps = 1e-06", with});
  c = flow();
  c.optim.warmup_steps = 10;
  expect_rejected(c, "optim.warmup_steps", {"optim.warmup_steps = 10", with});
  c = flow();
  c.optim.groups["head"].lr = 0.1;
  expect_rejected(c, "optim.groups.head.lr", {"optim.groups.head.lr = 0.1", "per-group learning rates"});
  c = flow();
  c.optim.schedule = LrSchedule::loss_scaled;
  c.optim.weight_decay = 0.0;
  expect_rejected(c, "optim.schedule", {"needs optim.kind = \"sgd\"", "not \"gradient_flow\""});
  c = flow();
  c.optim.flow_rtol = 0.0;
  expect_rejected(c, "optim.flow_rtol", {"optim.flow_rtol = 0.0", "> 0"});
  c = flow();
  c.optim.flow_rtol = std::nan("");
  expect_rejected(c, "optim.flow_rtol", {"optim.flow_rtol = nan"});
  c = flow();
  c.optim.flow_atol = -1e-9;
  expect_rejected(c, "optim.flow_atol", {"optim.flow_atol = -1e-09", ">= 0"});
  c = flow();
  c.optim.flow_dt_max = -1.0;
  expect_rejected(c, "optim.flow_dt_max", {"optim.flow_dt_max = -1.0"});
  c = flow();
  c.optim.flow_dt_max = 0.1;
  c.optim.flow_dt_floor = 0.2;
  expect_rejected(c, "optim.flow_dt_floor", {"optim.flow_dt_floor = 0.2", "optim.flow_dt_max (0.1"});

  // Accepted: the full training set as a "minibatch", per-group weight decay, the flow keys with another kind.
  c = flow();
  c.train.batch_size = 1000;
  c.optim.groups["head"].weight_decay = 0.0;
  Recorder rec;
  EXPECT_EQ(train(c, rec).status, RunStatus::completed);
  c = small_tanh_mlp(OptimKind::sgd, 1e-3, 10);
  c.optim.flow_rtol = 1e-3;
  EXPECT_NO_THROW(validate(c));
}

TEST(GradientFlowTrain, ConfigKeysParseAndRoundTrip) {
  const RunConfig c = parse_run_config(
      "[optim]\nkind = \"gradient_flow\"\nflow_rtol = 1e-8\nflow_atol = 0\nflow_dt_max = 5\nflow_dt_floor = 1e-3\n", {},
      "flow.toml");
  EXPECT_EQ(c.optim.kind, OptimKind::gradient_flow);
  EXPECT_EQ(c.optim.flow_rtol, 1e-8);
  EXPECT_EQ(c.optim.flow_atol, 0.0);
  EXPECT_EQ(c.optim.flow_dt_max, 5.0);
  EXPECT_EQ(c.optim.flow_dt_floor, 1e-3);
  EXPECT_EQ(to_json(parse_run_config(to_toml(c), {}, "")), to_json(c));
  const RunConfig d;
  EXPECT_EQ(d.optim.flow_rtol, 1e-6);
  EXPECT_EQ(d.optim.flow_atol, 1e-9);
  EXPECT_NE(config_hash(c), config_hash(parse_run_config("", {"optim.kind=gradient_flow", "optim.flow_rtol=1e-7",
                                                             "optim.flow_atol=0", "optim.flow_dt_max=5",
                                                             "optim.flow_dt_floor=1e-3"},
                                                         "")));
  try {
    parse_run_config("[optim]\nkind = \"flow\"\n", {}, "flow.toml");
    ADD_FAILURE() << "accepted kind = flow";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sgd, adam, adamw, gradient_flow"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace grokscope
