// The theory-paper models trained end to end through the common trainer, checked against exact predictions.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "grokscope/data/dataset.h"
#include "grokscope/train/trainer.h"

namespace grokscope {
namespace {

struct Trajectory : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows, params;
  std::vector<NpyArray> final_params;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  void on_trajectory(int64_t, double, const std::vector<double>& p) override { params.push_back(p); }
  void on_finish(const RunSummary&, const std::vector<NpyArray>& p) override { final_params = p; }
  double last(const std::string& col) const {
    const auto it = std::find(columns.begin(), columns.end(), col);
    return rows.back().at(static_cast<size_t>(it - columns.begin()));
  }
};

// Musat's 1+1=2 (science.md §3.1): loss (w1 + w2 - 2)^2 + lambda (w1^2 + w2^2). The loss gradient is symmetric, so
// d = w1 - w2 obeys d_{t+1} = (1 - 2 eta lambda) d_t exactly. The paper's penalty lambda |w|^2 is PyTorch's
// weight_decay = 2 lambda.
TEST(Zoo, MusatOnePlusOneDecaysExactly) {
  const double eta = 0.05, lambda = 0.1;
  RunConfig c;
  c.task.kind = TaskKind::toy_regression;
  c.model.hidden = {};
  c.model.activation = Activation::identity;
  c.model.bias = BiasMode::none;
  c.model.init_values = {-1.0, 1.0};
  c.loss.kind = LossKind::squared;
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = eta;
  c.optim.weight_decay = 2 * lambda;
  c.train.steps = 300;
  c.train.dtype = Dtype::f64;
  c.eval.record_trajectory = true;
  c.eval.fit_loss = 1e-2;   // the regularized optimum keeps a loss of (2 - 4 / (2 + lambda))^2 = 0.009
  c.eval.gen_loss = 1e-2;
  Trajectory t;
  const RunSummary s = train(c, t);
  ASSERT_EQ(s.status, RunStatus::completed);
  ASSERT_EQ(t.params.size(), 301u);
  for (size_t step = 0; step < t.params.size(); ++step) {
    const double d = t.params[step][0] - t.params[step][1];
    const double expected = -2.0 * std::pow(1.0 - 2.0 * eta * lambda, static_cast<double>(step));
    ASSERT_NEAR(d, expected, 1e-10) << "step " << step;
  }
  // The sum converges to the fixed point w1 = w2 = 2 / (2 + lambda) of the regularized loss.
  EXPECT_NEAR(t.params.back()[0] + t.params.back()[1], 4.0 / (2.0 + lambda), 1e-6);
  // Fits within a few steps, generalizes (test loss on 100 Gaussian pairs) only once d has decayed.
  ASSERT_TRUE(s.clocks[0].fired);
  ASSERT_TRUE(s.clocks[1].fired);
  EXPECT_LT(s.clocks[0].step, 50);
  EXPECT_GT(s.clocks[1].step, 3 * s.clocks[0].step);
}

double imbalance(const std::vector<NpyArray>& p, size_t l) {
  auto mat = [&](size_t i) {
    const auto& a = p[i];
    const auto& v = std::get<std::vector<double>>(a.data);
    Eigen::MatrixXd m(a.shape[0], a.shape[1]);
    for (int64_t r = 0; r < a.shape[0]; ++r)
      for (int64_t q = 0; q < a.shape[1]; ++q) m(r, q) = v[static_cast<size_t>(r * a.shape[1] + q)];
    return m;
  };
  const Eigen::MatrixXd lower = mat(l), upper = mat(l + 1);
  return (upper.transpose() * upper - lower * lower.transpose()).norm();
}

// Deep linear net with layerwise weight decay (science.md §1.3): the imbalance W_{l+1}^T W_{l+1} - W_l W_l^T
// obeys dD/dt = -2 lambda D under gradient flow whatever the loss, so under GD it shrinks like (1 - eta lambda)^{2t}
// up to O(eta^2).
TEST(Zoo, DeepLinearImbalanceDecaysAtTwiceTheWeightDecay) {
  RunConfig c;
  c.task.kind = TaskKind::teacher_classes;
  c.task.d = 6;
  c.task.n_classes = 3;
  c.task.n_train = 64;
  c.task.n_test = 64;
  c.model.hidden = {5, 4};
  c.model.activation = Activation::identity;
  c.model.bias = BiasMode::none;
  c.model.init = InitKind::normal;
  c.model.init_std = 0.7;
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = 1e-3;
  c.optim.weight_decay = 0.5;
  c.train.dtype = Dtype::f64;
  c.train.steps = 0;
  Trajectory start;
  train(c, start);
  c.train.steps = 2000;
  Trajectory end;
  train(c, end);
  const double predicted = std::pow(1.0 - c.optim.lr * c.optim.weight_decay, 2.0 * 2000);
  for (size_t l = 0; l < 2; ++l) {
    const double ratio = imbalance(end.final_params, l) / imbalance(start.final_params, l);
    EXPECT_NEAR(ratio / predicted, 1.0, 0.02) << "layer " << l << ": ratio " << ratio << ", predicted " << predicted;
  }
}

// Matrix completion in the kernel regime (Lyu Cor. 3.11): with U = V = alpha I and a large alpha, the unobserved
// entries stay near 0 while the observed ones are fitted.
TEST(Zoo, MatrixCompletionKernelPhaseLeavesUnobservedCellsNearZero) {
  RunConfig c;
  c.task.kind = TaskKind::matrix_completion;
  c.task.d = 12;
  c.task.train_fraction = 0.3;
  c.model.kind = ModelKind::matrix_factorization;
  c.model.init_scale = 10.0;
  c.loss.kind = LossKind::squared;
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = 0.01;  // the kernel scale is 4 alpha^2 / n: keep eta * 4 alpha^2 / n well below 2
  c.optim.weight_decay = 1e-4;
  c.train.dtype = Dtype::f64;
  c.train.steps = 300;
  Trajectory t;
  const RunSummary s = train(c, t);
  ASSERT_EQ(s.status, RunStatus::completed);
  EXPECT_LT(t.last("loss_train"), 1e-4);
  // W = U U^T - V V^T from the final parameters.
  auto mat = [&](const NpyArray& a) {
    const auto& v = std::get<std::vector<double>>(a.data);
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), 12, 12)
        .eval();
  };
  const Eigen::MatrixXd U = mat(t.final_params[0]), V = mat(t.final_params[1]);
  const Eigen::MatrixXd W = U * U.transpose() - V * V.transpose();
  const TaskData<double> data = make_task_data<double>(c.task);
  std::vector<bool> seen(144, false);
  for (const auto& a : data.arrays)
    if (a.name == "train_cells")
      for (int64_t cell : std::get<std::vector<int64_t>>(a.data)) seen[static_cast<size_t>(cell)] = true;
  int unobserved = 0;
  double max_abs = 0.0;
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j)
      if (!seen[static_cast<size_t>(i * 12 + j)] && !seen[static_cast<size_t>(j * 12 + i)]) {
        ++unobserved;
        max_abs = std::max(max_abs, std::abs(W(i, j)));
      }
  ASSERT_GT(unobserved, 20);
  // X*_ij = ij/d^2 is up to 0.84 here; the kernel predictor leaves these cells at 0.
  EXPECT_LT(max_abs, 0.02);
}

}  // namespace
}  // namespace grokscope
