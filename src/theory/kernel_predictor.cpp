// The kernel (NTK) predictor at initialization for regression (see theory/kernel_predictor.h).
#include "grokscope/theory/kernel_predictor.h"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace grokscope::theory {

namespace {

template <class T>
InputBatch<T> row_of(const Dataset<T>& set, int64_t i) {
  return InputBatch<T>{.n = 1, .dim = set.dim, .tokens_per_row = set.tokens_per_row,
                       .tokens = set.tokens.empty() ? nullptr : set.tokens.data() + i * set.tokens_per_row,
                       .dense = set.dense.empty() ? nullptr : set.dense.data() + i * set.dim};
}

template <class T>
void check_stored(const Dataset<T>& set, const char* what) {
  if (set.generated())
    throw std::invalid_argument(fmt::format("[kernel_predictor] {}: a generated dataset is not supported", what));
}

// Calls visit(row, output, gradient) for every (row, output) of set: one forward and output_dim backward passes per
// row, gradient in double.
template <class T, class Visit>
void for_each_gradient(const Model<T>& model, const T* params, const Dataset<T>& set, Visit visit) {
  const auto n_params = static_cast<size_t>(model.layout().total_size());
  const int out = model.output_dim();
  auto ws = model.make_workspace(1);
  std::vector<T> d_out(static_cast<size_t>(out)), grad(n_params);
  Eigen::VectorXd g(static_cast<Eigen::Index>(n_params));
  for (int64_t i = 0; i < set.n; ++i) {
    const InputBatch<T> x = row_of(set, i);
    for (int k = 0; k < out; ++k) {
      model.forward(params, x, *ws);
      std::fill(d_out.begin(), d_out.end(), T(0));
      d_out[static_cast<size_t>(k)] = T(1);
      model.backward(params, x, d_out.data(), grad.data(), *ws);
      for (size_t j = 0; j < n_params; ++j) g[static_cast<Eigen::Index>(j)] = static_cast<double>(grad[j]);
      visit(i, k, g);
    }
  }
}

}  // namespace

template <class T>
Eigen::MatrixXd output_jacobian(const Model<T>& model, const T* params, const Dataset<T>& set) {
  check_stored(set, "output_jacobian");
  const int out = model.output_dim();
  Eigen::MatrixXd jac(set.n * out, model.layout().total_size());
  for_each_gradient(model, params, set, [&](int64_t i, int k, const Eigen::VectorXd& g) { jac.row(i * out + k) = g; });
  return jac;
}

template <class T>
KernelPredictor<T>::KernelPredictor(const Model<T>& model, const T* params0, const Dataset<T>& train,
                                    double max_condition)
    : model_(model), params0_(params0, params0 + model.layout().total_size()) {
  check_stored(train, "train set");
  const int out = model.output_dim();
  const Eigen::Index rows = train.n * out;
  if (static_cast<int64_t>(train.targets.size()) != rows)
    throw std::invalid_argument(fmt::format("[kernel_predictor] needs regression targets ({} x {}), got {} values",
                                            train.n, out, train.targets.size()));
  const Eigen::MatrixXd phi = output_jacobian(model, params0_.data(), train);
  const Eigen::MatrixXd f0 = network(params0_.data(), train);   // n x out
  Eigen::VectorXd r(rows);                                       // y - f(theta_0), row i * out + k
  for (Eigen::Index i = 0; i < rows; ++i)
    r[i] = static_cast<double>(train.targets[static_cast<size_t>(i)]) - f0(i / out, i % out);
  Eigen::MatrixXd kernel = Eigen::MatrixXd::Zero(rows, rows);
  kernel.selfadjointView<Eigen::Lower>().rankUpdate(phi);   // lower triangle of Phi Phi^T
  Eigen::VectorXd alpha;
  const Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt(kernel);
  const double rcond = llt.info() == Eigen::Success ? llt.rcond() : 0.0;
  condition_ = rcond > 0.0 ? 1.0 / rcond : std::numeric_limits<double>::infinity();
  if (condition_ <= max_condition) {
    alpha = llt.solve(r);
    rank_ = rows;
  } else {
    // Rank-deficient K: alpha = K^+ r (min-norm least squares), so h = Phi^T alpha is still the min-norm
    // interpolant when the constraints are consistent.
    const Eigen::MatrixXd full = kernel.selfadjointView<Eigen::Lower>();
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(full);
    cod.setThreshold(1e-12);
    alpha = cod.solve(r);
    rank_ = cod.rank();
    fallback_ = true;
  }
  h_ = phi.transpose() * alpha;
  train_residual_ = (phi * h_ - r).cwiseAbs().maxCoeff();
}

template <class T>
Eigen::MatrixXd KernelPredictor<T>::network(const T* params, const Dataset<T>& set) const {
  check_stored(set, "network");
  const int out = model_.output_dim();
  auto ws = model_.make_workspace(set.n);
  const T* y = model_.forward(params, set.batch(), *ws);
  Eigen::MatrixXd f(set.n * out, 1);
  for (Eigen::Index i = 0; i < f.rows(); ++i) f(i) = static_cast<double>(y[i]);
  return f.reshaped(out, set.n).transpose();   // n x out (row i = outputs of row i)
}

template <class T>
Eigen::MatrixXd KernelPredictor<T>::predict(const Dataset<T>& set) const {
  check_stored(set, "predict");
  Eigen::MatrixXd f = network(params0_.data(), set);
  for_each_gradient(model_, params0_.data(), set, [&](int64_t i, int k, const Eigen::VectorXd& g) {
    f(static_cast<Eigen::Index>(i), k) += g.dot(h_);
  });
  return f;
}

template Eigen::MatrixXd output_jacobian(const Model<float>&, const float*, const Dataset<float>&);
template Eigen::MatrixXd output_jacobian(const Model<double>&, const double*, const Dataset<double>&);
template class KernelPredictor<float>;
template class KernelPredictor<double>;

}  // namespace grokscope::theory
