// Max-margin classifiers (theory/max_margin.h, CLP) and the NTK max-margin classifier (theory/kernel_classifier.h):
// hand-solved L2 and L1 problems, LP duality certificates, the diagonal net whose NTK max-margin predictor is the
// max-L2-margin linear classifier, and clear errors for data that is not separable.
#include "grokscope/theory/max_margin.h"

#include <gtest/gtest.h>

#include <string>

#include "grokscope/data/chunks.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/theory/kernel_classifier.h"

namespace grokscope::theory {
namespace {

RunConfig config_of(const std::string& toml) { return parse_run_config(toml, {}, "test"); }

// Rows z_i = y_i x_i of labeled points.
Eigen::MatrixXd signed_rows(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) { return y.asDiagonal() * x; }

// Three points in 2-D: x1 = (2, 0) y = +1, x2 = (-1, -2) y = -1, x3 = (-2, -2) y = -1, so z = (2, 0), (1, 2), (2, 2).
// By hand: 2 w1 >= 1 and w1 + 2 w2 >= 1 bind, w* = (1/2, 1/4) = 3/16 z1 + 1/8 z2 (KKT multipliers >= 0),
// ||w*||^2 = 5/16, margin 4/sqrt(5); x3 is no support vector (margin 3/2); on the simplex beta* = (0.6, 0.4, 0).
TEST(MaxMargin, L2ThreePointsMatchHandSolution) {
  Eigen::MatrixXd x(3, 2);
  x << 2, 0, -1, -2, -2, -2;
  const Eigen::MatrixXd z = signed_rows(x, Eigen::Vector3d(1, -1, -1));
  const MaxMargin r = max_l2_margin(z);
  EXPECT_NEAR(r.weights[0], 0.5, 1e-7);
  EXPECT_NEAR(r.weights[1], 0.25, 1e-7);
  EXPECT_NEAR(r.margin, 4.0 / std::sqrt(5.0), 1e-7);
  EXPECT_EQ(r.support, 2);
  EXPECT_NEAR(r.dual[0], 0.6, 1e-7);
  EXPECT_NEAR(r.dual[1], 0.4, 1e-7);
  EXPECT_NEAR(r.dual[2], 0.0, 1e-7);
  // The Gram-only entry point gives the same dual for a scaled kernel (the margin scales with sqrt(scale)).
  const MaxMargin k = max_l2_margin_dual(9.0 * z * z.transpose());
  EXPECT_LT((k.dual - r.dual).cwiseAbs().maxCoeff(), 1e-7);
  EXPECT_NEAR(k.margin, 3.0 * r.margin, 1e-6);
  EXPECT_EQ(k.weights.size(), 0);
}

// The kernel classifier of a linear model f = <w, x> (features phi(x) = x whatever theta_0) on the same three points is
// the hand solution above: h* = (1/2, 1/4), f_ntk(x) = x1 / 2 + x2 / 4, at any parameters.
TEST(MaxMargin, KernelClassifierOfLinearModelIsTheHandSvm) {
  const RunConfig c = config_of("[task]\nkind = \"sparse_linear\"\nd = 2\nsparsity = 1\nn_train = 3\nn_test = 5\n"
                                "[model]\nhidden = []\nactivation = \"identity\"\nbias = \"none\"\n"
                                "[loss]\nkind = \"logistic\"\n[train]\ndtype = \"f64\"\n");
  TaskData<double> data = make_task_data<double>(c.task);
  data.train.dense = {2, 0, -1, -2, -2, -2};
  data.train.labels = {1, -1, -1};
  const auto model = make_model<double>(c.model, data);
  ASSERT_EQ(model->layout().total_size(), 2);
  const double theta0[2] = {0.3, -0.7};
  const KernelClassifier<double> kc(*model, theta0, data.train);
  EXPECT_NEAR(kc.direction()[0], 0.5, 1e-7);
  EXPECT_NEAR(kc.direction()[1], 0.25, 1e-7);
  EXPECT_NEAR(kc.margin(), 4.0 / std::sqrt(5.0), 1e-7);
  EXPECT_EQ(kc.support(), 2);
  EXPECT_NEAR(kc.train_min_margin(), 1.0, 1e-7);
  EXPECT_NEAR(kc.init_output_max(), 1.1, 1e-12);   // f(theta_0; x) = 0.3 x1 - 0.7 x2: 0.6, 1.1, 0.8
  const Eigen::VectorXd f = kc.predict(data.test);   // a generated set: rows drawn in chunks
  ASSERT_EQ(f.size(), 5);
  for_each_chunk(data.test, 2, [&](int64_t first, const InputBatch<double>& b, const int32_t*) {
    for (int64_t i = 0; i < b.n; ++i)
      EXPECT_NEAR(f[first + i], 0.5 * b.dense[2 * i] + 0.25 * b.dense[2 * i + 1], 1e-7);
  });
}

// z rows (1, .9, .8, .5) and (1, .5, .9, .8): every |z_ij| <= 1, so <z_1, w> <= ||w||_1 and ||w||_1 >= 1, with
// equality only for w = e_0 (the only coordinate where both rows reach 1). The L2 solution is dense.
TEST(MaxMargin, L1PicksTheSingleCoordinateAndL2IsDense) {
  Eigen::MatrixXd z(2, 4);
  z << 1, 0.9, 0.8, 0.5, 1, 0.5, 0.9, 0.8;
  const MaxMargin l1 = max_l1_margin(z);
  EXPECT_NEAR(l1.weights[0], 1.0, 1e-9);
  EXPECT_LT(l1.weights.tail(3).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_NEAR(l1.margin, 1.0, 1e-9);
  EXPECT_EQ(l1.nonzeros, 1);
  const MaxMargin l2 = max_l2_margin(z);
  EXPECT_EQ((l2.weights.array().abs() > 0.05).count(), 4);
  EXPECT_NEAR((z * l2.weights).minCoeff(), 1.0, 1e-7);
  EXPECT_LT(l2.weights[0] / l2.weights.norm(), 0.8);   // far from e_0
}

// Lyu's sparse data in small (n = 256, x in {+-1}^2000, y = sign(x0 + x1 - x2)): the LP needs several rounds of
// column generation; the answer carries its own optimality certificate by LP duality (for any feasible w,
// 1 <= sum_i pi_i <z_i, w> <= ||Z^T pi||_inf ||w||_1 with pi >= 0 on the simplex), checked here independently.
TEST(MaxMargin, L1ColumnGenerationIsCertifiedOptimal) {
  const RunConfig c = config_of("[task]\nkind = \"sparse_linear\"\nd = 2000\nsparsity = 3\nn_train = 256\n"
                                "n_test = 10\n[model]\nkind = \"diagonal\"\n[loss]\nkind = \"logistic\"\n"
                                "[train]\ndtype = \"f64\"\n");
  const TaskData<double> data = make_task_data<double>(c.task);
  Eigen::MatrixXd z(256, 2000);
  for (int i = 0; i < 256; ++i)
    for (int j = 0; j < 2000; ++j) z(i, j) = data.train.labels[i] * data.train.dense[static_cast<size_t>(i * 2000 + j)];
  const MaxMargin r = max_l1_margin(z);
  std::printf("[l1] rounds %d nonzeros %ld margin %.9f support %ld\n", r.rounds, static_cast<long>(r.nonzeros),
              r.margin, static_cast<long>(r.support));
  EXPECT_GE((z * r.weights).minCoeff(), 1.0 - 1e-7);                        // feasible
  EXPECT_GE(r.dual.minCoeff(), -1e-12);
  EXPECT_NEAR(r.dual.sum(), 1.0, 1e-9);
  const double bound = 1.0 / (z.transpose() * r.dual).cwiseAbs().maxCoeff();   // ||w||_1 >= bound for feasible w
  EXPECT_NEAR(r.weights.lpNorm<1>(), bound, 1e-7 * bound);
  EXPECT_NEAR(r.margin, 1.0 / r.weights.lpNorm<1>(), 1e-12);
  EXPECT_LE(r.nonzeros, 256);   // a vertex
}

// The diagonal net at u = v = c has NTK features phi(x) = (2c x, -2c x): the kernel max-margin predictor is the
// max-L2-margin linear classifier, f_ntk(x) = <x, w*_2> exactly, with gamma_ntk = 2 sqrt(2) c gamma_2.
TEST(MaxMargin, DiagonalNetKernelPredictorIsTheL2MarginClassifier) {
  const RunConfig c = config_of("[task]\nkind = \"sparse_linear\"\nd = 40\nsparsity = 3\nn_train = 24\nn_test = 300\n"
                                "[model]\nkind = \"diagonal\"\ndepth = 2\ninit_scale = 3.0\n"
                                "[loss]\nkind = \"logistic\"\n[train]\ndtype = \"f64\"\n");
  const TaskData<double> data = make_task_data<double>(c.task);
  const auto model = make_model<double>(c.model, data);
  std::vector<double> theta(static_cast<size_t>(model->layout().total_size()));
  Rng rng(0);
  model->init_params(theta.data(), rng);
  const double u0 = theta[0];
  const KernelClassifier<double> kc(*model, theta.data(), data.train);
  Eigen::MatrixXd z(24, 40);
  for (int i = 0; i < 24; ++i)
    for (int j = 0; j < 40; ++j) z(i, j) = data.train.labels[i] * data.train.dense[static_cast<size_t>(i * 40 + j)];
  const MaxMargin l2 = max_l2_margin(z);
  EXPECT_NEAR(kc.margin(), 2.0 * std::sqrt(2.0) * u0 * l2.margin, 1e-6 * kc.margin());
  EXPECT_EQ(kc.support(), l2.support);
  EXPECT_EQ(kc.init_output_max(), 0.0);   // u = v: f(theta_0) = 0 (Lyu's Assumption 3.2)
  const Eigen::VectorXd f = kc.predict(data.test);
  Eigen::VectorXd lin(300);
  for_each_chunk(data.test, 300, [&](int64_t, const InputBatch<double>& b, const int32_t*) {
    lin = Eigen::Map<const Eigen::MatrixXd>(b.dense, 40, b.n).transpose() * l2.weights;
  });
  EXPECT_LT((f - lin).cwiseAbs().maxCoeff(), 1e-6 * lin.cwiseAbs().maxCoeff());
}

// Two copies of a point with opposite labels (and a third point): no classifier through the origin separates them.
TEST(MaxMargin, NotSeparableDataIsAClearError) {
  Eigen::MatrixXd z(3, 2);
  z << 1, 2, -1, -2, 0.5, 3;
  for (auto solve : {&max_l1_margin, &max_l2_margin}) {
    try {
      solve(z);
      ADD_FAILURE() << "no error for data that is not separable";
    } catch (const MarginError& e) {
      EXPECT_NE(std::string(e.what()).find("not separable"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(max_l2_margin(Eigen::MatrixXd::Zero(2, 3)), MarginError);
  EXPECT_THROW(max_l1_margin(Eigen::MatrixXd(0, 3)), MarginError);
  Eigen::MatrixXd bad = z;
  bad(0, 0) = std::nan("");
  EXPECT_THROW(max_l1_margin(bad), MarginError);
}

}  // namespace
}  // namespace grokscope::theory
