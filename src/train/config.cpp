// Validation of the typed run configuration (train/config.h; the enum names are in core/run_config_names.cpp, the
// task rules in data/task_rules.cpp).
// Every check throws ConfigError(key, value, reason) with the dotted config key as written in a TOML file
// (docs/config.md lists the rules); the message is one line.
#include "grokscope/train/config.h"
#include "grokscope/train/probes.h"
#include "grokscope/train/memory_estimate.h"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include "grokscope/core/config_check.h"
#include "grokscope/core/error.h"
#include "grokscope/data/task_rules.h"

namespace grokscope {

namespace {

using namespace config_check;

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
  if (m.layers < 1) fail("model.layers", num(int64_t{m.layers}), "must be >= 1");
  if (m.d_model < 1) fail("model.d_model", num(int64_t{m.d_model}), "must be >= 1");
  if (m.heads < 1) fail("model.heads", num(int64_t{m.heads}), "must be >= 1");
  if (m.d_mlp < 1) fail("model.d_mlp", num(int64_t{m.d_mlp}), "must be >= 1");
  if (m.kind == ModelKind::transformer && m.d_model % m.heads != 0)
    fail("model.heads", num(int64_t{m.heads}),
         fmt::format("must divide model.d_model ({}): d_head = d_model / heads", m.d_model));
  if (m.kind == ModelKind::transformer) {
    // The MLP's keys mean nothing to the transformer (its init is Nanda's, its activation ReLU): refuse them.
    const ModelConfig d;
    const std::string why = "is an MLP key; the transformer does not use it (leave it out)";
    if (m.hidden != d.hidden) fail("model.hidden", list(m.hidden), why);
    if (m.activation != d.activation) fail("model.activation", quoted(to_string(m.activation)), why);
    if (m.bias != d.bias) fail("model.bias", quoted(to_string(m.bias)), why + " (see model.mlp_bias, attn_bias)");
    if (m.init != d.init) fail("model.init", quoted(to_string(m.init)), why + " (the init is Nanda's)");
  }
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
    case ModelKind::transformer: return {"token sequences", {modular}};
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
  const bool transformer = c.model.kind == ModelKind::transformer;
  const bool sequence = c.task.encoding == Encoding::tokens;
  if (transformer && !sequence)
    fail("task.encoding", quoted(to_string(c.task.encoding)),
         "must be \"tokens\" with model.kind = \"transformer\" (its input is the sequence [a, b, =])");
  if (sequence && !transformer)
    fail("task.encoding", quoted(to_string(c.task.encoding)),
         fmt::format("is the transformer's input: needs model.kind = \"transformer\", not {}",
                     quoted(to_string(c.model.kind))));
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

// optim.fixed_norm (Omnigrok) and the Grokfast filters (optim.grad_filter): the filters' own keys may only be moved
// from their defaults with that filter on, so that a key set for the other filter is not silently ignored.
void validate_norm_and_filter(const OptimConfig& o) {
  if (!(o.fixed_norm >= 0 && std::isfinite(o.fixed_norm)))
    fail("optim.fixed_norm", num(o.fixed_norm),
         "must be a finite number >= 0 (c > 0: ||theta|| held at c * ||theta_init||; 0 = off)");
  const bool flow = o.kind == OptimKind::gradient_flow;
  if (flow && o.fixed_norm != 0)
    fail("optim.fixed_norm", num(o.fixed_norm), "must be 0 with optim.kind = \"gradient_flow\" (it rescales after steps)");
  if (flow && o.grad_filter != GradFilterKind::none)
    fail("optim.grad_filter", quoted(to_string(o.grad_filter)),
         "must be \"none\" with optim.kind = \"gradient_flow\" (it filters the gradients of optimizer steps)");
  if (!(o.ema_alpha >= 0 && o.ema_alpha < 1)) fail("optim.ema_alpha", num(o.ema_alpha), "must be in [0, 1)");
  if (!std::isfinite(o.ema_lamb)) fail("optim.ema_lamb", num(o.ema_lamb), "must be a finite number");
  if (o.ma_window < 1) fail("optim.ma_window", num(o.ma_window), "must be >= 1");
  if (!std::isfinite(o.ma_lamb)) fail("optim.ma_lamb", num(o.ma_lamb), "must be a finite number");
  const OptimConfig d;
  const std::string now = quoted(to_string(o.grad_filter));
  const auto needs = [&](const std::string& key, const std::string& value, const char* filter) {
    fail(key, value, fmt::format("sets the {} filter: needs optim.grad_filter = \"{}\", not {}",
                                 filter == std::string("ema") ? "EMA" : "MA", filter, now));
  };
  if (o.grad_filter != GradFilterKind::ema) {
    if (o.ema_alpha != d.ema_alpha) needs("optim.ema_alpha", num(o.ema_alpha), "ema");
    if (o.ema_lamb != d.ema_lamb) needs("optim.ema_lamb", num(o.ema_lamb), "ema");
  }
  if (o.grad_filter != GradFilterKind::ma) {
    if (o.ma_window != d.ma_window) needs("optim.ma_window", num(o.ma_window), "ma");
    if (o.ma_lamb != d.ma_lamb) needs("optim.ma_lamb", num(o.ma_lamb), "ma");
    if (o.ma_filter != d.ma_filter) needs("optim.ma_filter", quoted(to_string(o.ma_filter)), "ma");
    if (o.ma_warmup != d.ma_warmup) needs("optim.ma_warmup", o.ma_warmup ? "true" : "false", "ma");
  }
}

void validate_train(const RunConfig& c) {
  const TrainConfig& t = c.train;
  require_nonnegative("train.steps", t.steps);
  require_nonnegative("train.batch_size", t.batch_size);
  require_nonnegative("train.threads", int64_t{t.threads});
  require_nonnegative("train.early_stop_margin", t.early_stop_margin);
  require_nonnegative("train.label_noise_std", t.label_noise_std);
  if (!t.max_memory.empty()) parse_memory_size("train.max_memory", t.max_memory);
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
  validate_norm_and_filter(config.optim);
  validate_train(config);
  validate_eval(config.eval);
}

}  // namespace grokscope
