// Synthetic data of the theory papers, each a function TaskConfig -> TaskData<T>, deterministic in
// task.split_seed. Every row r of a set is drawn from its own generator Rng(row_seed(seed, stream, r)), so a row
// never depends on which other rows were drawn or in what chunks (the generated test sets rely on this).
// Gaussian rows use fast_normal (ziggurat, data/fast_normal.h); ground truths (W*, w*, G) use Rng::normal.
//   teacher_classes    (Tan §1.3, TC-3..TC-5)  x ~ N(0, I_d), y = argmax_c (W* x)_c, W* (K x d) ~ N(0, 1);
//                      rows with top-two teacher-logit gap < margin are redrawn. Stored dense; classes.
//   sparse_linear      (Lyu §2.4, LY-4)  x ~ Unif{+-1}^d, w* in {+-1}^k on the first k coordinates,
//                      y = +1 if <w*, x> > 0 else -1 (ties, possible for even k only, go to -1 as in Lyu's code
//                      `(x[:, :s] @ w > 0) * 2 - 1`). Train stored, test generated; binary.
//   gaussian_margin    (Lyu §2.4 misgrokking, LY-5)  w* a uniformly random unit direction (as Lyu's code), z ~ N(0, I_d),
//                      y = +1 if <z, w*> > 0 else -1, x = z + (gamma / 2) y w*. Train stored, test generated; binary.
//   matrix_completion  (Lyu §2.5, LY-6)  see make_matrix_completion.
//   toy_regression     (Musat §3.1, MU-1/MU-2)  see make_toy_regression.
//   sparse_regression  (Lyu App. B.2, LY-8)  x ~ N(0, I_d), y = <w*, x> (no noise), w* in {+-1}^k on the first k
//                      coordinates (random signs). Train stored, test generated; regression.
// Not here: the modular tables (data/modular_dataset.h); the dispatch on TaskConfig::kind (make_task_data).
#pragma once

#include <cstdint>

#include "grokscope/data/dataset.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

// Defaults used when the corresponding TaskConfig field is 0.
namespace synthetic_defaults {
inline constexpr int64_t teacher_d = 20, teacher_n_train = 256, teacher_n_test = 1000;
inline constexpr int teacher_classes = 4;
inline constexpr int64_t sparse_d = 100000, sparse_n_train = 256, sparse_n_test = 10000;
inline constexpr int64_t gaussian_d = 100000, gaussian_n_train = 32, gaussian_n_test = 10000;
inline constexpr double gaussian_gamma = 25.0;   // margin == 0 means gamma = 25 (Lyu's code default)
inline constexpr int64_t completion_d = 97;
inline constexpr int64_t toy_n_test = 100;
inline constexpr int64_t regression_d = 100, regression_n_train = 40, regression_n_test = 1000;
}  // namespace synthetic_defaults

// Seed of row `row` of stream `stream` (splitmix64 mixing of the three values; streams: see synthetic.cpp).
uint64_t row_seed(uint64_t seed, uint64_t stream, int64_t row);

// TargetKind::classes, output_dim K; train and test stored (the margin applies to both). The margin is in teacher-logit
// units (each logit has sd ||W*_c|| ~ sqrt(d)). references/arrays: "teacher" (K x d).
// Throws ConfigError("task.margin") when some row finds no sample with that gap in 10^4 draws.
template <class T>
TaskData<T> make_teacher_classes(const TaskConfig& task);

// TargetKind::binary (labels +-1), output_dim 1. references/arrays: "w_star" (d; zero after the first k).
template <class T>
TaskData<T> make_sparse_linear(const TaskConfig& task);

// TargetKind::binary, output_dim 1, gamma = task.margin (25 when 0). references/arrays: "w_star" (d, unit norm).
template <class T>
TaskData<T> make_gaussian_margin(const TaskConfig& task);

// Matrix completion on a d x d grid (d = task.d, default 97), cells c = i * d + j with 0-based i, j.
//   multiplication: X*_ij = i j / d^2 (rank 1; Lyu's code v = arange(d) / d, M = v v^T)
//   random_psd:     X* = G G^T / r, G (d x r) ~ N(0, 1) entrywise (r = task.rank), so E[X*_ii] = 1
// Train: n_train = task.n_train, or floor(train_fraction * d^2), cells uniformly without replacement (make_split,
// sorted); test: every other cell (a cell whose transpose was observed is still a test cell, as in Lyu's code).
// Inputs: tokens (i, j), both in [0, d) (tokens_per_row 2, dim d); targets X*_ij; regression, output_dim 1.
// arrays: "train_cells", "test_cells" (int64 c = i * d + j), "X_star" (d x d); references: "X_star".
template <class T>
TaskData<T> make_matrix_completion(const TaskConfig& task);

// Musat's toy regressions; the rule is addition, y = sum_i x_i.
//   one_plus_one:          train x = (1, 1), y = 2        one_plus_one_plus_one: x = (1, 1, 1), y = 3
//   test: n_test (default 100) rows x ~ N(0, I), y = sum_i x_i. Dense; regression, output_dim 1.
// arrays: "x_train", "y_train", "x_test", "y_test". task.d must be 0 or the toy's dimension.
template <class T>
TaskData<T> make_toy_regression(const TaskConfig& task);

// Sparse linear regression (Lyu App. B.2): x ~ N(0, I_d) (fast_normal), y = <w*, x>, w* in {+-1}^k on the first k
// coordinates (k = task.sparsity; signs from the truth stream), so ||w*||^2 = k and the population loss of a linear
// predictor w is exactly ||w - w*||^2. Defaults d = 100, n_train = 40, n_test = 1000. TargetKind::regression,
// output_dim 1; train stored, test generated. references/arrays: "w_star" (d).
template <class T>
TaskData<T> make_sparse_regression(const TaskConfig& task);

}  // namespace grokscope
