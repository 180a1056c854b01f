// Validation of the typed run configuration (train/config.h; the enum names are in config_names.cpp).
// Every check throws ConfigError(key, value, reason) with the dotted config key as written in a TOML file
// (docs/config.md lists the rules); the message is one line.
#include "grokscope/train/config.h"
#include "grokscope/train/probes.h"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include "grokscope/core/error.h"
#include "grokscope/data/modular.h"
#include "grokscope/data/synthetic.h"

namespace grokscope {

namespace {

// Values as they would be written in a config file (floats always with a '.' or exponent: 1.0, 1e-08, inf).
std::string num(double v) {
  std::string s = fmt::format("{}", v);
  if (std::isfinite(v) && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}
std::string num(int64_t v) { return std::to_string(v); }
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <class T>
std::string list(const std::vector<T>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    if constexpr (std::is_floating_point_v<T>)
      out += num(values[i]);
    else
      out += std::to_string(values[i]);
  }
  return out + "]";
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

[[noreturn]] void fail(const std::string& key, const std::string& value, const std::string& reason) {
  throw ConfigError(key, value, reason);
}

// Checks written so that NaN fails every one of them.
void require_positive(const std::string& key, double v) {
  if (!(v > 0) || !std::isfinite(v)) fail(key, num(v), "must be a finite number > 0");
}
void require_nonnegative(const std::string& key, double v) {
  if (!(v >= 0) || !std::isfinite(v)) fail(key, num(v), "must be a finite number >= 0");
}
void require_nonnegative(const std::string& key, int64_t v) {
  if (v < 0) fail(key, num(v), "must be >= 0");
}

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

void validate_model(const ModelConfig& m) {
  for (size_t i = 0; i < m.hidden.size(); ++i)
    if (m.hidden[i] <= 0)
      fail("model.hidden", list(m.hidden), fmt::format("width {} at index {} must be >= 1", m.hidden[i], i));
  require_nonnegative("model.leaky_slope", m.leaky_slope);
  require_positive("model.init_std", m.init_std);
  require_positive("model.init_scale", m.init_scale);
  if (m.embedding_dim < 1) fail("model.embedding_dim", num(int64_t{m.embedding_dim}), "must be >= 1");
  if (m.depth < 1) fail("model.depth", num(int64_t{m.depth}), "must be >= 1");
  require_nonnegative("model.init_noise", m.init_noise);
  for (size_t i = 0; i < m.init_values.size(); ++i)
    if (!std::isfinite(m.init_values[i]))
      fail("model.init_values", list(m.init_values),
           fmt::format("element {} ({}) must be a finite number", i, num(m.init_values[i])));
}

// The tasks a model or loss works with, and what they have in common, for the message when the task is another.
struct TaskNeed {
  const char* what;
  std::vector<TaskKind> tasks;
};

TaskNeed need_of(ModelKind kind) {
  using enum TaskKind;
  switch (kind) {
    case ModelKind::mlp:
      return {"a task with vector inputs",
              {modular, teacher_classes, sparse_linear, gaussian_margin, toy_regression, sparse_regression}};
    case ModelKind::embedding_mlp: return {"token inputs", {modular}};
    case ModelKind::diagonal:
      return {"dense inputs and one output", {sparse_linear, gaussian_margin, toy_regression, sparse_regression}};
    case ModelKind::matrix_factorization: return {"a matrix to complete", {matrix_completion}};
  }
  return {"?", {}};
}

TaskNeed need_of(LossKind kind) {
  using enum TaskKind;
  switch (kind) {
    case LossKind::cross_entropy:
    case LossKind::mse: return {"a task with class labels", {modular, teacher_classes}};
    case LossKind::logistic: return {"a task with labels +-1", {sparse_linear, gaussian_margin}};
    case LossKind::squared: return {"a regression task", {matrix_completion, toy_regression, sparse_regression}};
  }
  return {"?", {}};
}

// key = "value": needs <what> (task.kind = "a", "b" or "c"), not "task"
void require_task(const std::string& key, const char* value, const TaskNeed& need, TaskKind task) {
  for (const TaskKind k : need.tasks)
    if (k == task) return;
  std::string kinds;
  for (size_t i = 0; i < need.tasks.size(); ++i)
    kinds += (i == 0 ? "" : i + 1 == need.tasks.size() ? " or " : ", ") + quoted(to_string(need.tasks[i]));
  fail(key, quoted(value), fmt::format("needs {} (task.kind = {}), not {}", need.what, kinds, quoted(to_string(task))));
}

void validate_compatibility(const RunConfig& c) {
  require_task("model.kind", to_string(c.model.kind), need_of(c.model.kind), c.task.kind);
  require_task("loss.kind", to_string(c.loss.kind), need_of(c.loss.kind), c.task.kind);
}

void validate_optim(const OptimConfig& o) {
  require_positive("optim.lr", o.lr);
  require_nonnegative("optim.weight_decay", o.weight_decay);
  if (!(o.momentum >= 0 && o.momentum < 1)) fail("optim.momentum", num(o.momentum), "must be in [0, 1)");
  if (o.nesterov && !(o.momentum > 0)) fail("optim.nesterov", "true", "needs optim.momentum > 0");
  const std::string betas = list(std::vector<double>{o.beta1, o.beta2});
  if (!(o.beta1 >= 0 && o.beta1 < 1)) fail("optim.betas", betas, "beta1 (first element) must be in [0, 1)");
  if (!(o.beta2 >= 0 && o.beta2 < 1)) fail("optim.betas", betas, "beta2 (second element) must be in [0, 1)");
  require_positive("optim.eps", o.eps);
  require_nonnegative("optim.warmup_steps", o.warmup_steps);
  for (const auto& [name, group] : o.groups) {
    const std::string prefix = "optim.groups." + name;
    if (group.lr) require_positive(prefix + ".lr", *group.lr);
    if (group.weight_decay) require_nonnegative(prefix + ".weight_decay", *group.weight_decay);
  }
}

// optim.schedule = "loss_scaled" (Lyu et al. App. B.1): GD on log L, so plain SGD, no weight decay, cross-entropy.
void validate_schedule(const RunConfig& c) {
  const OptimConfig& o = c.optim;
  if (o.loss_scaled_initial_phase && o.schedule != LrSchedule::loss_scaled)
    fail("optim.loss_scaled_initial_phase", "true",
         fmt::format("needs optim.schedule = \"loss_scaled\", not {}", quoted(to_string(o.schedule))));
  if (o.schedule != LrSchedule::loss_scaled) return;
  const std::string key = "optim.schedule", value = quoted(to_string(o.schedule));
  if (c.loss.kind != LossKind::cross_entropy)
    fail(key, value, fmt::format("needs loss.kind = \"cross_entropy\", not {}", quoted(to_string(c.loss.kind))));
  if (o.kind != OptimKind::sgd)
    fail(key, value, fmt::format("needs optim.kind = \"sgd\" (the step is lr / L times the gradient), not {}",
                                 quoted(to_string(o.kind))));
  if (o.weight_decay != 0)
    fail(key, value, fmt::format("needs optim.weight_decay = 0 (no weight decay), not {}", num(o.weight_decay)));
  for (const auto& [name, group] : o.groups)
    if (group.weight_decay && *group.weight_decay != 0)
      fail(key, value, fmt::format("needs no weight decay, but optim.groups.{}.weight_decay = {}", name,
                                   num(*group.weight_decay)));
}

// optim.kind = "gradient_flow" (theory/gradient_flow.h): the tolerances and step limits are checked whatever the
// kind; with the flow, nothing of the step-by-step optimizers may be set (the full batch is checked by the trainer,
// which knows the number of training rows).
void validate_gradient_flow(const OptimConfig& o) {
  require_positive("optim.flow_rtol", o.flow_rtol);
  require_nonnegative("optim.flow_atol", o.flow_atol);
  require_nonnegative("optim.flow_dt_max", o.flow_dt_max);
  require_nonnegative("optim.flow_dt_floor", o.flow_dt_floor);
  if (o.flow_dt_max > 0 && o.flow_dt_floor > o.flow_dt_max)
    fail("optim.flow_dt_floor", num(o.flow_dt_floor),
         fmt::format("must be <= optim.flow_dt_max ({}; 0 means no limit)", num(o.flow_dt_max)));
  if (o.kind != OptimKind::gradient_flow) return;
  const OptimConfig d;
  const std::string flow = "with optim.kind = \"gradient_flow\"";
  if (o.momentum != d.momentum)
    fail("optim.momentum", num(o.momentum), "must be 0 " + flow + " (the flow has no momentum)");
  if (o.nesterov) fail("optim.nesterov", "true", "must be false " + flow + " (the flow has no momentum)");
  if (o.beta1 != d.beta1 || o.beta2 != d.beta2)
    fail("optim.betas", list(std::vector<double>{o.beta1, o.beta2}),
         fmt::format("are Adam's: leave them at [{}, {}] {}", num(d.beta1), num(d.beta2), flow));
  if (o.eps != d.eps) fail("optim.eps", num(o.eps), fmt::format("is Adam's: leave it at {} {}", num(d.eps), flow));
  if (o.warmup_steps != 0)
    fail("optim.warmup_steps", num(o.warmup_steps), "must be 0 " + flow + " (it has no learning rate to warm up)");
  for (const auto& [name, group] : o.groups)
    if (group.lr)
      fail("optim.groups." + name + ".lr", num(*group.lr),
           "per-group learning rates are not supported " + flow + " (it integrates the plain flow; only "
           "weight_decay may be set per group)");
}

void validate_train(const RunConfig& c) {
  const TrainConfig& t = c.train;
  require_nonnegative("train.steps", t.steps);
  require_nonnegative("train.batch_size", t.batch_size);
  require_nonnegative("train.threads", int64_t{t.threads});
  require_nonnegative("train.early_stop_margin", t.early_stop_margin);
  require_nonnegative("train.label_noise_std", t.label_noise_std);
  if (t.label_noise_std == 0) return;
  // Label noise perturbs real-valued targets; the flow has no steps to draw it at.
  if (c.loss.kind != LossKind::squared)
    fail("train.label_noise_std", num(t.label_noise_std),
         fmt::format("needs loss.kind = \"squared\" (noise on real-valued targets), not {}",
                     quoted(to_string(c.loss.kind))));
  if (c.optim.kind == OptimKind::gradient_flow)
    fail("train.label_noise_std", num(t.label_noise_std),
         "must be 0 with optim.kind = \"gradient_flow\" (the flow is deterministic: it has no steps to draw noise at)");
}

void validate_eval(const EvalConfig& e) {
  if (e.points_per_decade < 1) fail("eval.points_per_decade", num(int64_t{e.points_per_decade}), "must be >= 1");
  if (e.every < 1) fail("eval.every", num(e.every), "must be >= 1");
  if (!(e.acc_threshold > 0 && e.acc_threshold <= 1))
    fail("eval.acc_threshold", num(e.acc_threshold), "must be in (0, 1]");
  if (e.loss_eps.empty()) fail("eval.loss_eps", "[]", "must list at least one threshold");
  for (size_t i = 0; i < e.loss_eps.size(); ++i)
    if (!(e.loss_eps[i] > 0) || !std::isfinite(e.loss_eps[i]))
      fail("eval.loss_eps", list(e.loss_eps),
           fmt::format("element {} ({}) must be a finite number > 0", i, num(e.loss_eps[i])));
  require_positive("eval.fit_loss", e.fit_loss);
  require_positive("eval.gen_loss", e.gen_loss);
  for (const auto& name : e.probes) {
    const auto& known = probe_names();
    if (name != "default" && name != "none" && std::find(known.begin(), known.end(), name) == known.end())
      fail("eval.probes", quoted(name), "unknown probe (known: default, none, " + join(known) + ")");
  }
  if (!(e.rep_eta > 0 && e.rep_eta < 1)) fail("eval.rep_eta", num(e.rep_eta), "must be in (0, 1)");
  if (e.zl_lookback < 1) fail("eval.zl_lookback", num(e.zl_lookback), "must be >= 1");
  require_nonnegative("eval.zl_project_steps", e.zl_project_steps);
  require_positive("eval.zl_project_lr", e.zl_project_lr);
  if (!(e.zl_project_momentum >= 0 && e.zl_project_momentum < 1))
    fail("eval.zl_project_momentum", num(e.zl_project_momentum), "must be in [0, 1)");
  require_nonnegative("eval.zl_project_tol", e.zl_project_tol);
  if (!(e.zl_rank_rtol > 0 && e.zl_rank_rtol < 1)) fail("eval.zl_rank_rtol", num(e.zl_rank_rtol), "must be in (0, 1)");
}

}  // namespace

void validate(const RunConfig& config) {
  validate_task(config.task);
  validate_model(config.model);
  validate_compatibility(config);
  validate_optim(config.optim);
  validate_schedule(config);
  validate_gradient_flow(config.optim);
  validate_train(config);
  validate_eval(config.eval);
}

}  // namespace grokscope
