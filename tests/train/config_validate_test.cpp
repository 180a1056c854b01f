// validate(RunConfig) and the enum names of train/config.h.
#include "grokscope/train/config.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "grokscope/core/error.h"

namespace grokscope {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

RunConfig with(const std::function<void(RunConfig&)>& edit) {
  RunConfig c;
  edit(c);
  return c;
}

// Expects validate to throw a one-line ConfigError with this key whose message contains every one of parts.
void expect_invalid(const RunConfig& c, const std::string& key, const std::vector<std::string>& parts) {
  try {
    validate(c);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.key(), key) << what;
    EXPECT_EQ(what.rfind(key + " = ", 0), 0u) << what;
    for (const auto& part : parts) EXPECT_NE(what.find(part), std::string::npos) << what << "\nmissing: " << part;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    return;
  }
  ADD_FAILURE() << "validate accepted a config with a bad " << key;
}

void expect_valid(const RunConfig& c) { EXPECT_NO_THROW(validate(c)); }

TEST(ConfigValidate, DefaultsAreValid) { expect_valid(RunConfig{}); }

TEST(ConfigValidate, EnumNames) {
  EXPECT_STREQ(to_string(Dtype::f64), "f64");
  EXPECT_STREQ(to_string(PairSet::unordered), "unordered");
  EXPECT_STREQ(to_string(Encoding::sum), "sum");
  EXPECT_STREQ(to_string(Activation::leaky_relu), "leaky_relu");
  EXPECT_STREQ(to_string(Activation::quadratic), "quadratic");
  EXPECT_STREQ(to_string(BiasMode::first), "first");
  EXPECT_STREQ(to_string(InitKind::torch_default), "torch_default");
  EXPECT_STREQ(to_string(LossKind::cross_entropy), "cross_entropy");
  EXPECT_STREQ(to_string(MseReduction::sum_classes), "sum_classes");
  EXPECT_STREQ(to_string(OptimKind::adamw), "adamw");
  EXPECT_STREQ(to_string(EvalScheduleKind::log), "log");
}

TEST(ConfigValidate, Task) {
  expect_invalid(with([](RunConfig& c) { c.task.p = 1; }), "task.p", {"task.p = 1", ">= 2"});
  expect_invalid(with([](RunConfig& c) { c.task.p = -5; }), "task.p", {"task.p = -5"});
  expect_invalid(with([](RunConfig& c) { c.task.op = "div", c.task.p = 91; }), "task.p",
                 {"task.p = 91", "not prime", "div"});
  expect_valid(with([](RunConfig& c) { c.task.op = "div", c.task.p = 97; }));
  expect_valid(with([](RunConfig& c) { c.task.op = "add", c.task.p = 91; }));  // add works in any Z_p
  expect_invalid(with([](RunConfig& c) { c.task.op = "pow"; }), "task.op",
                 {"task.op = \"pow\"", "unknown op", "add, sub, mul, div"});
  expect_invalid(with([](RunConfig& c) { c.task.op = "a\"b"; }), "task.op", {"task.op = \"a\\\"b\": unknown op"});
  expect_invalid(with([](RunConfig& c) { c.task.op = "sub", c.task.pairs = PairSet::unordered; }), "task.pairs",
                 {"task.pairs = \"unordered\"", "sub", "not symmetric"});
  expect_valid(with([](RunConfig& c) { c.task.op = "mul", c.task.pairs = PairSet::unordered; }));
  for (const double f : {0.0, 1.0, -0.1, 1.5, kNaN})
    expect_invalid(with([f](RunConfig& c) { c.task.train_fraction = f; }), "task.train_fraction",
                   {"task.train_fraction = ", "(0, 1)"});
  expect_invalid(with([](RunConfig& c) { c.task.train_fraction = 1.5; }), "task.train_fraction",
                 {"task.train_fraction = 1.5"});
  // train_fraction is not used (nor checked) when n_train is given.
  expect_valid(with([](RunConfig& c) { c.task.train_fraction = 0, c.task.n_train = 100; }));
}

TEST(ConfigValidate, NTrainAgainstTableSize) {
  expect_invalid(with([](RunConfig& c) { c.task.n_train = -1; }), "task.n_train", {"task.n_train = -1"});
  expect_invalid(with([](RunConfig& c) { c.task.n_train = 97 * 97; }), "task.n_train", {"task.n_train = 9409", "9409"});
  expect_valid(with([](RunConfig& c) { c.task.n_train = 97 * 97 - 1; }));
  // div leaves out b = 0: p * (p - 1) rows.
  expect_invalid(with([](RunConfig& c) { c.task.op = "div", c.task.n_train = 97 * 96; }), "task.n_train",
                 {"task.n_train = 9312"});
  expect_valid(with([](RunConfig& c) { c.task.op = "div", c.task.n_train = 97 * 96 - 1; }));
  // unordered: p * (p + 1) / 2 rows.
  expect_invalid(with([](RunConfig& c) { c.task.pairs = PairSet::unordered, c.task.n_train = 97 * 98 / 2; }),
                 "task.n_train", {"task.n_train = 4753"});
  expect_valid(with([](RunConfig& c) { c.task.pairs = PairSet::unordered, c.task.n_train = 97 * 98 / 2 - 1; }));
}

