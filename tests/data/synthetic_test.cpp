// Synthetic data of the theory papers: determinism in the seed, the labelling rules (teacher argmax and margin,
// sparse sign rule, Gaussian margin), generated test rows independent of chunking, the matrix-completion split and
// ground truth, and the exact toy-regression values.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/data/synthetic.h"

namespace grokscope {
namespace {

// Rows [first, first + count) of a generated set, by chunks of `chunk` rows.
template <class T>
std::pair<std::vector<T>, std::vector<int32_t>> generate(const Dataset<T>& ds, int64_t first, int64_t count,
                                                         int64_t chunk) {
  std::vector<T> x(static_cast<size_t>(count * ds.dim));
  std::vector<int32_t> y(static_cast<size_t>(count));
  for (int64_t at = 0; at < count; at += chunk) {
    const int64_t c = std::min(chunk, count - at);
    ds.generate(first + at, c, x.data() + at * ds.dim, y.data() + at, nullptr);
  }
  return {x, y};
}

TaskConfig sparse_config(uint64_t seed, int k = 3) {
  TaskConfig t;
  t.kind = TaskKind::sparse_linear;
  t.d = 300;
  t.sparsity = k;
  t.n_train = 64;
  t.n_test = 150;
  t.split_seed = seed;
  return t;
}

TaskConfig gaussian_config(uint64_t seed) {
  TaskConfig t;
  t.kind = TaskKind::gaussian_margin;
  t.d = 200;
  t.n_train = 16;
  t.n_test = 120;
  t.split_seed = seed;
  return t;
}

TEST(SparseLinear, LabelsAreSignOfTeacherOnFirstKCoordinates) {
  for (int k : {3, 4}) {
    const auto data = make_sparse_linear<double>(sparse_config(5, k));
    ASSERT_EQ(data.target, TargetKind::binary);
    ASSERT_EQ(data.output_dim, 1);
    ASSERT_EQ(data.references.at(0).first, "w_star");
    const std::vector<double>& w = data.references.at(0).second;
    for (int c = 0; c < 300; ++c) EXPECT_EQ(std::abs(w[static_cast<size_t>(c)]), c < k ? 1.0 : 0.0);
    auto check = [&](const double* x, int32_t y) {
      double s = 0.0;
      for (int c = 0; c < 300; ++c) {
        ASSERT_TRUE(x[c] == 1.0 || x[c] == -1.0);
        if (c < k) s += w[static_cast<size_t>(c)] * x[c];
      }
      EXPECT_EQ(y, s > 0 ? 1 : -1) << "k = " << k;  // ties (even k) go to -1, as Lyu's code
    };
    for (int64_t r = 0; r < data.train.n; ++r)
      check(data.train.dense.data() + r * 300, data.train.labels[static_cast<size_t>(r)]);
    ASSERT_TRUE(data.test.generated());
    EXPECT_TRUE(data.test.dense.empty());
    const auto [x, y] = generate(data.test, 0, data.test.n, data.test.n);
    for (int64_t r = 0; r < data.test.n; ++r) check(x.data() + r * 300, y[static_cast<size_t>(r)]);
  }
}

TEST(SparseLinear, CoordinatesAreBalancedSigns) {
  auto t = sparse_config(1);
  t.d = 1000;
  const auto data = make_sparse_linear<float>(t);
  double mean = 0.0;
  for (float v : data.train.dense) mean += v;
  mean /= static_cast<double>(data.train.dense.size());
  EXPECT_LT(std::abs(mean), 0.02);  // 64000 signs: sd of the mean is 0.004
}

TEST(SyntheticDeterminism, SameSeedSameDataOtherSeedOtherData) {
  const auto a = make_sparse_linear<float>(sparse_config(7));
  const auto b = make_sparse_linear<float>(sparse_config(7));
  const auto c = make_sparse_linear<float>(sparse_config(8));
  EXPECT_EQ(a.train.dense, b.train.dense);
  EXPECT_EQ(a.train.labels, b.train.labels);
  EXPECT_EQ(generate(a.test, 0, 30, 30), generate(b.test, 0, 30, 30));
  EXPECT_NE(a.train.dense, c.train.dense);
  EXPECT_NE(generate(a.test, 0, 30, 30).first, generate(c.test, 0, 30, 30).first);

  const auto g1 = make_gaussian_margin<double>(gaussian_config(3));
  const auto g2 = make_gaussian_margin<double>(gaussian_config(3));
  const auto g3 = make_gaussian_margin<double>(gaussian_config(4));
  EXPECT_EQ(g1.train.dense, g2.train.dense);
  EXPECT_EQ(g1.references, g2.references);
  EXPECT_NE(g1.train.dense, g3.train.dense);
  EXPECT_NE(g1.references, g3.references);

  TaskConfig t;
  t.kind = TaskKind::teacher_classes;
  t.split_seed = 11;
  const auto t1 = make_teacher_classes<double>(t);
  const auto t2 = make_teacher_classes<double>(t);
  t.split_seed = 12;
  const auto t3 = make_teacher_classes<double>(t);
  EXPECT_EQ(t1.train.dense, t2.train.dense);
  EXPECT_EQ(t1.test.labels, t2.test.labels);
  EXPECT_NE(t1.train.dense, t3.train.dense);

  TaskConfig m;
  m.kind = TaskKind::matrix_completion;
  m.d = 20;
  m.split_seed = 2;
  const auto m1 = make_matrix_completion<float>(m);
  const auto m2 = make_matrix_completion<float>(m);
  m.split_seed = 3;
  const auto m3 = make_matrix_completion<float>(m);
  EXPECT_EQ(m1.train.tokens, m2.train.tokens);
  EXPECT_NE(m1.train.tokens, m3.train.tokens);
}

TEST(SyntheticGenerate, RowsDoNotDependOnChunkingAndDifferFromTrain) {
  for (const TaskConfig& t : {sparse_config(9), gaussian_config(9)}) {
    const auto data = t.kind == TaskKind::sparse_linear ? make_sparse_linear<float>(t) : make_gaussian_margin<float>(t);
    const auto whole = generate(data.test, 0, 100, 100);
    const auto chunked = generate(data.test, 0, 100, 7);
    EXPECT_EQ(whole.first, chunked.first);
    EXPECT_EQ(whole.second, chunked.second);
    // An offset range is the same rows.
    const auto tail = generate(data.test, 40, 60, 13);
    EXPECT_TRUE(std::equal(tail.first.begin(), tail.first.end(), whole.first.begin() + 40 * data.test.dim));
    // Labels alone (no row buffer) and targets as reals.
    std::vector<int32_t> labels(100);
    std::vector<float> targets(100);
    data.test.generate(0, 100, nullptr, labels.data(), targets.data());
    EXPECT_EQ(labels, whole.second);
    for (size_t r = 0; r < 100; ++r) EXPECT_EQ(targets[r], static_cast<float>(labels[r]));
    // Test row 0 is not train row 0 (independent streams).
    EXPECT_FALSE(std::equal(data.train.dense.begin(), data.train.dense.begin() + data.test.dim, whole.first.begin()));
  }
}

TEST(GaussianMargin, SamplesAreGammaSeparatedAlongUnitTeacher) {
  auto t = gaussian_config(2);
  for (double margin : {0.0, 6.0}) {
    t.margin = margin;
    const double gamma = margin > 0 ? margin : 25.0;  // margin 0 means Lyu's default 25
    const auto data = make_gaussian_margin<double>(t);
    const std::vector<double>& w = data.references.at(0).second;
    double n2 = 0.0;
    for (double v : w) n2 += v * v;
    EXPECT_NEAR(n2, 1.0, 1e-12);
    const auto [x, y] = generate(data.test, 0, data.test.n, 32);
    int positives = 0;
    for (int64_t r = 0; r < data.test.n; ++r) {
      double s = 0.0;
      for (int c = 0; c < t.d; ++c) s += x[static_cast<size_t>(r * t.d + c)] * w[static_cast<size_t>(c)];
      const int32_t label = y[static_cast<size_t>(r)];
      // <x, w*> = <z, w*> + (gamma / 2) y with sign(<z, w*>) = y, so y <x, w*> >= gamma / 2.
      EXPECT_GE(label * s, gamma / 2 - 1e-9);
      EXPECT_EQ(label * (s - label * gamma / 2) >= 0, true);
      positives += label > 0;
    }
    EXPECT_GT(positives, 30);
    EXPECT_LT(positives, 90);
  }
}

TEST(TeacherClasses, LabelsAreTeacherArgmaxWithMargin) {
  TaskConfig t;
  t.kind = TaskKind::teacher_classes;
  t.margin = 1.5;
  t.split_seed = 4;
  const auto data = make_teacher_classes<double>(t);
  EXPECT_EQ(data.input_dim, 20);
  EXPECT_EQ(data.output_dim, 4);
  EXPECT_EQ(data.train.n, 256);
  EXPECT_EQ(data.test.n, 1000);
  EXPECT_EQ(data.target, TargetKind::classes);
  const std::vector<double>& W = data.references.at(0).second;  // (4 x 20)
  ASSERT_EQ(W.size(), 80u);
  std::set<int32_t> seen;
  for (const Dataset<double>* ds : {&data.train, &data.test}) {
    for (int64_t r = 0; r < ds->n; ++r) {
      std::vector<double> logits(4, 0.0);
      for (int k = 0; k < 4; ++k)
        for (int c = 0; c < 20; ++c) logits[static_cast<size_t>(k)] += W[static_cast<size_t>(k * 20 + c)] * ds->dense[static_cast<size_t>(r * 20 + c)];
      std::vector<double> sorted = logits;
      std::sort(sorted.rbegin(), sorted.rend());
      const auto label = ds->labels[static_cast<size_t>(r)];
      EXPECT_EQ(logits[static_cast<size_t>(label)], sorted[0]);
      EXPECT_GE(sorted[0] - sorted[1], 1.5);
      seen.insert(label);
    }
  }
  EXPECT_EQ(seen.size(), 4u);
  t.margin = 1e6;
  EXPECT_THROW(make_teacher_classes<double>(t), ConfigError);
}

TEST(MatrixCompletion, SplitIsDisjointCompleteAndTargetsAreTheTable) {
  TaskConfig t;
  t.kind = TaskKind::matrix_completion;
  t.train_fraction = 0.05;
  t.split_seed = 1;
  const auto data = make_matrix_completion<double>(t);
  const int d = 97;
  EXPECT_EQ(data.input_dim, d);
  EXPECT_EQ(data.output_dim, 1);
  EXPECT_EQ(data.target, TargetKind::regression);
  EXPECT_EQ(data.train.n, 470);  // floor(0.05 * 9409), LY-6
  EXPECT_EQ(data.test.n, d * d - 470);
  std::set<int64_t> cells;
  for (const Dataset<double>* ds : {&data.train, &data.test}) {
    ASSERT_EQ(ds->tokens_per_row, 2);
    ASSERT_EQ(ds->dim, d);
    for (int64_t r = 0; r < ds->n; ++r) {
      const int64_t i = ds->tokens[static_cast<size_t>(2 * r)], j = ds->tokens[static_cast<size_t>(2 * r + 1)];
      EXPECT_TRUE(cells.insert(i * d + j).second);  // disjoint
      EXPECT_DOUBLE_EQ(ds->targets[static_cast<size_t>(r)], static_cast<double>(i * j) / (d * d));
    }
  }
  EXPECT_EQ(cells.size(), static_cast<size_t>(d * d));  // complete
  ASSERT_EQ(data.arrays.size(), 3u);
  EXPECT_EQ(data.arrays[0].name, "train_cells");
  const auto& train_cells = std::get<std::vector<int64_t>>(data.arrays[0].data);
  for (int64_t r = 0; r < data.train.n; ++r)
    EXPECT_EQ(train_cells[static_cast<size_t>(r)],
              data.train.tokens[static_cast<size_t>(2 * r)] * d + data.train.tokens[static_cast<size_t>(2 * r + 1)]);
  EXPECT_EQ(data.arrays[2].name, "X_star");
  EXPECT_EQ(data.arrays[2].shape, (std::vector<int64_t>{d, d}));
  t.n_train = 100;
  EXPECT_EQ(make_matrix_completion<float>(t).train.n, 100);
}

TEST(MatrixCompletion, RandomPsdHasTheRequestedRank) {
  TaskConfig t;
  t.kind = TaskKind::matrix_completion;
  t.ground_truth = GroundTruth::random_psd;
  t.d = 30;
  t.rank = 3;
  const auto data = make_matrix_completion<double>(t);
  const std::vector<double>& x = data.references.at(0).second;
  const Eigen::Map<const Eigen::MatrixXd> X(x.data(), 30, 30);
  EXPECT_LT((X - X.transpose()).norm(), 1e-12);
  const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(X).eigenvalues();  // ascending
  EXPECT_GT(ev(27), 1e-3);
  EXPECT_LT(std::abs(ev(26)), 1e-10);
  EXPECT_GT(ev.minCoeff(), -1e-10);
}

TEST(ToyRegression, OnePlusOneAndThreeNumberAdditionAreExact) {
  TaskConfig t;
  t.kind = TaskKind::toy_regression;
  for (ToyProblem toy : {ToyProblem::one_plus_one, ToyProblem::one_plus_one_plus_one}) {
    t.toy = toy;
    const int dim = toy == ToyProblem::one_plus_one ? 2 : 3;
    const auto data = make_toy_regression<double>(t);
    EXPECT_EQ(data.input_dim, dim);
    EXPECT_EQ(data.target, TargetKind::regression);
    EXPECT_EQ(data.train.n, 1);
    EXPECT_EQ(data.train.dense, std::vector<double>(static_cast<size_t>(dim), 1.0));
    EXPECT_EQ(data.train.targets, std::vector<double>{static_cast<double>(dim)});
    EXPECT_EQ(data.test.n, 100);
    for (int64_t r = 0; r < 100; ++r) {
      double s = 0.0;
      for (int c = 0; c < dim; ++c) s += data.test.dense[static_cast<size_t>(r * dim + c)];
      EXPECT_NEAR(data.test.targets[static_cast<size_t>(r)], s, 1e-12);
    }
  }
  t.d = 5;
  EXPECT_THROW(make_toy_regression<float>(t), ConfigError);
}

}  // namespace
}  // namespace grokscope

