// Synthetic regression data: matrix completion (Lyu §2.5), Musat's toy additions and the sparse linear regression of
// Lyu App. B.2 (formulas in data/synthetic.h).
#include <cmath>
#include <memory>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/core/rng.h"
#include "grokscope/data/fast_normal.h"
#include "grokscope/data/modular.h"
#include "grokscope/data/synthetic.h"
#include "synthetic_rows.h"

namespace grokscope {

using namespace synthetic_detail;

namespace {

// Cells c = i * d + j as tokens (i, j) with targets X*_ij.
template <class T>
Dataset<T> cell_set(const std::vector<int64_t>& cells, const std::vector<double>& x_star, int d) {
  Dataset<T> ds;
  ds.n = static_cast<int64_t>(cells.size());
  ds.dim = d;
  ds.tokens_per_row = 2;
  ds.tokens.reserve(cells.size() * 2);
  ds.targets.reserve(cells.size());
  for (int64_t c : cells) {
    ds.tokens.push_back(static_cast<int32_t>(c / d));
    ds.tokens.push_back(static_cast<int32_t>(c % d));
    ds.targets.push_back(static_cast<T>(x_star[static_cast<size_t>(c)]));
  }
  return ds;
}

// X* (d x d, row-major) for the configured ground truth.
std::vector<double> ground_truth(const TaskConfig& task, int d) {
  const auto n = static_cast<size_t>(d);
  std::vector<double> x(n * n, 0.0);
  if (task.ground_truth == GroundTruth::multiplication) {
    // X*_ij = (i / d)(j / d), 0-based: the multiplication table of Lyu's Fig. 3 (rank 1).
    const double dd = static_cast<double>(d) * static_cast<double>(d);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) x[i * n + j] = static_cast<double>(i) * static_cast<double>(j) / dd;
    return x;
  }
  // random_psd: X* = G G^T / r with G (d x r) ~ N(0, 1), drawn row-major.
  const int r = task.rank;
  if (r < 1 || r > d) throw ConfigError("task.rank", std::to_string(r), fmt::format("must be in [1, d = {}]", d));
  const auto rr = static_cast<size_t>(r);
  Rng rng(row_seed(task.split_seed, stream_truth, 0));
  std::vector<double> g(n * rr);
  for (auto& v : g) v = rng.normal();
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (size_t k = 0; k < rr; ++k) s += g[i * rr + k] * g[j * rr + k];
      x[i * n + j] = s / static_cast<double>(r);
    }
  return x;
}

// sparse_regression: row r of a stream, x ~ N(0, I_d) into x (d), returns y = <w*, x> of the stored (rounded) x.
struct RegressionRows {
  uint64_t seed = 0;
  int d = 0;
  std::vector<double> w_star;  // (d), +-1 on the first k coordinates, 0 elsewhere

  template <class T>
  T row(uint64_t stream, int64_t r, T* x) const {
    Rng rng(row_seed(seed, stream, r));
    double y = 0.0;
    for (int c = 0; c < d; ++c) {
      x[c] = static_cast<T>(fast_normal(rng));
      y += w_star[static_cast<size_t>(c)] * static_cast<double>(x[c]);
    }
    return static_cast<T>(y);
  }
};

}  // namespace

template <class T>
TaskData<T> make_sparse_regression(const TaskConfig& task) {
  namespace def = synthetic_defaults;
  auto gen = std::make_shared<RegressionRows>();
  gen->seed = task.split_seed;
  gen->d = checked_dim("task.d", or_default("task.d", task.d, def::regression_d));
  const int k = task.sparsity;
  if (k < 1 || k > gen->d)
    throw ConfigError("task.sparsity", std::to_string(k), fmt::format("must be in [1, d = {}]", gen->d));
  Rng truth(row_seed(gen->seed, stream_truth, 0));   // w* in {+-1}^k on the first k coordinates, random signs
  gen->w_star.assign(static_cast<size_t>(gen->d), 0.0);
  for (int c = 0; c < k; ++c) gen->w_star[static_cast<size_t>(c)] = truth.below(2) ? 1.0 : -1.0;
  const int64_t n_train = or_default("task.n_train", task.n_train, def::regression_n_train);
  const int64_t n_test = or_default("task.n_test", task.n_test, def::regression_n_test);
  const int d = gen->d;

  TaskData<T> data;
  data.input_dim = d;
  data.output_dim = 1;
  data.target = TargetKind::regression;
  data.train.n = n_train;
  data.train.dim = d;
  data.train.dense.resize(static_cast<size_t>(n_train) * static_cast<size_t>(d));
  data.train.targets.resize(static_cast<size_t>(n_train));
  for (int64_t r = 0; r < n_train; ++r)
    data.train.targets[static_cast<size_t>(r)] = gen->row(stream_train, r, data.train.dense.data() + r * d);
  data.test.n = n_test;
  data.test.dim = d;
  data.test.generate = [gen](int64_t first, int64_t count, T* out, int32_t* /*labels*/, T* targets) {
    GS_CHECK(first >= 0 && count >= 0);
    std::vector<T> sink(out ? 0 : static_cast<size_t>(gen->d));
    for (int64_t r = 0; r < count; ++r) {
      const T y = gen->row(stream_test, first + r, out ? out + r * gen->d : sink.data());
      if (targets) targets[r] = y;
    }
  };
  data.references.emplace_back("w_star", gen->w_star);
  data.arrays.push_back(NpyArray{"w_star", {static_cast<int64_t>(d)}, gen->w_star});
  return data;
}

