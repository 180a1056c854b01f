// Synthetic classification data: teacher_classes, sparse_linear, gaussian_margin (formulas in data/synthetic.h).
// Each row is drawn from its own Rng(row_seed(seed, stream, row)); the generated test sets capture only immutable
// state, so `generate` may be called concurrently from several threads.
#include "grokscope/data/synthetic.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/core/rng.h"
#include "grokscope/data/fast_normal.h"
#include "synthetic_rows.h"

namespace grokscope {

using namespace synthetic_detail;

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// ---- teacher_classes ------------------------------------------------------------------------------------------

struct TeacherRows {
  uint64_t seed = 0;
  int d = 0, K = 0;
  double margin = 0.0;
  std::vector<double> teacher;  // (K x d) row-major

  // Row r of a stream into x (d), returns its label argmax_c (W* x)_c; redraws while the top-two gap < margin.
  template <class T>
  int32_t row(uint64_t stream, int64_t r, T* x, std::vector<double>& z, std::vector<double>& logits) const {
    Rng rng(row_seed(seed, stream, r));
    constexpr int max_draws = 10000;
    for (int draw = 0; draw < max_draws; ++draw) {
      for (int c = 0; c < d; ++c) z[static_cast<size_t>(c)] = fast_normal(rng);
      for (int k = 0; k < K; ++k) {
        double s = 0.0;
        const double* w = teacher.data() + static_cast<size_t>(k) * static_cast<size_t>(d);
        for (int c = 0; c < d; ++c) s += w[c] * z[static_cast<size_t>(c)];
        logits[static_cast<size_t>(k)] = s;
      }
      const auto best = std::max_element(logits.begin(), logits.end());  // first index on ties
      double second = -INFINITY;
      for (auto it = logits.begin(); it != logits.end(); ++it)
        if (it != best) second = std::max(second, *it);
      if (margin > 0 && *best - second < margin) continue;
      for (int c = 0; c < d; ++c) x[c] = static_cast<T>(z[static_cast<size_t>(c)]);
      return static_cast<int32_t>(best - logits.begin());
    }
    throw ConfigError("task.margin", fmt::format("{}", margin),
                      fmt::format("no sample in {} draws has a teacher-logit gap this large (d = {}, K = {})",
                                  max_draws, d, K));
  }
};

template <class T>
Dataset<T> teacher_set(const TeacherRows& gen, uint64_t stream, int64_t n) {
  Dataset<T> ds;
  ds.n = n;
  ds.dim = gen.d;
  ds.dense.resize(static_cast<size_t>(n) * static_cast<size_t>(gen.d));
  ds.labels.resize(static_cast<size_t>(n));
  std::vector<double> z(static_cast<size_t>(gen.d)), logits(static_cast<size_t>(gen.K));
  for (int64_t r = 0; r < n; ++r)
    ds.labels[static_cast<size_t>(r)] = gen.row(stream, r, ds.dense.data() + r * gen.d, z, logits);
  return ds;
}

// ---- binary tasks (sparse_linear, gaussian_margin) -------------------------------------------------------------

// SparseRows / GaussianRows::row writes row r of a stream into x (d) and returns its label +-1.
struct SparseRows {
  uint64_t seed = 0;
  int d = 0, k = 0;
  std::vector<double> w_star;  // (d), +-1 on the first k coordinates, 0 elsewhere

  template <class T>
  int32_t row(uint64_t stream, int64_t r, T* x, std::vector<double>& /*z*/) const {
    Rng rng(row_seed(seed, stream, r));
    // 53 signs per draw: the top 53 bits of one engine output (uniform() * 2^53 is that integer exactly).
    for (int c = 0; c < d; c += 53) {
      const auto bits = static_cast<uint64_t>(rng.uniform() * 0x1.0p53);
      const int end = std::min(d, c + 53);
      for (int b = c; b < end; ++b) x[b] = ((bits >> (b - c)) & 1U) ? T(1) : T(-1);
    }
    double s = 0.0;
    for (int c = 0; c < k; ++c) s += w_star[static_cast<size_t>(c)] * static_cast<double>(x[c]);
    return s > 0 ? 1 : -1;  // ties (even k) -> -1, as Lyu's code
  }
};

struct GaussianRows {
  uint64_t seed = 0;
  int d = 0;
  double gamma = 0.0;
  std::vector<double> w_star;  // (d), unit norm

