// The mathematics of Musat's isolated dynamics (see theory/isolated_dynamics.h): min-norm readout through a Cholesky
// factor of H H^T, the update direction, the objective, predictions. The run loop is in isolated_run.cpp.
#include "grokscope/theory/isolated_dynamics.h"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <cmath>

#include "grokscope/core/error.h"
#include "grokscope/data/modular.h"

namespace grokscope::theory {

void validate(const IsolatedConfig& c) {
  auto fail = [](const std::string& key, const std::string& value, const std::string& why) {
    throw ConfigError("isolated." + key, value, why);
  };
  if (c.p < 3) fail("p", std::to_string(c.p), "must be at least 3");
  const auto op = parse_mod_op(c.op);
  if (!op) fail("op", c.op, "unknown operation");
  if (!is_symmetric(*op)) fail("op", c.op, "the unordered pairs need a symmetric operation");
  if (needs_prime(*op) && !is_prime(c.p)) fail("p", std::to_string(c.p), "op " + c.op + " needs a prime modulus");
  if (c.width < 1) fail("width", std::to_string(c.width), "must be positive");
  const int64_t rows = static_cast<int64_t>(c.p) * (c.p + 1) / 2;
  const int64_t n_train =
      c.n_train > 0 ? c.n_train : static_cast<int64_t>(std::floor(c.train_fraction * static_cast<double>(rows)));
  if (c.n_train < 0) fail("n_train", std::to_string(c.n_train), "must be >= 0 (0: use train_fraction)");
  if (c.n_train == 0 && !(c.train_fraction > 0.0 && c.train_fraction < 1.0))
    fail("train_fraction", fmt::format("{}", c.train_fraction), "must be in (0, 1)");
  if (n_train < 1 || n_train >= rows)
    fail("n_train", std::to_string(n_train), fmt::format("must be in [1, {}) (the {} unordered pairs)", rows, rows));
  if (n_train > c.width)
    fail("width", std::to_string(c.width),
         fmt::format("the min-norm readout needs width >= n_train = {} (H H^T is singular otherwise)", n_train));
  if (c.activation != Activation::relu && c.activation != Activation::leaky_relu && c.activation != Activation::tanh &&
      c.activation != Activation::quadratic)
    fail("activation", to_string(c.activation), "must be relu, leaky_relu, tanh or quadratic");
  if (!(c.lr > 0.0) || !std::isfinite(c.lr)) fail("lr", fmt::format("{}", c.lr), "must be positive");
  if (c.steps < 0) fail("steps", std::to_string(c.steps), "must be >= 0");
  if (c.eval_every < 1) fail("eval_every", std::to_string(c.eval_every), "must be >= 1");
  if (!(c.max_condition > 1.0)) fail("max_condition", fmt::format("{}", c.max_condition), "must be > 1");
  if (!std::isfinite(c.init_std)) fail("init_std", fmt::format("{}", c.init_std), "must be finite");
}

RunConfig isolated_run_config(const IsolatedConfig& c) {
  RunConfig r;
  r.task.kind = TaskKind::modular;
  r.task.op = c.op;
  r.task.p = c.p;
  r.task.pairs = PairSet::unordered;
  r.task.encoding = Encoding::sum;
  r.task.train_fraction = c.train_fraction;
  r.task.n_train = c.n_train;
  r.task.split_seed = c.split_seed;
  r.model.kind = ModelKind::mlp;
  r.model.hidden = {c.width};
  r.model.activation = c.activation;
  r.model.leaky_slope = c.leaky_slope;
  r.model.bias = BiasMode::none;
  r.model.init = InitKind::normal;
  r.model.init_std = c.init_std > 0.0 ? c.init_std : 1.0 / std::sqrt(static_cast<double>(c.p));
  r.loss.kind = LossKind::mse;
  r.loss.mse_reduction = MseReduction::sum_classes;
  r.optim.kind = OptimKind::sgd;
  r.optim.lr = c.lr;
  r.optim.weight_decay = 0.0;
  r.train.steps = c.steps;
  r.train.seed = c.seed;
  r.train.dtype = Dtype::f64;
  r.train.threads = 1;
  r.eval.schedule = EvalScheduleKind::linear;
  r.eval.every = c.eval_every;
  return r;
}

IsolatedDynamics::IsolatedDynamics(int p, Activation activation, double leaky_slope, std::vector<int32_t> a,
                                   std::vector<int32_t> b, std::vector<int32_t> c, double max_condition)
    : p_(p), activation_(activation), leaky_slope_(leaky_slope), a_(std::move(a)), b_(std::move(b)),
      c_(std::move(c)), max_condition_(max_condition) {
  if (a_.size() != b_.size() || a_.size() != c_.size() || a_.empty())
    throw std::invalid_argument(fmt::format("[isolated_dynamics] need equal non-empty a, b, c (got {}, {}, {})",
                                            a_.size(), b_.size(), c_.size()));
  for (size_t i = 0; i < a_.size(); ++i)
    if (a_[i] < 0 || a_[i] >= p || b_[i] < 0 || b_[i] >= p || c_[i] < 0 || c_[i] >= p)
      throw std::invalid_argument(fmt::format("[isolated_dynamics] row {} = ({}, {}, {}) is outside [0, {})", i, a_[i],
                                              b_[i], c_[i], p));
}

// Z = X E: row i is E_a + E_b (2 E_a when a = b).
Eigen::MatrixXd IsolatedDynamics::gather(const Eigen::MatrixXd& e, const std::vector<int32_t>& a,
                                         const std::vector<int32_t>& b) const {
  const auto n = static_cast<Eigen::Index>(a.size());
  Eigen::MatrixXd z(n, e.cols());
  for (Eigen::Index u = 0; u < e.cols(); ++u) {
    const double* col = e.col(u).data();
    double* out = z.col(u).data();
    for (Eigen::Index i = 0; i < n; ++i) out[i] = col[a[static_cast<size_t>(i)]] + col[b[static_cast<size_t>(i)]];
  }
  return z;
}

Eigen::MatrixXd IsolatedDynamics::activate(const Eigen::MatrixXd& z) const {
  switch (activation_) {
    case Activation::relu: return z.cwiseMax(0.0);
    case Activation::leaky_relu: return z.unaryExpr([s = leaky_slope_](double v) { return v > 0.0 ? v : s * v; });
    case Activation::tanh: return z.array().tanh().matrix();
    case Activation::quadratic: return z.cwiseProduct(z);
    default: GS_CHECK(false);
  }
  return {};
}

// sigma'(z); ReLU and leaky ReLU use the derivative of the z <= 0 branch at 0 (PyTorch's convention).
Eigen::MatrixXd IsolatedDynamics::derivative(const Eigen::MatrixXd& z) const {
  switch (activation_) {
    case Activation::relu: return z.unaryExpr([](double v) { return v > 0.0 ? 1.0 : 0.0; });
    case Activation::leaky_relu: return z.unaryExpr([s = leaky_slope_](double v) { return v > 0.0 ? 1.0 : s; });
    case Activation::tanh: return z.unaryExpr([](double v) { const double t = std::tanh(v); return 1.0 - t * t; });
    case Activation::quadratic: return 2.0 * z;
    default: GS_CHECK(false);
  }
  return {};
}

IsolatedDynamics::State IsolatedDynamics::state(const Eigen::MatrixXd& e, int64_t step) const {
  GS_CHECK(e.rows() == p_);
  State s;
  s.z = gather(e, a_, b_);
  s.h = activate(s.z);
  const Eigen::Index n = s.h.rows();
  s.gram = Eigen::MatrixXd::Zero(n, n);
  s.gram.selfadjointView<Eigen::Lower>().rankUpdate(s.h);   // lower triangle of H H^T
  const Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt(s.gram);
  const std::string where = step >= 0 ? fmt::format("step {}: ", step) : std::string();
  if (llt.info() != Eigen::Success)
    throw IllConditioned(fmt::format("[isolated_dynamics] {}H H^T ({} x {}) is not numerically positive definite "
                                     "(Cholesky failed): the min-norm readout is undefined",
                                     where, n, n),
                         std::numeric_limits<double>::infinity());
  const double rcond = llt.rcond();
  s.condition = rcond > 0.0 ? 1.0 / rcond : std::numeric_limits<double>::infinity();
  if (!(s.condition <= max_condition_))
    throw IllConditioned(fmt::format("[isolated_dynamics] {}H H^T ({} x {}) is ill-conditioned: estimated condition "
                                     "number {:.3g} > max_condition {:.3g}; the readout (H H^T)^-1 Y would be garbage",
                                     where, n, n, s.condition, max_condition_),
                         s.condition);
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(n, p_);
  for (Eigen::Index i = 0; i < n; ++i) y(i, c_[static_cast<size_t>(i)]) = 1.0;
  s.ay = llt.solve(y);
  s.w = s.h.transpose() * s.ay;
  return s;
}

Eigen::MatrixXd IsolatedDynamics::direction(const Eigen::MatrixXd& e, const State& s) const {
  // A Y Y^T A H = (A Y)(H^T A Y)^T = (A Y) W^T  (n x d), then the Hadamard product with sigma'(X E) and X^T.
  const Eigen::MatrixXd m = (s.ay * s.w.transpose()).cwiseProduct(derivative(s.z));
  Eigen::MatrixXd delta = -e;
  for (Eigen::Index u = 0; u < e.cols(); ++u) {
    double* out = delta.col(u).data();
    const double* col = m.col(u).data();
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      out[a_[static_cast<size_t>(i)]] += col[i];
      out[b_[static_cast<size_t>(i)]] += col[i];
    }
  }
  return delta;
}

double IsolatedDynamics::objective(const Eigen::MatrixXd& e, const State& s) const {
  double trace = 0.0;   // Tr(Y^T A Y) = sum_i (A Y)_{i, c_i}
  for (Eigen::Index i = 0; i < s.ay.rows(); ++i) trace += s.ay(i, c_[static_cast<size_t>(i)]);
  return e.squaredNorm() + trace;
}

Eigen::MatrixXd IsolatedDynamics::predict(const Eigen::MatrixXd& e, const Eigen::MatrixXd& w,
                                          const std::vector<int32_t>& a, const std::vector<int32_t>& b) const {
  GS_CHECK(a.size() == b.size());
  return activate(gather(e, a, b)) * w;
}

}  // namespace grokscope::theory
