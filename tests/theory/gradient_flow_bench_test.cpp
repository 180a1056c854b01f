// Benchmark (as a test that prints its numbers; bench/ has no CMake project): gradient evaluations of the adaptive
// gradient flow vs fixed-step GD of equal accuracy on a long run across Lyu's kernel-to-rich transition
// t* = (1/lambda) log alpha. Model: Lyu's diagonal linear net (Example A, LY-4 scaled down: d = 200, n = 64,
// 3-sparse teacher, ||theta_0|| = alpha = 100, lambda = 0.02, logistic loss), t in [0, 1.5 t*] = [0, 345].
// Accuracy is the relative distance ||theta(T) - theta_ref(T)|| / ||theta_ref(T)|| to a reference flow at rtol 1e-10.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "grokscope/nn/model_factory.h"
#include "grokscope/optim/param_groups.h"
#include "grokscope/theory/gradient_flow.h"
#include "grokscope/theory/model_objective.h"

namespace grokscope::theory {
namespace {

double rel_dist(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0, n = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    d += (a[i] - b[i]) * (a[i] - b[i]);
    n += b[i] * b[i];
  }
  return std::sqrt(d / n);
}

struct Result {
  std::vector<double> theta;
  int64_t evals = 0;
  double t_gen = std::nan("");   // first checkpoint with test accuracy >= 0.99
};

TEST(GradientFlowBench, SavesEvaluationsAcrossLyuTransition) {
  RunConfig rc;
  rc.task.kind = TaskKind::sparse_linear;
  rc.task.d = 200;
  rc.task.n_train = 64;
  rc.task.n_test = 2000;
  rc.model.kind = ModelKind::diagonal;
  rc.model.init_scale = 100.0;
  rc.loss.kind = LossKind::logistic;
  const double lambda = 0.02;
  TaskData<double> data = make_task_data<double>(rc.task);
  auto model = make_model<double>(rc.model, data);
  const Dataset<double> test = materialize(data.test, data.output_dim, data.target);
  std::vector<double> theta0(static_cast<size_t>(model->layout().total_size()));
  Rng rng(1);
  model->init_params(theta0.data(), rng);
  OptimConfig oc;
  oc.kind = OptimKind::sgd;
  oc.weight_decay = lambda;
  const auto ranges = resolve_param_ranges(model->layout(), oc);
  ModelObjective<double> train_obj(*model, data.train, rc.loss, data.target);
  ModelObjective<double> test_obj(*model, test, rc.loss, data.target);
  const double t_star = std::log(rc.model.init_scale) / lambda;
  const double t_end = 1.5 * t_star;
  const int checkpoints = 60;

  auto flow_run = [&](double rtol) {
    GradientFlow<double> flow(ranges, static_cast<int64_t>(theta0.size()),
                              GradientFlowOptions{.rtol = rtol, .atol = rtol * 1e-3});
    Result r{.theta = theta0};
    for (int c = 1; c <= checkpoints; ++c) {
      EXPECT_TRUE(flow.advance_to(r.theta.data(), std::ref(train_obj), t_end * c / checkpoints)) << flow.failure();
      test_obj(r.theta.data(), nullptr);
      if (std::isnan(r.t_gen) && test_obj.last_stats().accuracy() >= 0.99) r.t_gen = flow.time();
    }
    r.evals = flow.gradient_evaluations();
    return r;
  };
  auto gd_run = [&](double eta) {
    OptimConfig g = oc;
    g.lr = eta;
    auto sgd = make_optimizer<double>(g, resolve_param_ranges(model->layout(), g),
                                      static_cast<int64_t>(theta0.size()));
    Result r{.theta = theta0};
    std::vector<double> grad(theta0.size());
    const auto steps = static_cast<int64_t>(std::llround(t_end / eta));
    const int64_t every = steps / checkpoints;
    for (int64_t s = 0; s < steps; ++s) {
      train_obj(r.theta.data(), grad.data());
      sgd->step(r.theta.data(), grad.data(), 1.0);
      if ((s + 1) % every == 0 && std::isnan(r.t_gen)) {
        test_obj(r.theta.data(), nullptr);
        if (test_obj.last_stats().accuracy() >= 0.99) r.t_gen = static_cast<double>(s + 1) * eta;
      }
    }
    r.evals = steps;
    return r;
  };

  const auto t0 = std::chrono::steady_clock::now();
  const Result ref = flow_run(1e-10);
  std::printf("[bench] diagonal net d=200 n=64 alpha=100 lambda=0.02: t* = log(alpha)/lambda = %.1f, run to %.1f\n",
              t_star, t_end);
  std::printf("[bench] reference flow rtol 1e-10: %lld evaluations, test acc >= 0.99 at t = %.1f (%.2f s)\n",
              static_cast<long long>(ref.evals), ref.t_gen,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  EXPECT_GT(ref.t_gen, 0.5 * t_star);   // the transition is Lyu's, not an early fit
  EXPECT_LT(ref.t_gen, 1.5 * t_star);

  struct Row {
    double rtol;
    int64_t evals;
    double err;
  };
  std::vector<Row> flows;
  for (double rtol : {1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8}) {
    const Result r = flow_run(rtol);
    flows.push_back({rtol, r.evals, rel_dist(r.theta, ref.theta)});
    std::printf("[bench] flow rtol %.0e: %6lld evaluations, error %.2e, t_gen %.1f\n", rtol,
                static_cast<long long>(r.evals), flows.back().err, r.t_gen);
  }
  for (double eta : {0.04, 0.02, 0.01, 0.005}) {
    const Result g = gd_run(eta);
    const double err = rel_dist(g.theta, ref.theta);
    // The cheapest flow at least as accurate as this GD run.
    const Row* best = nullptr;
    for (const Row& f : flows)
      if (f.err <= err && (!best || f.evals < best->evals)) best = &f;
    ASSERT_NE(best, nullptr);
    std::printf("[bench] GD eta %.3f: %6lld evaluations, error %.2e, t_gen %.1f | flow rtol %.0e: %lld evaluations "
                "(%.0fx fewer)\n",
                eta, static_cast<long long>(g.evals), err, g.t_gen, best->rtol, static_cast<long long>(best->evals),
                static_cast<double>(g.evals) / static_cast<double>(best->evals));
    EXPECT_GT(static_cast<double>(g.evals) / static_cast<double>(best->evals), 10.0);
    if (eta == 0.01) {
      // GD's error is first order in eta: the step that would match the flow at rtol 1e-6.
      const Row& f6 = flows[4];
      const double eta_eq = eta * f6.err / err;
      std::printf("[bench] GD matching the flow at rtol 1e-6 (error %.1e) needs eta ~ %.1e: ~%.1e evaluations vs "
                  "%lld\n",
                  f6.err, eta_eq, t_end / eta_eq, static_cast<long long>(f6.evals));
    }
  }
}

}  // namespace
}  // namespace grokscope::theory