  template <class T>
  int32_t row(uint64_t stream, int64_t r, T* x, std::vector<double>& z) const {
    Rng rng(row_seed(seed, stream, r));
    double s = 0.0;
    for (int c = 0; c < d; ++c) {
      z[static_cast<size_t>(c)] = fast_normal(rng);
      s += z[static_cast<size_t>(c)] * w_star[static_cast<size_t>(c)];
    }
    const int32_t y = s > 0 ? 1 : -1;
    const double shift = 0.5 * gamma * y;  // x = z + (gamma / 2) y w*
    for (int c = 0; c < d; ++c)
      x[c] = static_cast<T>(z[static_cast<size_t>(c)] + shift * w_star[static_cast<size_t>(c)]);
    return y;
  }
};

// A binary task: stored train set, generated test set, w* as reference.
template <class T, class Rows>
TaskData<T> binary_task(std::shared_ptr<const Rows> gen, int64_t n_train, int64_t n_test) {
  const int d = gen->d;
  TaskData<T> data;
  data.input_dim = d;
  data.output_dim = 1;
  data.target = TargetKind::binary;
  std::vector<double> z(static_cast<size_t>(d));
  data.train.n = n_train;
  data.train.dim = d;
  data.train.dense.resize(static_cast<size_t>(n_train) * static_cast<size_t>(d));
  data.train.labels.resize(static_cast<size_t>(n_train));
  for (int64_t r = 0; r < n_train; ++r)
    data.train.labels[static_cast<size_t>(r)] = gen->row(stream_train, r, data.train.dense.data() + r * d, z);
  data.test.n = n_test;
  data.test.dim = d;
  data.test.generate = [gen](int64_t first, int64_t count, T* out, int32_t* labels, T* targets) {
    GS_CHECK(first >= 0 && count >= 0);
    std::vector<double> scratch(static_cast<size_t>(gen->d));
    std::vector<T> sink(out ? 0 : static_cast<size_t>(gen->d));  // rows still drawn when only labels are wanted
    for (int64_t r = 0; r < count; ++r) {
      T* x = out ? out + r * gen->d : sink.data();
      const int32_t y = gen->row(stream_test, first + r, x, scratch);
      if (labels) labels[r] = y;
      if (targets) targets[r] = static_cast<T>(y);  // binary tasks: the label as a real value
    }
  };
  const auto& w = gen->w_star;
  data.references.emplace_back("w_star", w);
  data.arrays.push_back(NpyArray{"w_star", {static_cast<int64_t>(w.size())}, w});
  return data;
}

}  // namespace

uint64_t row_seed(uint64_t seed, uint64_t stream, int64_t row) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ static_cast<uint64_t>(row));
}