namespace grokscope {
namespace {

TEST(SparseRegression, TargetsAreTheTeacherOnGaussianRows) {
  TaskConfig t;
  t.kind = TaskKind::sparse_regression;
  t.sparsity = 4;
  t.split_seed = 7;
  const auto data = make_sparse_regression<double>(t);
  EXPECT_EQ(data.input_dim, 100);
  EXPECT_EQ(data.target, TargetKind::regression);
  EXPECT_EQ(data.train.n, 40);
  EXPECT_EQ(data.test.n, 1000);
  ASSERT_TRUE(data.test.generated());
  ASSERT_EQ(data.references.size(), 1u);
  const std::vector<double>& w = data.references[0].second;
  ASSERT_EQ(w.size(), 100u);
  for (size_t c = 0; c < w.size(); ++c) EXPECT_EQ(std::abs(w[c]), c < 4 ? 1.0 : 0.0) << c;
  for (int64_t r = 0; r < 40; ++r) {
    double y = 0.0;
    for (int c = 0; c < 4; ++c) y += w[static_cast<size_t>(c)] * data.train.dense[static_cast<size_t>(r * 100 + c)];
    EXPECT_NEAR(data.train.targets[static_cast<size_t>(r)], y, 1e-12);
  }
  // Test rows: the same rule, N(0, 1) entries, independent of chunking and different from the training rows.
  std::vector<double> x(300 * 100), y(300), x2(300 * 100), y2(300);
  data.test.generate(0, 300, x.data(), nullptr, y.data());
  for (int64_t at = 0; at < 300; at += 7)
    data.test.generate(at, std::min<int64_t>(7, 300 - at), x2.data() + at * 100, nullptr, y2.data() + at);
  EXPECT_EQ(x, x2);
  EXPECT_EQ(y, y2);
  EXPECT_NE(std::vector<double>(x.begin(), x.begin() + 100),
            std::vector<double>(data.train.dense.begin(), data.train.dense.begin() + 100));
  double sum = 0.0, sq = 0.0;
  for (double v : x) sum += v, sq += v * v;
  EXPECT_NEAR(sum / static_cast<double>(x.size()), 0.0, 0.02);
  EXPECT_NEAR(sq / static_cast<double>(x.size()), 1.0, 0.02);
  for (int64_t r = 0; r < 300; ++r) {
    double s = 0.0;
    for (int c = 0; c < 4; ++c) s += w[static_cast<size_t>(c)] * x[static_cast<size_t>(r * 100 + c)];
    EXPECT_NEAR(y[static_cast<size_t>(r)], s, 1e-12);
  }
  // Deterministic in the seed.
  EXPECT_EQ(make_sparse_regression<double>(t).train.dense, data.train.dense);
  t.split_seed = 8;
  EXPECT_NE(make_sparse_regression<double>(t).train.dense, data.train.dense);
  t.sparsity = 0;
  EXPECT_THROW(make_sparse_regression<float>(t), ConfigError);
}

}  // namespace
}  // namespace grokscope
