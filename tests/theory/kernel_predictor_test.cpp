// The NTK predictor at initialization for regression: closed forms (a linear model's min-norm interpolant; Lyu's
// Cor. 3.11 for matrix completion from the identity, including the rank-deficient kernel of mirrored cells), exact
// Jacobians against finite differences, and the ntk probe following a matrix-completion run off the predictor.
#include "grokscope/theory/kernel_predictor.h"

#include <gtest/gtest.h>

#include <Eigen/QR>
#include <cmath>
#include <set>

#include "grokscope/io/config_toml.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/train/trainer.h"

namespace grokscope::theory {
namespace {

RunConfig config_of(const std::string& toml) { return parse_run_config(toml, {}, "test"); }

// MU-1: y = w1 x1 + w2 x2, one sample (1, 1) -> 2, init (-1, 1). The kernel predictor is the linear model at
// w0 + X^T (X X^T)^-1 (y - X w0) = (-1, 1) + (1, 1) = (0, 2): Musat's "memorizing" point, from which weight decay
// moves along the zero-loss line to (1, 1).
TEST(KernelPredictor, LinearModelIsTheMinNormInterpolant) {
  const RunConfig c = config_of(
      "[task]\nkind = \"toy_regression\"\ntoy = \"one_plus_one\"\nn_test = 50\n[model]\nhidden = []\n"
      "activation = \"identity\"\nbias = \"none\"\n[loss]\nkind = \"squared\"\n[train]\ndtype = \"f64\"\n");
  const TaskData<double> data = make_task_data<double>(c.task);
  const auto model = make_model<double>(c.model, data);
  ASSERT_EQ(model->layout().total_size(), 2);
  const double w0[2] = {-1.0, 1.0};
  const KernelPredictor<double> kp(*model, w0, data.train);
  EXPECT_FALSE(kp.used_fallback());
  EXPECT_NEAR(kp.direction()[0], 1.0, 1e-14);
  EXPECT_NEAR(kp.direction()[1], 1.0, 1e-14);
  EXPECT_LT(kp.train_residual(), 1e-14);
  const Eigen::MatrixXd f = kp.predict(data.test);
  ASSERT_EQ(f.rows(), data.test.n);
  for (int64_t i = 0; i < data.test.n; ++i)
    EXPECT_NEAR(f(i, 0), 0.0 * data.test.dense[2 * i] + 2.0 * data.test.dense[2 * i + 1], 1e-13);
}

// A random tanh MLP with 3 outputs (dense inputs): the Jacobian matches central differences, and the predictor is
// f0 + J_test h with h = J^T (J J^T)^-1 (y - f0), computed here independently with a QR least-squares solve.
TEST(KernelPredictor, MlpJacobianAndPredictorMatchIndependentComputation) {
  const RunConfig c = config_of(
      "[task]\nkind = \"teacher_classes\"\nd = 6\nn_classes = 3\nn_train = 10\nn_test = 7\n[model]\nhidden = [9]\n"
      "activation = \"tanh\"\nbias = \"all\"\n[train]\ndtype = \"f64\"\n");
  TaskData<double> data = make_task_data<double>(c.task);
  // Regression targets for the stored rows (any values): y = sin(row + output).
  for (Dataset<double>* set : {&data.train, &data.test}) {
    set->targets.resize(static_cast<size_t>(set->n * 3));
    for (size_t i = 0; i < set->targets.size(); ++i) set->targets[i] = std::sin(static_cast<double>(i));
  }
  const auto model = make_model<double>(c.model, data);
  const int64_t n_params = model->layout().total_size();
  std::vector<double> theta(static_cast<size_t>(n_params));
  Rng rng(3);
  model->init_params(theta.data(), rng);
  const Eigen::MatrixXd jac = output_jacobian(*model, theta.data(), data.train);
  ASSERT_EQ(jac.rows(), 30);
  ASSERT_EQ(jac.cols(), n_params);
  const KernelPredictor<double> kp(*model, theta.data(), data.train);
  double max_err = 0.0;
  for (int64_t j = 0; j < n_params; ++j) {
    std::vector<double> tp = theta, tm = theta;
    tp[static_cast<size_t>(j)] += 1e-6;
    tm[static_cast<size_t>(j)] -= 1e-6;
    const Eigen::MatrixXd fd = (kp.network(tp.data(), data.train) - kp.network(tm.data(), data.train)) / 2e-6;
    for (int64_t i = 0; i < data.train.n; ++i)
      for (int k = 0; k < 3; ++k) max_err = std::max(max_err, std::abs(fd(i, k) - jac(i * 3 + k, j)));
  }
  EXPECT_LT(max_err, 1e-8);
  // Independent predictor: h from a least-squares solve of J h = r (min norm; J has full row rank 30 < P).
  const Eigen::MatrixXd f0 = kp.network(theta.data(), data.train);
  Eigen::VectorXd r(30);
  for (int i = 0; i < 30; ++i) r[i] = data.train.targets[static_cast<size_t>(i)] - f0(i / 3, i % 3);
  const Eigen::VectorXd h = jac.completeOrthogonalDecomposition().solve(r);
  EXPECT_LT((h - kp.direction()).norm(), 1e-8 * h.norm());
  const Eigen::MatrixXd jt = output_jacobian(*model, theta.data(), data.test);
  const Eigen::VectorXd expect = jt * h;
  const Eigen::MatrixXd f = kp.predict(data.test), ft0 = kp.network(theta.data(), data.test);
  for (int64_t i = 0; i < data.test.n; ++i)
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(f(i, k), ft0(i, k) + expect[i * 3 + k], 1e-9);
  EXPECT_LT(kp.train_residual(), 1e-9);
}

// Lyu Cor. 3.11: from U = V = alpha I the kernel predictor of matrix completion is X*_ij on the observed cells and
// their mirrors, 0 elsewhere. With both (i, j) and (j, i) observed the kernel is singular (equal features); the
// fallback (pseudo-inverse) still gives the min-norm interpolant.
TEST(KernelPredictor, MatrixCompletionFromIdentityFillsMirrorsAndZeros) {
  const RunConfig c = config_of(
      "[task]\nkind = \"matrix_completion\"\nd = 10\ntrain_fraction = 0.3\n[model]\nkind = "
      "\"matrix_factorization\"\ninit_scale = 3.0\n[loss]\nkind = \"squared\"\n[train]\ndtype = \"f64\"\n");
  const TaskData<double> data = make_task_data<double>(c.task);
  const auto model = make_model<double>(c.model, data);
  std::vector<double> theta(static_cast<size_t>(model->layout().total_size()));
  Rng rng(0);
  model->init_params(theta.data(), rng);
  const KernelPredictor<double> kp(*model, theta.data(), data.train);
  std::set<std::pair<int, int>> observed;
  bool mirrored_pair = false;
  for (int64_t i = 0; i < data.train.n; ++i) {
    const int a = data.train.tokens[2 * i], b = data.train.tokens[2 * i + 1];
    if (a != b && observed.count({b, a})) mirrored_pair = true;
    observed.insert({a, b});
  }
  ASSERT_TRUE(mirrored_pair) << "the test needs a rank-deficient kernel";
  EXPECT_TRUE(kp.used_fallback());
  EXPECT_LT(kp.rank(), data.train.n);
  EXPECT_LT(kp.train_residual(), 1e-10);
  const Eigen::MatrixXd f = kp.predict(data.test);
  int mirrors = 0;
  for (int64_t i = 0; i < data.test.n; ++i) {
    const int a = data.test.tokens[2 * i], b = data.test.tokens[2 * i + 1];
    const double expect = observed.count({b, a}) ? data.test.targets[static_cast<size_t>(i)] : 0.0;
    mirrors += observed.count({b, a}) ? 1 : 0;
    EXPECT_NEAR(f(i, 0), expect, 1e-10) << "cell (" << a << ", " << b << ")";
  }
  EXPECT_GT(mirrors, 5);
  // Observing each unordered pair once gives a full-rank kernel: the Cholesky path.
  Dataset<double> once = data.train;
  once.tokens.clear();
  once.targets.clear();
  std::set<std::pair<int, int>> seen;
  for (int64_t i = 0; i < data.train.n; ++i) {
    const int a = data.train.tokens[2 * i], b = data.train.tokens[2 * i + 1];
    if (seen.count({std::min(a, b), std::max(a, b)})) continue;
    seen.insert({std::min(a, b), std::max(a, b)});
    once.tokens.insert(once.tokens.end(), {a, b});
    once.targets.push_back(data.train.targets[static_cast<size_t>(i)]);
  }
  once.n = static_cast<int64_t>(once.targets.size());
  const KernelPredictor<double> full(*model, theta.data(), once);
  EXPECT_FALSE(full.used_fallback());
  EXPECT_EQ(full.rank(), once.n);
  EXPECT_LT((full.predict(data.test) - f).cwiseAbs().maxCoeff(), 1e-10);
}

struct Rows : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  double at(size_t r, const std::string& name) const {
    const auto it = std::find(columns.begin(), columns.end(), name);
    EXPECT_NE(it, columns.end()) << name;
    return rows.at(r).at(static_cast<size_t>(it - columns.begin()));
  }
};

// LY-6 in small: matrix completion (d = 12, 25% observed) from U = V = 10 I, GD with lr 0.02 and weight decay 0.05.
// After the fit the network's test predictions sit on the kernel predictor (unobserved cells ~0; distance 0.5% at
// step 100); around t ~ ln(alpha^2) / (eta lambda) = 4600 steps they leave it (distance 0.31 at 2500, 0.91 at
// 6000) and the test loss falls below the kernel predictor's (0.062 vs 0.079; the large weight decay of this
// small, fast setting keeps a train loss of 0.018, so the rich-phase solution is only partly better).
TEST(KernelPredictor, NtkProbeTracksMatrixCompletionOffTheKernelRegime) {
  const RunConfig c = config_of(
      "[task]\nkind = \"matrix_completion\"\nd = 12\ntrain_fraction = 0.25\nground_truth = \"multiplication\"\n"
      "[model]\nkind = \"matrix_factorization\"\ninit_scale = 10.0\n[loss]\nkind = \"squared\"\n"
      "[optim]\nkind = \"sgd\"\nlr = 0.02\nweight_decay = 0.05\n[train]\nsteps = 6000\ndtype = \"f64\"\nthreads = 1\n"
      "[eval]\nschedule = \"linear\"\nevery = 100\nprobes = [\"ntk\"]\n");
  Rows rec;
  const RunSummary s = train(c, rec);
  ASSERT_EQ(s.status, RunStatus::completed) << s.message;
  const size_t last = rec.rows.size() - 1;
  for (size_t r = 1; r <= last; r += (r < 10 ? 1 : 5))
    std::printf("[ntk probe] step %5.0f loss_train %.2e loss_test %.4f ntk_loss_test %.4f ntk_cos %.4f ntk_dist %.4f\n",
                rec.at(r, "step"), rec.at(r, "loss_train"), rec.at(r, "loss_test"), rec.at(r, "ntk_loss_test"),
                rec.at(r, "ntk_cos_test"), rec.at(r, "ntk_dist_test"));
  EXPECT_TRUE(std::isnan(rec.at(0, "ntk_cos_test")));   // f(theta_0) = 0 = f_ntk offset: no direction yet
  EXPECT_GT(rec.at(1, "ntk_cos_test"), 0.99);
  EXPECT_LT(rec.at(1, "ntk_dist_test"), 0.1);
  EXPECT_NEAR(rec.at(1, "loss_test"), rec.at(1, "ntk_loss_test"), 0.1 * rec.at(1, "ntk_loss_test"));
  EXPECT_LT(rec.at(10, "ntk_dist_test"), 0.05);   // step 1000: still in the kernel regime
  EXPECT_GT(rec.at(last, "ntk_dist_test"), 0.5);   // measured 0.91 at step 6000 (cos 0.51)
  EXPECT_LT(rec.at(last, "ntk_cos_test"), 0.8);
  EXPECT_LT(rec.at(last, "loss_test"), 0.9 * rec.at(last, "ntk_loss_test"));   // measured 0.062 vs 0.079
}

}  // namespace
}  // namespace grokscope::theory
