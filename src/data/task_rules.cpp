// Validation of a task configuration (data/task_rules.h); docs/config.md lists the rules.
#include "grokscope/data/task_rules.h"

#include <cstdint>
#include <string>

#include "grokscope/core/config_check.h"
#include "grokscope/data/modular.h"
#include "grokscope/data/permutations.h"
#include "grokscope/data/synthetic.h"

namespace grokscope {

namespace {

using namespace config_check;

// Number of rows of the task's table (data/modular.h): p*p ordered (p*(p-1) for div, b = 0 left out),
// p*(p+1)/2 unordered.
int64_t table_rows(ModOp op, int64_t p, PairSet pairs) {
  if (pairs == PairSet::unordered) return p * (p + 1) / 2;
  if (op == ModOp::div) return p * (p - 1);
  return p * p;
}

void validate_modular(const TaskConfig& t) {
  const auto op = parse_mod_op(t.op);
  if (!op) fail("task.op", quoted(t.op), "unknown op (known: " + join(mod_op_names()) + ")");
  if (t.p < 2) fail("task.p", num(int64_t{t.p}), "must be >= 2");
  if (is_permutation_op(*op) && t.p != s5::kOrder)
    fail("task.p", num(int64_t{t.p}),
         fmt::format("must be {} with op \"{}\": its elements are the {} permutations of S_5 (one token each)",
                     s5::kOrder, t.op, s5::kOrder));
  if (needs_prime(*op) && !is_prime(t.p))
    fail("task.p", num(int64_t{t.p}),
         "not prime, but op \"" + t.op + "\" needs a prime p (every b != 0 must be invertible mod p)");
  if (t.pairs == PairSet::unordered && !is_symmetric(*op)) {
    std::vector<std::string> symmetric;
    for (const auto& name : mod_op_names())
      if (is_symmetric(*parse_mod_op(name))) symmetric.push_back(name);
    fail("task.pairs", quoted(to_string(t.pairs)),
         "op \"" + t.op + "\" is not symmetric (op(a, b) != op(b, a)); use pairs = \"ordered\" or a symmetric op (" +
             join(symmetric) + ")");
  }
  const int64_t rows = table_rows(*op, t.p, t.pairs);
  if (t.n_train < 0 || t.n_train >= rows)
    fail("task.n_train", num(t.n_train),
         fmt::format("must be in [0, {}) (0 = use task.train_fraction; the {} table of op \"{}\" with p = {} has {} rows, "
                     "and at least one must be left for the test set)",
                     rows, to_string(t.pairs), t.op, t.p, rows));
  if (t.n_train == 0 && !(t.train_fraction > 0 && t.train_fraction < 1))
    fail("task.train_fraction", num(t.train_fraction), "must be in (0, 1) (used because task.n_train = 0)");
}

// The synthetic tasks (data/synthetic.h): a count or size left at 0 means the task's default, synthetic_defaults.

struct TaskDefaults {
  int64_t d = 0, n_train = 0, n_test = 0;
};

TaskDefaults defaults_of(TaskKind kind) {
  namespace def = synthetic_defaults;
  switch (kind) {
    case TaskKind::teacher_classes: return {def::teacher_d, def::teacher_n_train, def::teacher_n_test};
    case TaskKind::sparse_linear: return {def::sparse_d, def::sparse_n_train, def::sparse_n_test};
    case TaskKind::gaussian_margin: return {def::gaussian_d, def::gaussian_n_train, def::gaussian_n_test};
    case TaskKind::matrix_completion: return {def::completion_d, 0, 0};
    case TaskKind::toy_regression: return {0, 1, def::toy_n_test};
    case TaskKind::sparse_regression: return {def::regression_d, def::regression_n_train, def::regression_n_test};
    case TaskKind::modular: break;
  }
  return {};
}

// "(task.d = 50)" or "(task.d = 0: the default 100000)", after a range that uses d.
std::string d_note(const TaskConfig& t) {
  return t.d ? fmt::format("(task.d = {})", t.d) : fmt::format("(task.d = 0: the default {})", defaults_of(t.kind).d);
}

// d in [lo, hi], or 0 for the default; returns the d in use.
int64_t check_d(const TaskConfig& t, int64_t lo, int64_t hi) {
  if (t.d != 0 && (t.d < lo || t.d > hi))
    fail("task.d", num(t.d),
         fmt::format("must be in [{}, {}], or 0 for the default of task.kind = \"{}\" ({})", lo, hi, to_string(t.kind),
                     defaults_of(t.kind).d));
  return t.d ? t.d : defaults_of(t.kind).d;
}

void check_n_test(const TaskConfig& t) {
  if (t.n_test < 0)
    fail("task.n_test", num(t.n_test),
         fmt::format("must be >= 1, or 0 for the default ({})", defaults_of(t.kind).n_test));
}

// teacher_classes, sparse_linear, gaussian_margin, sparse_regression: rows drawn by a generator.
void validate_generated(const TaskConfig& t) {
  const int64_t d = check_d(t, 1, std::numeric_limits<int>::max());
  if (t.n_train < 0)
    fail("task.n_train", num(t.n_train),
         fmt::format("must be >= 1, or 0 for the default ({})", defaults_of(t.kind).n_train));
  check_n_test(t);
  if (t.kind == TaskKind::teacher_classes) {
    if (t.n_classes < 0 || t.n_classes == 1)
      fail("task.n_classes", num(int64_t{t.n_classes}),
           fmt::format("must be >= 2, or 0 for the default ({})", synthetic_defaults::teacher_classes));
    require_nonnegative("task.margin", t.margin);
  } else if (t.kind == TaskKind::sparse_linear || t.kind == TaskKind::sparse_regression) {
    if (t.sparsity < 1 || t.sparsity > d)
      fail("task.sparsity", num(int64_t{t.sparsity}), fmt::format("must be in [1, d] = [1, {}] {}", d, d_note(t)));
  } else if (!(t.margin >= 0) || !std::isfinite(t.margin)) {
    fail("task.margin", num(t.margin),
         fmt::format("must be a finite number >= 0 (0 = the default gamma, {})",
                     num(synthetic_defaults::gaussian_gamma)));
  }
}

// The largest matrix_completion d: d^2 < 2^31 (X*, the split and the test set are all O(d^2)).
constexpr int64_t kMaxCompletionD = 46340;

void validate_matrix_completion(const TaskConfig& t) {
  const int64_t d = check_d(t, 2, kMaxCompletionD);
  if (t.rank < 1 || t.rank > d)
    fail("task.rank", num(int64_t{t.rank}), fmt::format("must be in [1, d] = [1, {}] {}", d, d_note(t)));
  const int64_t entries = d * d;
  if (t.n_train < 0 || t.n_train >= entries)
    fail("task.n_train", num(t.n_train),
         fmt::format("must be in [0, {}) (0 = use task.train_fraction; the {} x {} matrix has {} entries, and at least "
                     "one must be left for the test set)",
                     entries, d, d, entries));
  if (t.n_train > 0) return;
  if (!(t.train_fraction > 0 && t.train_fraction < 1))
    fail("task.train_fraction", num(t.train_fraction), "must be in (0, 1) (used because task.n_train = 0)");
  const int64_t observed = resolve_n_train(t, entries);
  if (observed < 1 || observed >= entries)
    fail("task.train_fraction", num(t.train_fraction),
         fmt::format("gives {} observed entries of the {} x {} matrix; need 1 to {} (used because task.n_train = 0)",
                     observed, d, d, entries - 1));
}

// toy_regression: the problem fixes d and the single training row; only the generated test set can be sized.
void validate_toy(const TaskConfig& t) {
  const int64_t dim = t.toy == ToyProblem::one_plus_one ? 2 : 3;
  if (t.d != 0 && t.d != dim)
    fail("task.d", num(t.d),
         fmt::format("task.toy = \"{}\" has d = {}: leave task.d at 0 or set it to {}", to_string(t.toy), dim, dim));
  if (t.n_train != 0 && t.n_train != 1)
    fail("task.n_train", num(t.n_train),
         "the toy problems have one training row: leave task.n_train at 0 or set it to 1");
  check_n_test(t);
}

}  // namespace

void validate_task(const TaskConfig& t) {
  switch (t.kind) {
    case TaskKind::modular: return validate_modular(t);
    case TaskKind::teacher_classes:
    case TaskKind::sparse_linear:
    case TaskKind::gaussian_margin:
    case TaskKind::sparse_regression: return validate_generated(t);
    case TaskKind::matrix_completion: return validate_matrix_completion(t);
    case TaskKind::toy_regression: return validate_toy(t);
  }
}

}  // namespace grokscope
