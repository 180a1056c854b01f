// Musat's norm-minimizing direction (theory/zero_loss_direction.h, probe zero_loss_direction): linear models whose
// zero-loss set is a plane or a line (the GD projection lands on it, g~ is the exact projection of -theta onto its
// direction space), rank-deficient Jacobians, orthogonality to every row of J on a nonlinear model, and the probe's
// lookback update theta_e - theta_{e-c} checked against the recorded trajectory.
#include "grokscope/theory/zero_loss_direction.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/nn/mlp.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/theory/kernel_predictor.h"
#include "grokscope/train/trainer.h"

namespace grokscope::theory {
namespace {

RunConfig config_of(const std::string& toml) { return parse_run_config(toml, {}, "test"); }

ModelConfig linear_model() {
  ModelConfig mc;
  mc.hidden = {};
  mc.activation = Activation::identity;
  mc.bias = BiasMode::none;
  return mc;
}

// y = w . x on dense inputs (no bias): the zero-loss set of samples X w = y is an affine subspace.
struct LinearProblem {
  Mlp<double> model;
  Dataset<double> train;
  LinearProblem(const Eigen::MatrixXd& x, const Eigen::VectorXd& y)
      : model(linear_model(), MlpShape{.input_dim = static_cast<int>(x.cols()), .token_input = false, .output_dim = 1}) {
    train.n = x.rows();
    train.dim = static_cast<int>(x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      for (Eigen::Index j = 0; j < x.cols(); ++j) train.dense.push_back(x(i, j));
      train.targets.push_back(y[i]);
    }
  }
  NormMinimizingDirection direction(const Eigen::VectorXd& theta, const ZeroLossOptions& o) const {
    return norm_minimizing_direction(model, train, LossConfig{.kind = LossKind::squared}, TargetKind::regression,
                                     theta.data(), o);
  }
};

// Heavy ball (lr 0.05, momentum 0.5) on the mean squared error of these linear models: every mode contracts by at
// most 0.89 per step, so 400 steps land on Z to rounding.
ZeroLossOptions linear_options() { return ZeroLossOptions{.steps = 400, .lr = 0.05, .momentum = 0.5}; }

// Musat's three-number addition (Fig. 2, MU-2): one sample (1, 1, 1) -> 3, Z the plane w1 + w2 + w3 = 3. GD moves
// only along (1, 1, 1), so it lands on the orthogonal projection; g~ = -(theta - mean(theta) (1, 1, 1)).
TEST(ZeroLossDirection, PlaneOfThreeNumberAddition) {
  const LinearProblem lp(Eigen::RowVector3d(1, 1, 1), Eigen::VectorXd::Constant(1, 3.0));
  const Eigen::Vector3d theta(-1.0, 2.5, 0.25);
  ModelObjective<double> objective(lp.model, lp.train, LossConfig{.kind = LossKind::squared}, TargetKind::regression);
  const ZeroLossProjection<double> proj = project_to_zero_loss(objective, theta.data(), 3, linear_options());
  const double shift = (3.0 - theta.sum()) / 3.0;
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(proj.theta[static_cast<size_t>(i)], theta[i] + shift, 1e-12);
  EXPECT_LT(proj.loss, 1e-24);
  EXPECT_EQ(proj.steps, 400);

  const NormMinimizingDirection d = lp.direction(theta, linear_options());
  EXPECT_NEAR(d.dist, std::abs(3.0 - theta.sum()) / std::sqrt(3.0), 1e-12);
  EXPECT_EQ(d.rank, 1);
  ASSERT_EQ(d.direction.size(), 3);
  const Eigen::Vector3d expect = -(theta - Eigen::Vector3d::Constant(theta.mean()));
  EXPECT_LT((d.direction - expect).norm(), 1e-12);
}

// Stopping at a tolerance: fewer steps, the loss just below it.
TEST(ZeroLossDirection, ProjectionStopsAtTolerance) {
  const LinearProblem lp(Eigen::RowVector3d(1, 1, 1), Eigen::VectorXd::Constant(1, 3.0));
  const Eigen::Vector3d theta(-1.0, 2.5, 0.25);
  ModelObjective<double> objective(lp.model, lp.train, LossConfig{.kind = LossKind::squared}, TargetKind::regression);
  ZeroLossOptions o = linear_options();
  o.tolerance = 1e-8;
  const ZeroLossProjection<double> proj = project_to_zero_loss(objective, theta.data(), 3, o);
  EXPECT_LT(proj.steps, 100);
  EXPECT_GT(proj.steps, 1);
  EXPECT_LT(proj.loss, 1e-8);
  EXPECT_GT(proj.loss, 1e-16);
}

// Two samples in R^3: Z is a line with direction n = x1 x x2, so g~ = -(n . theta / |n|^2) n, and the projection is
// theta + X^T (X X^T)^{-1} (y - X theta) (computed here with the explicit 2 x 2 inverse, fine for a test).
TEST(ZeroLossDirection, LineOfTwoSamplesIsTheExactProjection) {
  Eigen::MatrixXd x(2, 3);
  x << 1, 2, 0, 0, 1, -1;
  const Eigen::Vector2d y(1, 2);
  const LinearProblem lp(x, y);
  const Eigen::Vector3d theta(0.3, -0.7, 1.1);
  ModelObjective<double> objective(lp.model, lp.train, LossConfig{.kind = LossKind::squared}, TargetKind::regression);
  const ZeroLossProjection<double> proj = project_to_zero_loss(objective, theta.data(), 3, linear_options());
  const Eigen::Vector3d on_z = theta + x.transpose() * (x * x.transpose()).inverse() * (y - x * theta);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(proj.theta[static_cast<size_t>(i)], on_z[i], 1e-10);
  const NormMinimizingDirection d = lp.direction(theta, linear_options());
  EXPECT_NEAR(d.dist, (theta - on_z).norm(), 1e-10);
  EXPECT_EQ(d.rank, 2);
  const Eigen::Vector3d n = Eigen::Vector3d(x.row(0).transpose()).cross(Eigen::Vector3d(x.row(1).transpose()));
  EXPECT_LT((d.direction - (-(n.dot(theta) / n.squaredNorm()) * n)).norm(), 1e-12);
}

// A repeated (scaled) sample: J = [x; 2x] has rank 1 and J J^T is singular; Z is still the plane x . w = 1.
TEST(ZeroLossDirection, RankDeficientJacobianGivesThePlaneDirection) {
  Eigen::MatrixXd x(3, 3);
  x << 1, 2, 0, 2, 4, 0, 1, 2, 0;
  const LinearProblem lp(x, Eigen::Vector3d(1, 2, 1));
  const Eigen::Vector3d theta(0.5, 0.5, -2.0);
  const NormMinimizingDirection d = lp.direction(theta, linear_options());
  EXPECT_EQ(d.rank, 1);
  const Eigen::Vector3d u = Eigen::Vector3d(1, 2, 0).normalized();
  EXPECT_LT((d.direction - (-(theta - u.dot(theta) * u))).norm(), 1e-12);
  EXPECT_TRUE(d.direction.allFinite());
}

// TangentProjector on a matrix with dependent and zero rows: P_T v is orthogonal to every row, v - P_T v lies in the
// row space (least-squares residual 0), P_T is idempotent, and the rank counts independent rows only.
TEST(ZeroLossDirection, TangentProjectorOnDependentRows) {
  Eigen::MatrixXd j = Eigen::MatrixXd::Random(6, 10);
  j.row(3) = j.row(0) - 0.5 * j.row(1);
  j.row(4).setZero();
  j.row(5) = 3.0 * j.row(2);
  const TangentProjector pt(j);
  EXPECT_EQ(pt.rank(), 3);
  const Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(10, -1.0, 2.0);
  const Eigen::VectorXd t = pt.apply(v);
  EXPECT_LT((j * t).cwiseAbs().maxCoeff(), 1e-12 * j.norm() * v.norm());
  const Eigen::MatrixXd basis = j.topRows(3).transpose();   // the row space
  const Eigen::VectorXd normal = v - t;
  const Eigen::VectorXd coeff = basis.colPivHouseholderQr().solve(normal);
  EXPECT_LT((basis * coeff - normal).norm(), 1e-12 * v.norm());
  EXPECT_LT((pt.apply(t) - t).norm(), 1e-12 * v.norm());
  EXPECT_GT(t.norm(), 0.1 * v.norm());   // 7 of 10 dimensions are tangent
}

// A nonlinear model (tanh MLP, 3 outputs, regression targets): g~ is orthogonal to every row of J at theta', and
// -theta - g~ lies in the row space of J.
TEST(ZeroLossDirection, OrthogonalToEveryRowOfTheJacobianOnAnMlp) {
  const RunConfig c = config_of(
      "[task]\nkind = \"teacher_classes\"\nd = 5\nn_classes = 3\nn_train = 6\nn_test = 4\n[model]\nhidden = [8]\n"
      "activation = \"tanh\"\nbias = \"all\"\n[train]\ndtype = \"f64\"\n");
  TaskData<double> data = make_task_data<double>(c.task);
  data.train.targets.resize(static_cast<size_t>(data.train.n * 3));
  for (size_t i = 0; i < data.train.targets.size(); ++i) data.train.targets[i] = 0.5 * std::sin(1.0 + double(i));
  const auto model = make_model<double>(c.model, data);
  const int64_t n_params = model->layout().total_size();
  std::vector<double> theta(static_cast<size_t>(n_params));
  Rng rng(5);
  model->init_params(theta.data(), rng);
  const LossConfig loss{.kind = LossKind::squared};
  const ZeroLossOptions o{.steps = 300, .lr = 0.5, .momentum = 0.9};
  const NormMinimizingDirection d = norm_minimizing_direction(*model, data.train, loss, TargetKind::regression,
                                                              theta.data(), o);
  ModelObjective<double> objective(*model, data.train, loss, TargetKind::regression);
  const double loss0 = objective(theta.data(), nullptr);
  EXPECT_LT(d.loss, 1e-3 * loss0);
  EXPECT_EQ(d.rank, 18);   // 6 rows x 3 outputs < 75 parameters: full row rank
  // Recompute theta' and J independently of the probe's path.
  const ZeroLossProjection<double> proj = project_to_zero_loss(objective, theta.data(), n_params, o);
  const Eigen::MatrixXd j = output_jacobian(*model, proj.theta.data(), data.train);
  ASSERT_EQ(d.direction.size(), n_params);
  const Eigen::VectorXd g = d.direction;
  for (Eigen::Index r = 0; r < j.rows(); ++r)
    EXPECT_LT(std::abs(j.row(r).dot(g)), 1e-12 * j.row(r).norm() * g.norm()) << "row " << r;
  const Eigen::VectorXd minus_theta = -Eigen::Map<const Eigen::VectorXd>(theta.data(), n_params);
  const Eigen::VectorXd normal = minus_theta - g;
  const Eigen::VectorXd alpha = j.transpose().colPivHouseholderQr().solve(normal);
  EXPECT_LT((j.transpose() * alpha - normal).norm(), 1e-10 * minus_theta.norm());
  EXPECT_GT(g.norm(), 0.5 * minus_theta.norm());   // most of the 75 dimensions are tangent
}

struct Recorder : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows, params;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  void on_trajectory(int64_t, double, const std::vector<double>& p) override { params.push_back(p); }
  size_t col(const std::string& name) const {
    const auto it = std::find(columns.begin(), columns.end(), name);
    EXPECT_NE(it, columns.end()) << name;
    return static_cast<size_t>(it - columns.begin());
  }
};

// The probe in a run of three-number addition with weight decay (GD, lr 0.05, wd 0.2), evaluated every 3 steps
// with lookback c = 10 (several lookback copies pending at once): every cosine equals the one computed from the
// recorded trajectory, dtheta = theta_e - theta_{max(0, e - 10)}, g~ = -(theta_e - mean(theta_e)), and
// -grad L_lambda = -(2 (sum theta - 3) (1, 1, 1) + wd theta). Once on the plane the update is pure weight decay
// along it, so cos(dtheta, g~) -> 1.
TEST(ZeroLossDirection, ProbeLookbackMatchesTheTrajectory) {
  RunConfig c = config_of(
      "[task]\nkind = \"toy_regression\"\ntoy = \"one_plus_one_plus_one\"\n[model]\nhidden = []\n"
      "activation = \"identity\"\nbias = \"none\"\ninit_values = [-1.0, 2.0, 0.5]\n[loss]\nkind = \"squared\"\n"
      "[optim]\nkind = \"sgd\"\nlr = 0.05\nweight_decay = 0.2\n[train]\nsteps = 200\ndtype = \"f64\"\n"
      "[eval]\nschedule = \"linear\"\nevery = 3\nrecord_trajectory = true\nprobes = [\"zero_loss_direction\"]\n"
      "zl_lookback = 10\nzl_project_steps = 400\nzl_project_lr = 0.05\nzl_project_momentum = 0.5\n");
  Recorder r;
  const RunSummary s = train(c, r);
  ASSERT_EQ(s.status, RunStatus::completed);
  ASSERT_EQ(r.params.size(), 201u);
  const size_t cg = r.col("zl_cos_dtheta_gtilde"), cd = r.col("zl_cos_dtheta_grad"), cr = r.col("zl_rank"),
               cz = r.col("zl_dist");
  auto cosine = [](const Eigen::Vector3d& a, const Eigen::Vector3d& b) { return a.dot(b) / (a.norm() * b.norm()); };
  size_t checked = 0;
  for (const auto& row : r.rows) {
    const auto e = static_cast<int64_t>(row[0]);
    const Eigen::Vector3d theta(r.params[static_cast<size_t>(e)].data());
    EXPECT_NEAR(row[cz], std::abs(theta.sum() - 3.0) / std::sqrt(3.0), 1e-9) << "step " << e;
    EXPECT_EQ(row[cr], 1.0);
    if (e == 0) {
      EXPECT_TRUE(std::isnan(row[cg]));
      continue;
    }
    const Eigen::Vector3d before(r.params[static_cast<size_t>(std::max<int64_t>(0, e - 10))].data());
    const Eigen::Vector3d dtheta = theta - before;
    const Eigen::Vector3d gtilde = -(theta - Eigen::Vector3d::Constant(theta.mean()));
    const Eigen::Vector3d descent = -(2.0 * (theta.sum() - 3.0) * Eigen::Vector3d::Ones() + 0.2 * theta);
    EXPECT_NEAR(row[cg], cosine(dtheta, gtilde), 1e-9) << "step " << e;
    EXPECT_NEAR(row[cd], cosine(dtheta, descent), 1e-9) << "step " << e;
    ++checked;
  }
  EXPECT_EQ(checked, 67u);   // steps 3, 6, ..., 198 and 200
  EXPECT_GT(r.rows.back()[cg], 0.999);
}

// The probe's keys are validated like every other key.
TEST(ZeroLossDirection, ConfigKeysAreValidated) {
  const std::string base = "[eval]\nprobes = [\"zero_loss_direction\"]\n";
  EXPECT_THROW(validate(config_of(base + "zl_lookback = 0\n")), ConfigError);
  EXPECT_THROW(validate(config_of(base + "zl_project_momentum = 1.0\n")), ConfigError);
  EXPECT_THROW(validate(config_of(base + "zl_project_lr = 0.0\n")), ConfigError);
  EXPECT_THROW(validate(config_of(base + "zl_project_tol = -1.0\n")), ConfigError);
  EXPECT_THROW(validate(config_of(base + "zl_rank_rtol = 0.0\n")), ConfigError);
  const RunConfig c = config_of(base + "zl_project_steps = 7\nzl_project_tol = 1e-9\n");
  EXPECT_NO_THROW(validate(c));
  EXPECT_EQ(c.eval.zl_project_steps, 7);
  EXPECT_EQ(c.eval.zl_project_tol, 1e-9);
}

}  // namespace
}  // namespace grokscope::theory