template <class T>
TaskData<T> make_matrix_completion(const TaskConfig& task) {
  const int64_t d64 = or_default("task.d", task.d, synthetic_defaults::completion_d);
  if (d64 > 46340)  // d^2 < 2^31: X*, the split and the test set are all O(d^2)
    throw ConfigError("task.d", std::to_string(d64), "must be <= 46340 for matrix_completion");
  const int d = checked_dim("task.d", d64);
  const int64_t cells = d64 * d64;
  const int64_t n_train = resolve_n_train(task, cells);
  if (n_train < 1 || n_train >= cells)
    throw ConfigError(task.n_train > 0 ? "task.n_train" : "task.train_fraction",
                      task.n_train > 0 ? std::to_string(task.n_train) : fmt::format("{}", task.train_fraction),
                      fmt::format("gives {} observed cells; need 1 to d^2 - 1 = {}", n_train, cells - 1));
  const std::vector<double> x_star = ground_truth(task, d);
  const Split split = make_split(cells, n_train, task.split_seed);

  TaskData<T> data;
  data.input_dim = d;
  data.output_dim = 1;
  data.target = TargetKind::regression;
  data.train = cell_set<T>(split.train_idx, x_star, d);
  data.test = cell_set<T>(split.test_idx, x_star, d);
  data.arrays.push_back(NpyArray{"train_cells", {static_cast<int64_t>(split.train_idx.size())}, split.train_idx});
  data.arrays.push_back(NpyArray{"test_cells", {static_cast<int64_t>(split.test_idx.size())}, split.test_idx});
  data.arrays.push_back(NpyArray{"X_star", {d64, d64}, x_star});
  data.references.emplace_back("X_star", x_star);
  return data;
}

template <class T>
TaskData<T> make_toy_regression(const TaskConfig& task) {
  const int dim = task.toy == ToyProblem::one_plus_one ? 2 : 3;
  if (task.d != 0 && task.d != dim)
    throw ConfigError("task.d", std::to_string(task.d), fmt::format("the toy problem has d = {} (or leave 0)", dim));
  const int64_t n_test = or_default("task.n_test", task.n_test, synthetic_defaults::toy_n_test);
  if (task.n_train > 1)
    throw ConfigError("task.n_train", std::to_string(task.n_train), "the toy problems have one training sample");

  TaskData<T> data;
  data.input_dim = dim;
  data.output_dim = 1;
  data.target = TargetKind::regression;
  // train: x = (1, ..., 1), y = dim (1 + 1 = 2, 1 + 1 + 1 = 3).
  data.train.n = 1;
  data.train.dim = dim;
  data.train.dense.assign(static_cast<size_t>(dim), T(1));
  data.train.targets = {static_cast<T>(dim)};
  // test: x ~ N(0, I_dim), y = sum_i x_i (row r from its own Rng, like every synthetic set).
  data.test.n = n_test;
  data.test.dim = dim;
  data.test.dense.resize(static_cast<size_t>(n_test * dim));
  data.test.targets.resize(static_cast<size_t>(n_test));
  std::vector<double> x_test(data.test.dense.size()), y_test(static_cast<size_t>(n_test));
  for (int64_t r = 0; r < n_test; ++r) {
    Rng rng(row_seed(task.split_seed, stream_test, r));
    double y = 0.0;
    for (int c = 0; c < dim; ++c) {
      const double v = fast_normal(rng);
      x_test[static_cast<size_t>(r * dim + c)] = v;
      y += v;
    }
    y_test[static_cast<size_t>(r)] = y;
  }
  for (size_t k = 0; k < x_test.size(); ++k) data.test.dense[k] = static_cast<T>(x_test[k]);
  for (size_t k = 0; k < y_test.size(); ++k) data.test.targets[k] = static_cast<T>(y_test[k]);
  data.arrays.push_back(NpyArray{"x_train", {1, dim}, std::vector<double>(static_cast<size_t>(dim), 1.0)});
  data.arrays.push_back(NpyArray{"y_train", {1}, std::vector<double>{static_cast<double>(dim)}});
  data.arrays.push_back(NpyArray{"x_test", {n_test, dim}, x_test});
  data.arrays.push_back(NpyArray{"y_test", {n_test}, y_test});
  return data;
}

template TaskData<float> make_matrix_completion<float>(const TaskConfig&);
template TaskData<double> make_matrix_completion<double>(const TaskConfig&);
template TaskData<float> make_sparse_regression<float>(const TaskConfig&);
template TaskData<double> make_sparse_regression<double>(const TaskConfig&);
template TaskData<float> make_toy_regression<float>(const TaskConfig&);
template TaskData<double> make_toy_regression<double>(const TaskConfig&);

}  // namespace grokscope
