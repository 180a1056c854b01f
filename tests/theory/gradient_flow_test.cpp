// Gradient-flow integrator: exact solution of a quadratic flow with weight decay, failure reporting, cached
// gradients, float state, and agreement with small-learning-rate GD (torch-exact SGD) on a small MLP.
#include "grokscope/theory/gradient_flow.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/optim/optimizer.h"
#include "grokscope/optim/param_groups.h"
#include "grokscope/theory/model_objective.h"

namespace grokscope::theory {
namespace {

// L = 1/2 sum_i h_i theta_i^2 (diagonal H); with weight decay lambda_i the flow is theta_i(t) = e^{-(h_i+lambda_i)t}.
struct Quadratic {
  std::vector<double> h;
  int64_t calls = 0;
  double operator()(const double* x, double* g) {
    ++calls;
    double l = 0.0;
    for (size_t i = 0; i < h.size(); ++i) {
      g[i] = h[i] * x[i];
      l += 0.5 * h[i] * x[i] * x[i];
    }
    return l;
  }
};

std::vector<ParamRange> two_ranges(int64_t n, double lam_a, double lam_b) {
  return {ParamRange{.offset = 0, .size = n / 2, .weight_decay = lam_a},
          ParamRange{.offset = n / 2, .size = n - n / 2, .weight_decay = lam_b}};
}

// Largest error relative to the local tolerance scale, max_i |x_i - exact_i| / (atol + rtol |exact_i|), over
// t = 0.5, 1, ..., 10.
double quadratic_error(double rtol, double atol, bool max_norm, int64_t* evals = nullptr) {
  const int64_t n = 8;
  Quadratic q{.h = {0.0, 0.1, 0.5, 1.0, 2.0, 0.05, 3.0, 0.7}};
  const std::vector<double> theta0 = {1.0, -2.0, 0.5, 3.0, -1.0, 0.25, 2.0, -0.7};
  const auto ranges = two_ranges(n, 0.01, 0.3);
  GradientFlow<double> flow(ranges, n, GradientFlowOptions{.rtol = rtol, .atol = atol, .max_norm = max_norm});
  std::vector<double> theta = theta0;
  double worst = 0.0;
  for (int s = 1; s <= 20; ++s) {
    const double t = 0.5 * s;
    EXPECT_TRUE(flow.advance_to(theta.data(), std::ref(q), t)) << flow.failure();
    EXPECT_EQ(flow.time(), t);
    for (int64_t i = 0; i < n; ++i) {
      const double lam = i < n / 2 ? 0.01 : 0.3;
      const double exact = theta0[i] * std::exp(-(q.h[i] + lam) * t);
      worst = std::max(worst, std::abs(theta[i] - exact) / (atol + rtol * std::abs(exact)));
    }
  }
  if (evals) *evals = flow.gradient_evaluations();
  EXPECT_EQ(flow.gradient_evaluations(), q.calls);
  return worst;
}

TEST(GradientFlow, QuadraticWithWeightDecayIsExactToTolerance) {
  // The tolerance bounds the local error of each step; the global error over [0, 10] (max norm: every entry, at 20
  // checkpoints) stays within 1.5 tolerance units (measured 1.06-1.44).
  for (double rtol : {1e-5, 1e-8, 1e-11}) {
    int64_t evals = 0;
    const double err = quadratic_error(rtol, rtol * 1e-3, true, &evals);
    std::printf("[quadratic] rtol %.0e: global error %.3f tolerance units, %lld evaluations\n", rtol, err,
                static_cast<long long>(evals));
    EXPECT_LE(err, 1.5) << "rtol " << rtol << " evals " << evals;
  }
  // RMS norm (the default) still lands within a few tolerance units per entry.
  EXPECT_LE(quadratic_error(1e-8, 1e-11, false), 5.0);
}

TEST(GradientFlow, ErrorShrinksWithTheTolerance) {
  int64_t coarse = 0, fine = 0;
  quadratic_error(1e-4, 1e-7, true, &coarse);
  quadratic_error(1e-10, 1e-13, true, &fine);
  // 5th order: 10^6 tighter tolerance costs about 10^(6/5) ~ 16x the evaluations, not 10^6.
  EXPECT_GT(fine, coarse);
  EXPECT_LT(fine, 40 * coarse);
}

TEST(GradientFlow, CountsEvaluationsWithFirstSameAsLast) {
  Quadratic q{.h = {1.0, 2.0}};
  GradientFlow<double> flow({}, 2, GradientFlowOptions{.rtol = 1e-6, .atol = 1e-9, .dt_initial = 0.01});
  std::vector<double> theta = {1.0, 1.0};
  ASSERT_GT(flow.advance(theta.data(), std::ref(q), 1.0), 0.0);
  EXPECT_EQ(flow.gradient_evaluations(), 1 + 6 * (flow.accepted_steps() + flow.rejected_steps()));
  const int64_t before = flow.gradient_evaluations();
  ASSERT_GT(flow.advance(theta.data(), std::ref(q), 1.0), 0.0);
  EXPECT_EQ(flow.gradient_evaluations() - before, 6 * (1 + flow.rejected_steps()));
  // Moving theta outside drops the cached gradient: one extra evaluation.
  theta[0] = 0.5;
  const int64_t before2 = flow.gradient_evaluations();
  const int64_t rej = flow.rejected_steps();
  ASSERT_GT(flow.advance(theta.data(), std::ref(q), 1.0), 0.0);
  EXPECT_EQ(flow.gradient_evaluations() - before2, 1 + 6 * (1 + flow.rejected_steps() - rej));
  EXPECT_NEAR(flow.loss(), 0.5 * theta[0] * theta[0] + theta[1] * theta[1], 1e-15);
}

TEST(GradientFlow, StepLimitAndMaximum) {
  Quadratic q{.h = {1e-3}};
  GradientFlow<double> flow({}, 1, GradientFlowOptions{.rtol = 1e-6, .atol = 1e-9, .dt_initial = 1.0, .dt_max = 0.5});
  std::vector<double> theta = {1.0};
  EXPECT_EQ(flow.advance(theta.data(), std::ref(q), 0.125), 0.125);
  for (int i = 0; i < 10; ++i) EXPECT_LE(flow.advance(theta.data(), std::ref(q), 100.0), 0.5);
}

TEST(GradientFlow, ReportsFailureInsteadOfGarbage) {
  // Not finite at the start: returns 0, theta unchanged.
  auto nan_loss = [](const double* x, double* g) {
    g[0] = 1.0;
    return std::nan("");
  };
  GradientFlow<double> flow({}, 1, 1e-6, 1e-9, 0.1, 1.0);
  std::vector<double> theta = {1.0};
  EXPECT_EQ(flow.advance(theta.data(), nan_loss, 1.0), 0.0);
  EXPECT_EQ(theta[0], 1.0);
  EXPECT_NE(flow.failure().find("not finite"), std::string::npos) << flow.failure();
  // Finite-time blow-up: d theta/dt = theta^2 (L = -theta^3/3) from 1 explodes at t = 1; the step size collapses
  // near t = 1 and advance_to reports it.
  auto blowup = [](const double* x, double* g) {
    g[0] = -x[0] * x[0];
    return -x[0] * x[0] * x[0] / 3.0;
  };
  GradientFlow<double> flow2({}, 1, GradientFlowOptions{.rtol = 1e-8, .atol = 1e-8, .dt_min = 1e-12});
  EXPECT_FALSE(flow2.advance_to(theta.data(), blowup, 2.0));
  EXPECT_NE(flow2.failure().find("step size"), std::string::npos) << flow2.failure();
  EXPECT_NEAR(flow2.time(), 1.0, 1e-6);
}

TEST(GradientFlow, FloatParametersKeepADoubleState) {
  // With T = float, 10^5 steps of 1e-9 relative change would vanish in float rounding; the double state keeps them.
  struct Linear {
    double operator()(const float* x, float* g) const {
      g[0] = 1.0f;   // L = theta: d theta/dt = -1
      return x[0];
    }
  };
  GradientFlow<float> flow({}, 1, GradientFlowOptions{.rtol = 1e-9, .atol = 1e-12, .dt_max = 1e-6});
  std::vector<float> theta = {1000.0f};
  ASSERT_TRUE(flow.advance_to(theta.data(), Linear{}, 0.1));
  EXPECT_NEAR(theta[0], 1000.0f - 0.1f, 1e-4);
}

TEST(GradientFlow, RejectsBadOptions) {
  EXPECT_THROW(GradientFlow<double>({}, 0, 1e-6, 1e-9, 0, 1), std::invalid_argument);
  EXPECT_THROW(GradientFlow<double>({}, 1, 0, 0, 0, 1), std::invalid_argument);
  EXPECT_THROW(GradientFlow<double>({ParamRange{.offset = 0, .size = 3}}, 2, 1e-6, 1e-9, 0, 1), std::invalid_argument);
}

// ---- comparison with GD on a small MLP ------------------------------------------------------------------------

struct SmallMlp {
  TaskData<double> data;
  std::unique_ptr<Model<double>> model;
  std::vector<double> theta0;
  std::vector<ParamRange> ranges;
  OptimConfig optim;
};

SmallMlp small_mlp(Activation act, double weight_decay) {
  TaskConfig task;
  task.p = 7;
  task.train_fraction = 0.5;
  task.split_seed = 3;
  ModelConfig mc;
  mc.hidden = {16};
  mc.activation = act;
  SmallMlp m;
  m.data = make_task_data<double>(task);
  m.model = make_model<double>(mc, m.data);
  m.theta0.resize(static_cast<size_t>(m.model->layout().total_size()));
  Rng rng(11);
  m.model->init_params(m.theta0.data(), rng);
  m.optim.kind = OptimKind::sgd;
  m.optim.weight_decay = weight_decay;
  m.ranges = resolve_param_ranges(m.model->layout(), m.optim);
  return m;
}

std::vector<double> run_gd(SmallMlp& m, double lr, double t_end) {
  ModelObjective<double> obj(*m.model, m.data.train, LossConfig{}, m.data.target);
  m.optim.lr = lr;
  auto ranges = resolve_param_ranges(m.model->layout(), m.optim);
  auto sgd = make_optimizer<double>(m.optim, ranges, static_cast<int64_t>(m.theta0.size()));
  std::vector<double> theta = m.theta0, grad(theta.size());
  const auto steps = static_cast<int64_t>(std::llround(t_end / lr));
  for (int64_t s = 0; s < steps; ++s) {
    obj(theta.data(), grad.data());
    sgd->step(theta.data(), grad.data(), 1.0);
  }
  return theta;
}

double rel_dist(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0, n = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    d += (a[i] - b[i]) * (a[i] - b[i]);
    n += b[i] * b[i];
  }
  return std::sqrt(d / n);
}

TEST(GradientFlow, MatchesSmallStepGdOnAnMlp) {
  // GD with step eta is Euler's method on the same flow: its distance from the flow is C eta + O(eta^2). The
  // Richardson combination 2 GD(eta/2) - GD(eta) removes the first-order term, so it must agree with the flow to
  // O(eta^2) -- far below the GD error itself.
  SmallMlp m = small_mlp(Activation::tanh, 0.01);
  const double t_end = 2.0;
  ModelObjective<double> obj(*m.model, m.data.train, LossConfig{}, m.data.target);
  GradientFlow<double> flow(m.ranges, static_cast<int64_t>(m.theta0.size()),
                            GradientFlowOptions{.rtol = 1e-10, .atol = 1e-12});
  std::vector<double> theta = m.theta0;
  ASSERT_TRUE(flow.advance_to(theta.data(), std::ref(obj), t_end)) << flow.failure();
  const auto gd1 = run_gd(m, 2e-3, t_end);
  const auto gd2 = run_gd(m, 1e-3, t_end);
  std::vector<double> richardson(gd1.size());
  for (size_t i = 0; i < gd1.size(); ++i) richardson[i] = 2.0 * gd2[i] - gd1[i];
  const double e1 = rel_dist(gd1, theta), e2 = rel_dist(gd2, theta), er = rel_dist(richardson, theta);
  std::printf("[flow vs GD] evals %lld, |GD(2e-3)-flow| %.3e, |GD(1e-3)-flow| %.3e, |Richardson-flow| %.3e\n",
              static_cast<long long>(flow.gradient_evaluations()), e1, e2, er);
  EXPECT_NEAR(e1 / e2, 2.0, 0.05);   // first order in eta
  EXPECT_LT(er, 0.02 * e2);
  EXPECT_LT(flow.gradient_evaluations(), 200);
}

TEST(GradientFlow, MatchesSmallStepGdOnAReluMlp) {
  // ReLU kinks make the right-hand side discontinuous, and this run enters a sliding mode near t = 1.45 (a
  // pre-activation pinned at 0): GD chatters around it, so its error is not smooth in eta and Richardson does not
  // apply. GD still converges to the flow at first order.
  SmallMlp m = small_mlp(Activation::relu, 0.01);
  const double t_end = 2.0;
  ModelObjective<double> obj(*m.model, m.data.train, LossConfig{}, m.data.target);
  GradientFlow<double> flow(m.ranges, static_cast<int64_t>(m.theta0.size()),
                            GradientFlowOptions{.rtol = 1e-7, .atol = 1e-10});
  std::vector<double> theta = m.theta0;
  ASSERT_TRUE(flow.advance_to(theta.data(), std::ref(obj), t_end)) << flow.failure();
  const double e1 = rel_dist(run_gd(m, 4e-3, t_end), theta), e2 = rel_dist(run_gd(m, 2e-3, t_end), theta),
               e3 = rel_dist(run_gd(m, 1e-3, t_end), theta);
  std::printf("[flow vs GD, relu] evals %lld (rejected %lld); |GD(eta)-flow| for eta = 4e-3, 2e-3, 1e-3: %.3e %.3e "
              "%.3e\n",
              static_cast<long long>(flow.gradient_evaluations()), static_cast<long long>(flow.rejected_steps()), e1,
              e2, e3);
  EXPECT_GT(e1 / e2, 1.5);
  EXPECT_GT(e2 / e3, 1.5);
  EXPECT_LT(e3, 2e-5);

  // With dt_floor = 1e-3 the sliding mode costs at most 6 evaluations per 1e-3 of time, and the result is as close
  // to the flow as GD with that step.
  GradientFlow<double> floored(m.ranges, static_cast<int64_t>(m.theta0.size()),
                               GradientFlowOptions{.rtol = 1e-7, .atol = 1e-10, .dt_floor = 1e-3});
  std::vector<double> theta_f = m.theta0;
  ASSERT_TRUE(floored.advance_to(theta_f.data(), std::ref(obj), t_end)) << floored.failure();
  const double ef = rel_dist(theta_f, theta);
  std::printf("[flow vs GD, relu] dt_floor 1e-3: evals %lld, forced steps %lld, |floored-flow| %.3e\n",
              static_cast<long long>(floored.gradient_evaluations()), static_cast<long long>(floored.forced_steps()),
              ef);
  EXPECT_GT(floored.forced_steps(), 0);
  EXPECT_LT(floored.gradient_evaluations(), 6 * 2000 + 100);
  EXPECT_LT(ef, e3);
}

}  // namespace
}  // namespace grokscope::theory