TEST(ConfigValidate, Model) {
  expect_invalid(with([](RunConfig& c) { c.model.hidden = {256, 0}; }), "model.hidden",
                 {"model.hidden = [256, 0]", "index 1"});
  expect_invalid(with([](RunConfig& c) { c.model.hidden = {-3}; }), "model.hidden", {"model.hidden = [-3]"});
  expect_valid(with([](RunConfig& c) { c.model.hidden = {}; }));  // linear model
  expect_invalid(with([](RunConfig& c) { c.model.leaky_slope = -0.1; }), "model.leaky_slope",
                 {"model.leaky_slope = -0.1"});
  expect_valid(with([](RunConfig& c) { c.model.leaky_slope = 0; }));
  expect_invalid(with([](RunConfig& c) { c.model.init_std = 0; }), "model.init_std", {"model.init_std = 0.0"});
  expect_invalid(with([](RunConfig& c) { c.model.init_std = -1; }), "model.init_std", {"model.init_std = -1.0"});
  expect_invalid(with([](RunConfig& c) { c.model.init_scale = 0; }), "model.init_scale", {"model.init_scale = 0.0"});
  expect_invalid(with([](RunConfig& c) { c.model.init_scale = kInf; }), "model.init_scale", {"model.init_scale = inf"});
  expect_invalid(with([](RunConfig& c) { c.model.init_scale = kNaN; }), "model.init_scale", {"model.init_scale = nan"});
}

TEST(ConfigValidate, Optim) {
  for (const double lr : {0.0, -1e-3, kInf, kNaN})
    expect_invalid(with([lr](RunConfig& c) { c.optim.lr = lr; }), "optim.lr", {"optim.lr = ", "> 0"});
  expect_invalid(with([](RunConfig& c) { c.optim.lr = -1e-3; }), "optim.lr", {"optim.lr = -0.001"});
  expect_invalid(with([](RunConfig& c) { c.optim.weight_decay = -1; }), "optim.weight_decay",
                 {"optim.weight_decay = -1.0"});
  expect_valid(with([](RunConfig& c) { c.optim.weight_decay = 0; }));
  expect_invalid(with([](RunConfig& c) { c.optim.momentum = 1.0; }), "optim.momentum", {"optim.momentum = 1.0", "[0, 1)"});
  expect_invalid(with([](RunConfig& c) { c.optim.momentum = -0.1; }), "optim.momentum", {"optim.momentum = -0.1"});
  expect_invalid(with([](RunConfig& c) { c.optim.nesterov = true; }), "optim.nesterov",
                 {"optim.nesterov = true", "momentum"});
  expect_valid(with([](RunConfig& c) { c.optim.kind = OptimKind::sgd, c.optim.nesterov = true, c.optim.momentum = 0.9; }));
  expect_invalid(with([](RunConfig& c) { c.optim.beta1 = 1.0; }), "optim.betas", {"optim.betas = [1.0, 0.999]", "beta1"});
  expect_invalid(with([](RunConfig& c) { c.optim.beta2 = -0.5; }), "optim.betas", {"optim.betas = [0.9, -0.5]", "beta2"});
  expect_valid(with([](RunConfig& c) { c.optim.beta1 = 0; }));
  expect_invalid(with([](RunConfig& c) { c.optim.eps = 0; }), "optim.eps", {"optim.eps = 0.0"});
  expect_invalid(with([](RunConfig& c) { c.optim.warmup_steps = -1; }), "optim.warmup_steps",
                 {"optim.warmup_steps = -1"});
  expect_invalid(with([](RunConfig& c) { c.optim.groups["w1"].lr = 0; }), "optim.groups.w1.lr",
                 {"optim.groups.w1.lr = 0.0"});
  expect_invalid(with([](RunConfig& c) { c.optim.groups["head"].weight_decay = -0.5; }),
                 "optim.groups.head.weight_decay", {"optim.groups.head.weight_decay = -0.5"});
  expect_valid(with([](RunConfig& c) { c.optim.groups["head"].weight_decay = 0, c.optim.groups["w1"].lr = 0.1; }));
}

TEST(ConfigValidate, Train) {
  expect_invalid(with([](RunConfig& c) { c.train.steps = -1; }), "train.steps", {"train.steps = -1"});
  expect_valid(with([](RunConfig& c) { c.train.steps = 0; }));
  expect_invalid(with([](RunConfig& c) { c.train.batch_size = -1; }), "train.batch_size", {"train.batch_size = -1"});
  expect_invalid(with([](RunConfig& c) { c.train.threads = -2; }), "train.threads", {"train.threads = -2"});
  expect_invalid(with([](RunConfig& c) { c.train.early_stop_margin = -0.5; }), "train.early_stop_margin",
                 {"train.early_stop_margin = -0.5"});
  expect_valid(with([](RunConfig& c) { c.train.early_stop_margin = 0; }));
}

TEST(ConfigValidate, Eval) {
  expect_invalid(with([](RunConfig& c) { c.eval.points_per_decade = 0; }), "eval.points_per_decade",
                 {"eval.points_per_decade = 0", ">= 1"});
  expect_invalid(with([](RunConfig& c) { c.eval.every = 0; }), "eval.every", {"eval.every = 0"});
  expect_invalid(with([](RunConfig& c) { c.eval.acc_threshold = 0; }), "eval.acc_threshold",
                 {"eval.acc_threshold = 0.0", "(0, 1]"});
  expect_invalid(with([](RunConfig& c) { c.eval.acc_threshold = 1.5; }), "eval.acc_threshold",
                 {"eval.acc_threshold = 1.5"});
  expect_valid(with([](RunConfig& c) { c.eval.acc_threshold = 1.0; }));
  expect_invalid(with([](RunConfig& c) { c.eval.loss_eps = {}; }), "eval.loss_eps", {"eval.loss_eps = []"});
  expect_invalid(with([](RunConfig& c) { c.eval.loss_eps = {0.1, 0}; }), "eval.loss_eps",
                 {"eval.loss_eps = [0.1, 0.0]", "element 1"});
  expect_invalid(with([](RunConfig& c) { c.eval.loss_eps = {-1e-3}; }), "eval.loss_eps", {"eval.loss_eps = [-0.001]"});
}

}  // namespace
}  // namespace grokscope
