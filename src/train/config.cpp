// Enum names and validation of the typed run configuration (train/config.h).
// Every check throws ConfigError(key, value, reason) with the dotted config key as written in a TOML file
// (docs/config.md lists the rules); the message is one line.
#include "grokscope/train/config.h"

#include <cmath>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include "grokscope/core/error.h"
#include "grokscope/data/modular.h"

namespace grokscope {

const char* to_string(Dtype v) {
  switch (v) {
    case Dtype::f32: return "f32";
    case Dtype::f64: return "f64";
  }
  return "?";
}

const char* to_string(PairSet v) {
  switch (v) {
    case PairSet::ordered: return "ordered";
    case PairSet::unordered: return "unordered";
  }
  return "?";
}

const char* to_string(Encoding v) {
  switch (v) {
    case Encoding::concat: return "concat";
    case Encoding::sum: return "sum";
  }
  return "?";
}

const char* to_string(Activation v) {
  switch (v) {
    case Activation::relu: return "relu";
    case Activation::leaky_relu: return "leaky_relu";
    case Activation::quadratic: return "quadratic";
    case Activation::identity: return "identity";
    case Activation::tanh: return "tanh";
  }
  return "?";
}

const char* to_string(BiasMode v) {
  switch (v) {
    case BiasMode::none: return "none";
    case BiasMode::first: return "first";
    case BiasMode::all: return "all";
  }
  return "?";
}

const char* to_string(InitKind v) {
  switch (v) {
    case InitKind::he: return "he";
    case InitKind::lecun: return "lecun";
    case InitKind::normal: return "normal";
    case InitKind::torch_default: return "torch_default";
  }
  return "?";
}

const char* to_string(LossKind v) {
  switch (v) {
    case LossKind::cross_entropy: return "cross_entropy";
    case LossKind::mse: return "mse";
  }
  return "?";
}

const char* to_string(MseReduction v) {
  switch (v) {
    case MseReduction::mean: return "mean";
    case MseReduction::sum_classes: return "sum_classes";
  }
  return "?";
}

const char* to_string(OptimKind v) {
  switch (v) {
    case OptimKind::sgd: return "sgd";
    case OptimKind::adam: return "adam";
    case OptimKind::adamw: return "adamw";
  }
  return "?";
}

const char* to_string(EvalScheduleKind v) {
  switch (v) {
    case EvalScheduleKind::log: return "log";
    case EvalScheduleKind::linear: return "linear";
  }
  return "?";
}

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

void validate_task(const TaskConfig& t) {
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

void validate_model(const ModelConfig& m) {
  for (size_t i = 0; i < m.hidden.size(); ++i)
    if (m.hidden[i] <= 0)
      fail("model.hidden", list(m.hidden), fmt::format("width {} at index {} must be >= 1", m.hidden[i], i));
  require_nonnegative("model.leaky_slope", m.leaky_slope);
  require_positive("model.init_std", m.init_std);
  require_positive("model.init_scale", m.init_scale);
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

void validate_train(const TrainConfig& t) {
  require_nonnegative("train.steps", t.steps);
  require_nonnegative("train.batch_size", t.batch_size);
  require_nonnegative("train.threads", int64_t{t.threads});
  require_nonnegative("train.early_stop_margin", t.early_stop_margin);
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
}

}  // namespace

void validate(const RunConfig& config) {
  validate_task(config.task);
  validate_model(config.model);
  validate_optim(config.optim);
  validate_train(config.train);
  validate_eval(config.eval);
}

}  // namespace grokscope