template <class T>
TaskData<T> make_teacher_classes(const TaskConfig& task) {
  namespace def = synthetic_defaults;
  TeacherRows gen;
  gen.seed = task.split_seed;
  gen.d = checked_dim("task.d", or_default("task.d", task.d, def::teacher_d));
  gen.K = static_cast<int>(or_default("task.n_classes", task.n_classes, def::teacher_classes));
  if (gen.K < 2) throw ConfigError("task.n_classes", std::to_string(gen.K), "must be >= 2");
  if (!(task.margin >= 0) || !std::isfinite(task.margin))
    throw ConfigError("task.margin", fmt::format("{}", task.margin), "must be a finite number >= 0");
  gen.margin = task.margin;
  const int64_t n_train = or_default("task.n_train", task.n_train, def::teacher_n_train);
  const int64_t n_test = or_default("task.n_test", task.n_test, def::teacher_n_test);
  // W* (K x d) ~ N(0, 1), row-major.
  Rng rng(row_seed(gen.seed, stream_truth, 0));
  gen.teacher.resize(static_cast<size_t>(gen.K) * static_cast<size_t>(gen.d));
  for (auto& v : gen.teacher) v = rng.normal();

  TaskData<T> data;
  data.input_dim = gen.d;
  data.output_dim = gen.K;
  data.target = TargetKind::classes;
  data.train = teacher_set<T>(gen, stream_train, n_train);
  data.test = teacher_set<T>(gen, stream_test, n_test);
  data.references.emplace_back("teacher", gen.teacher);
  data.arrays.push_back(NpyArray{"teacher", {gen.K, gen.d}, gen.teacher});
  return data;
}

template <class T>
TaskData<T> make_sparse_linear(const TaskConfig& task) {
  namespace def = synthetic_defaults;
  auto gen = std::make_shared<SparseRows>();
  gen->seed = task.split_seed;
  gen->d = checked_dim("task.d", or_default("task.d", task.d, def::sparse_d));
  gen->k = task.sparsity;
  if (gen->k < 1 || gen->k > gen->d)
    throw ConfigError("task.sparsity", std::to_string(gen->k), fmt::format("must be in [1, d = {}]", gen->d));
  // w* in {+-1}^k on the first k coordinates, random signs.
  Rng rng(row_seed(gen->seed, stream_truth, 0));
  gen->w_star.assign(static_cast<size_t>(gen->d), 0.0);
  for (int c = 0; c < gen->k; ++c) gen->w_star[static_cast<size_t>(c)] = rng.below(2) ? 1.0 : -1.0;
  return binary_task<T, SparseRows>(gen, or_default("task.n_train", task.n_train, def::sparse_n_train),
                                    or_default("task.n_test", task.n_test, def::sparse_n_test));
}

template <class T>
TaskData<T> make_gaussian_margin(const TaskConfig& task) {
  namespace def = synthetic_defaults;
  auto gen = std::make_shared<GaussianRows>();
  gen->seed = task.split_seed;
  gen->d = checked_dim("task.d", or_default("task.d", task.d, def::gaussian_d));
  if (!(task.margin >= 0) || !std::isfinite(task.margin))
    throw ConfigError("task.margin", fmt::format("{}", task.margin), "must be a finite number >= 0 (0 = 25)");
  gen->gamma = task.margin > 0 ? task.margin : def::gaussian_gamma;
  // w* = g / ||g||, g ~ N(0, I_d): a uniformly random unit direction (Lyu's code), dense rather than e_1, which is
  // what makes the late L1-margin bias hurt (misgrokking).
  Rng rng(row_seed(gen->seed, stream_truth, 0));
  gen->w_star.resize(static_cast<size_t>(gen->d));
  double norm2 = 0.0;
  for (auto& v : gen->w_star) {
    v = rng.normal();
    norm2 += v * v;
  }
  const double inv = 1.0 / std::sqrt(norm2);
  for (auto& v : gen->w_star) v *= inv;
  return binary_task<T, GaussianRows>(gen, or_default("task.n_train", task.n_train, def::gaussian_n_train),
                                      or_default("task.n_test", task.n_test, def::gaussian_n_test));
}

template TaskData<float> make_teacher_classes<float>(const TaskConfig&);
template TaskData<double> make_teacher_classes<double>(const TaskConfig&);
template TaskData<float> make_sparse_linear<float>(const TaskConfig&);
template TaskData<double> make_sparse_linear<double>(const TaskConfig&);
template TaskData<float> make_gaussian_margin<float>(const TaskConfig&);
template TaskData<double> make_gaussian_margin<double>(const TaskConfig&);

}  // namespace grokscope
