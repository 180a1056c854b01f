// validate(RunConfig) and the enum names of train/config.h.
#include "grokscope/train/config.h"

#include <gtest/gtest.h>

#include <functional>
#include <iterator>
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

// ---------------------------------------------------------------------------------------------------------------
// Synthetic tasks, the model zoo, and which model and loss go with which task

constexpr TaskKind kAllTasks[] = {TaskKind::modular,           TaskKind::teacher_classes, TaskKind::sparse_linear,
                                  TaskKind::gaussian_margin,   TaskKind::matrix_completion, TaskKind::toy_regression,
                                  TaskKind::sparse_regression};

// A valid config of this task kind: its defaults, with a model and loss that fit it.
RunConfig task_config(TaskKind kind) {
  RunConfig c;
  c.task.kind = kind;
  switch (kind) {
    case TaskKind::modular:
    case TaskKind::teacher_classes: break;  // mlp, cross_entropy
    case TaskKind::sparse_linear: c.model.kind = ModelKind::diagonal, c.loss.kind = LossKind::logistic; break;
    case TaskKind::gaussian_margin: c.loss.kind = LossKind::logistic; break;
    case TaskKind::matrix_completion:
      c.model.kind = ModelKind::matrix_factorization, c.loss.kind = LossKind::squared;
      break;
    case TaskKind::toy_regression: c.loss.kind = LossKind::squared; break;
    case TaskKind::sparse_regression: c.model.kind = ModelKind::diagonal, c.loss.kind = LossKind::squared; break;
  }
  return c;
}

RunConfig task_with(TaskKind kind, const std::function<void(RunConfig&)>& edit) {
  RunConfig c = task_config(kind);
  edit(c);
  return c;
}

TEST(ConfigValidate, NewEnumNames) {
  EXPECT_STREQ(to_string(LossKind::mse), "mse");
  EXPECT_STREQ(to_string(LossKind::logistic), "logistic");
  EXPECT_STREQ(to_string(LossKind::squared), "squared");
  const char* tasks[] = {"modular",           "teacher_classes", "sparse_linear",    "gaussian_margin",
                         "matrix_completion", "toy_regression",  "sparse_regression"};
  for (size_t i = 0; i < std::size(kAllTasks); ++i) EXPECT_STREQ(to_string(kAllTasks[i]), tasks[i]);
  EXPECT_STREQ(to_string(ModelKind::mlp), "mlp");
  EXPECT_STREQ(to_string(ModelKind::embedding_mlp), "embedding_mlp");
  EXPECT_STREQ(to_string(ModelKind::diagonal), "diagonal");
  EXPECT_STREQ(to_string(ModelKind::matrix_factorization), "matrix_factorization");
  EXPECT_STREQ(to_string(GroundTruth::multiplication), "multiplication");
  EXPECT_STREQ(to_string(GroundTruth::random_psd), "random_psd");
  EXPECT_STREQ(to_string(ToyProblem::one_plus_one), "one_plus_one");
  EXPECT_STREQ(to_string(ToyProblem::one_plus_one_plus_one), "one_plus_one_plus_one");
}

TEST(ConfigValidate, EveryTaskKindValidWithDefaults) {
  for (const TaskKind kind : kAllTasks) {
    SCOPED_TRACE(to_string(kind));
    expect_valid(task_config(kind));
  }
  expect_valid(task_with(TaskKind::sparse_linear, [](RunConfig& c) { c.model.kind = ModelKind::mlp; }));
  expect_valid(task_with(TaskKind::gaussian_margin, [](RunConfig& c) { c.model.kind = ModelKind::diagonal; }));
  expect_valid(task_with(TaskKind::toy_regression, [](RunConfig& c) { c.model.kind = ModelKind::diagonal; }));
  expect_valid(task_with(TaskKind::teacher_classes, [](RunConfig& c) { c.loss.kind = LossKind::mse; }));
  expect_valid(with([](RunConfig& c) { c.model.kind = ModelKind::embedding_mlp; }));
}

// The modular keys (op, p, pairs, n_train against the table, train_fraction) are not checked for other tasks.
TEST(ConfigValidate, ModularKeysIgnoredByOtherTasks) {
  for (const TaskKind kind : {TaskKind::teacher_classes, TaskKind::sparse_linear, TaskKind::gaussian_margin}) {
    SCOPED_TRACE(to_string(kind));
    expect_valid(task_with(kind, [](RunConfig& c) {
      c.task.op = "pow", c.task.p = 1, c.task.pairs = PairSet::unordered, c.task.train_fraction = 0;
      c.task.n_train = 100000;
    }));
  }
  expect_valid(task_with(TaskKind::toy_regression, [](RunConfig& c) {
    c.task.op = "pow", c.task.p = 1, c.task.pairs = PairSet::unordered, c.task.train_fraction = 0;
  }));
  expect_valid(task_with(TaskKind::matrix_completion, [](RunConfig& c) { c.task.op = "div", c.task.p = 91; }));
  // ... and the synthetic-task keys are not checked for the modular task.
  expect_valid(with([](RunConfig& c) {
    c.task.d = -1, c.task.n_classes = 1, c.task.n_test = -1, c.task.sparsity = 0, c.task.margin = -1, c.task.rank = 0;
  }));
}

TEST(ConfigValidate, TeacherClasses) {
  const auto teacher = [](const std::function<void(RunConfig&)>& edit) {
    return task_with(TaskKind::teacher_classes, edit);
  };
  expect_invalid(teacher([](RunConfig& c) { c.task.d = -1; }), "task.d",
                 {"task.d = -1", "[1, 2147483647]", "0 for the default", "\"teacher_classes\" (20)"});
  expect_invalid(teacher([](RunConfig& c) { c.task.d = int64_t{1} << 31; }), "task.d", {"task.d = 2147483648"});
  expect_valid(teacher([](RunConfig& c) { c.task.d = 1; }));
  for (const int k : {1, -1})
    expect_invalid(teacher([k](RunConfig& c) { c.task.n_classes = k; }), "task.n_classes",
                   {"task.n_classes = " + std::to_string(k), ">= 2", "default (4)"});
  expect_valid(teacher([](RunConfig& c) { c.task.n_classes = 2; }));
  expect_invalid(teacher([](RunConfig& c) { c.task.n_train = -1; }), "task.n_train",
                 {"task.n_train = -1", "default (256)"});
  expect_invalid(task_with(TaskKind::gaussian_margin, [](RunConfig& c) { c.task.n_train = -1; }), "task.n_train",
                 {"task.n_train = -1", "default (32)"});
  expect_valid(teacher([](RunConfig& c) { c.task.n_train = 1; }));
  expect_invalid(teacher([](RunConfig& c) { c.task.n_test = -5; }), "task.n_test",
                 {"task.n_test = -5", "default (1000)"});
  for (const double m : {-0.1, kNaN, kInf})
    expect_invalid(teacher([m](RunConfig& c) { c.task.margin = m; }), "task.margin", {"task.margin = ", ">= 0"});
  expect_valid(teacher([](RunConfig& c) { c.task.margin = 2.5; }));
}

TEST(ConfigValidate, SparseLinear) {
  const auto sparse = [](const std::function<void(RunConfig&)>& edit) {
    return task_with(TaskKind::sparse_linear, edit);
  };
  expect_invalid(sparse([](RunConfig& c) { c.task.sparsity = 0; }), "task.sparsity",
                 {"task.sparsity = 0", "[1, d] = [1, 100000]", "(task.d = 0: the default 100000)"});
  expect_invalid(sparse([](RunConfig& c) { c.task.sparsity = 100001; }), "task.sparsity", {"task.sparsity = 100001"});
  expect_valid(sparse([](RunConfig& c) { c.task.sparsity = 100000; }));
  expect_invalid(sparse([](RunConfig& c) { c.task.d = 5, c.task.sparsity = 6; }), "task.sparsity",
                 {"task.sparsity = 6", "[1, d] = [1, 5] (task.d = 5)"});
  expect_valid(sparse([](RunConfig& c) { c.task.d = 5, c.task.sparsity = 5; }));
  expect_invalid(sparse([](RunConfig& c) { c.task.d = -3; }), "task.d", {"task.d = -3", "(100000)"});
  expect_invalid(sparse([](RunConfig& c) { c.task.n_train = -1; }), "task.n_train", {"task.n_train = -1"});
  expect_invalid(sparse([](RunConfig& c) { c.task.n_test = -1; }), "task.n_test", {"task.n_test = -1"});
  expect_valid(sparse([](RunConfig& c) { c.task.margin = -1; }));  // margin is not used by sparse_linear
}

TEST(ConfigValidate, GaussianMargin) {
  const auto gaussian = [](const std::function<void(RunConfig&)>& edit) {
    return task_with(TaskKind::gaussian_margin, edit);
  };
  expect_invalid(gaussian([](RunConfig& c) { c.task.margin = -0.5; }), "task.margin",
                 {"task.margin = -0.5", ">= 0", "0 = the default gamma, 25.0"});
  expect_invalid(gaussian([](RunConfig& c) { c.task.n_test = -1; }), "task.n_test", {"default (10000)"});
  expect_invalid(gaussian([](RunConfig& c) { c.task.margin = kNaN; }), "task.margin", {"task.margin = nan"});
  expect_valid(gaussian([](RunConfig& c) { c.task.margin = 0.1; }));
  expect_invalid(gaussian([](RunConfig& c) { c.task.d = -1; }), "task.d",
                 {"task.d = -1", "\"gaussian_margin\" (100000)"});
  expect_valid(gaussian([](RunConfig& c) { c.task.sparsity = 0; }));  // sparsity is not used by gaussian_margin
}

TEST(ConfigValidate, MatrixCompletion) {
  const auto matrix = [](const std::function<void(RunConfig&)>& edit) {
    return task_with(TaskKind::matrix_completion, edit);
  };
  for (const int64_t d : {1, -2})
    expect_invalid(matrix([d](RunConfig& c) { c.task.d = d; }), "task.d",
                   {"task.d = " + std::to_string(d), "[2, 46340]", "default of task.kind = \"matrix_completion\" (97)"});
  expect_valid(matrix([](RunConfig& c) { c.task.d = 2; }));
  expect_invalid(matrix([](RunConfig& c) { c.task.d = 46341; }), "task.d", {"task.d = 46341", "[2, 46340]"});
  expect_invalid(matrix([](RunConfig& c) { c.task.rank = 0; }), "task.rank",
                 {"task.rank = 0", "[1, d] = [1, 97] (task.d = 0: the default 97)"});
  expect_invalid(matrix([](RunConfig& c) { c.task.rank = 98; }), "task.rank", {"task.rank = 98"});
  expect_invalid(matrix([](RunConfig& c) { c.task.d = 10, c.task.rank = 11; }), "task.rank",
                 {"task.rank = 11", "[1, 10] (task.d = 10)"});
  expect_valid(matrix([](RunConfig& c) {
    c.task.d = 10, c.task.rank = 10, c.task.ground_truth = GroundTruth::random_psd;
  }));
  expect_invalid(matrix([](RunConfig& c) { c.task.n_train = 97 * 97; }), "task.n_train",
                 {"task.n_train = 9409", "[0, 9409)", "97 x 97 matrix"});
  expect_invalid(matrix([](RunConfig& c) { c.task.n_train = -1; }), "task.n_train", {"task.n_train = -1"});
  expect_valid(matrix([](RunConfig& c) { c.task.n_train = 97 * 97 - 1; }));
  expect_invalid(matrix([](RunConfig& c) { c.task.d = 3, c.task.n_train = 9; }), "task.n_train", {"[0, 9)"});
  for (const double f : {0.0, 1.0, kNaN})
    expect_invalid(matrix([f](RunConfig& c) { c.task.train_fraction = f; }), "task.train_fraction",
                   {"task.train_fraction = ", "(0, 1)", "task.n_train = 0"});
  expect_valid(matrix([](RunConfig& c) { c.task.train_fraction = 0, c.task.n_train = 100; }));
  expect_valid(matrix([](RunConfig& c) { c.task.d = 46340, c.task.n_train = int64_t{46340} * 46340 - 1; }));
  // A fraction that observes no entry (or every entry) of the matrix.
  expect_invalid(matrix([](RunConfig& c) { c.task.d = 10, c.task.train_fraction = 0.005; }), "task.train_fraction",
                 {"task.train_fraction = 0.005", "gives 0 observed entries of the 10 x 10 matrix; need 1 to 99"});
  expect_invalid(matrix([](RunConfig& c) { c.task.d = 10, c.task.train_fraction = 1 - 1e-12; }), "task.train_fraction",
                 {"gives 100 observed entries"});
  expect_valid(matrix([](RunConfig& c) { c.task.d = 10, c.task.train_fraction = 0.999; }));  // 99 entries
  expect_valid(matrix([](RunConfig& c) { c.task.d = 10, c.task.train_fraction = 0.01; }));
}

TEST(ConfigValidate, ToyRegression) {
  const auto toy = [](const std::function<void(RunConfig&)>& edit) {
    return task_with(TaskKind::toy_regression, edit);
  };
  expect_valid(toy([](RunConfig& c) { c.task.d = 2, c.task.n_train = 1, c.task.n_test = 7; }));
  expect_valid(toy([](RunConfig& c) { c.task.toy = ToyProblem::one_plus_one_plus_one, c.task.d = 3; }));
  expect_invalid(toy([](RunConfig& c) { c.task.d = 3; }), "task.d",
                 {"task.d = 3", "task.toy = \"one_plus_one\" has d = 2"});
  expect_invalid(toy([](RunConfig& c) { c.task.toy = ToyProblem::one_plus_one_plus_one, c.task.d = 2; }), "task.d",
                 {"task.d = 2", "has d = 3"});
  expect_invalid(toy([](RunConfig& c) { c.task.n_train = 2; }), "task.n_train", {"task.n_train = 2", "one training row"});
  expect_invalid(toy([](RunConfig& c) { c.task.n_train = -1; }), "task.n_train", {"task.n_train = -1"});
  expect_invalid(toy([](RunConfig& c) { c.task.n_test = -1; }), "task.n_test", {"task.n_test = -1", "default (100)"});
  // Keys the toy problems do not use are not checked.
  expect_valid(toy([](RunConfig& c) {
    c.task.rank = 0, c.task.margin = kNaN, c.task.sparsity = 0, c.task.n_classes = 1;
  }));
}

TEST(ConfigValidate, NewModelKeys) {
  expect_invalid(with([](RunConfig& c) { c.model.embedding_dim = 0; }), "model.embedding_dim",
                 {"model.embedding_dim = 0", ">= 1"});
  expect_invalid(with([](RunConfig& c) { c.model.depth = 0; }), "model.depth", {"model.depth = 0", ">= 1"});
  expect_valid(with([](RunConfig& c) { c.model.depth = 1; }));
  for (const double noise : {-1e-3, kNaN, kInf})
    expect_invalid(with([noise](RunConfig& c) { c.model.init_noise = noise; }), "model.init_noise",
                   {"model.init_noise = ", ">= 0"});
  expect_valid(with([](RunConfig& c) { c.model.init_noise = 0.5; }));
  expect_invalid(with([](RunConfig& c) { c.model.init_values = {1.0, kInf}; }), "model.init_values",
                 {"model.init_values = [1.0, inf]", "element 1 (inf)", "finite"});
  expect_invalid(with([](RunConfig& c) { c.model.init_values = {kNaN}; }), "model.init_values",
                 {"model.init_values = [nan]", "element 0"});
  expect_valid(with([](RunConfig& c) { c.model.init_values = {-2.0, 0.0, 1e300}; }));
}

TEST(ConfigValidate, NewEvalKeys) {
  for (const double v : {0.0, -1e-4, kNaN, kInf}) {
    expect_invalid(with([v](RunConfig& c) { c.eval.fit_loss = v; }), "eval.fit_loss", {"eval.fit_loss = ", "> 0"});
    expect_invalid(with([v](RunConfig& c) { c.eval.gen_loss = v; }), "eval.gen_loss", {"eval.gen_loss = ", "> 0"});
  }
  expect_valid(with([](RunConfig& c) {
    c.eval.fit_loss = 1.0, c.eval.gen_loss = 1e-12, c.eval.record_trajectory = true;
  }));
}

// Which model kinds work with which tasks (rows: mlp, embedding_mlp, diagonal, matrix_factorization; columns in
// kAllTasks order).
TEST(ConfigValidate, ModelTaskCompatibility) {
  const ModelKind models[] = {ModelKind::mlp, ModelKind::embedding_mlp, ModelKind::diagonal,
                              ModelKind::matrix_factorization};
  const bool ok[4][7] = {{true, true, true, true, false, true, true},
                         {true, false, false, false, false, false, false},
                         {false, false, true, true, false, true, true},
                         {false, false, false, false, true, false, false}};
  for (size_t m = 0; m < 4; ++m)
    for (size_t t = 0; t < 7; ++t) {
      SCOPED_TRACE(std::string(to_string(models[m])) + " on " + to_string(kAllTasks[t]));
      const RunConfig c = task_with(kAllTasks[t], [&](RunConfig& x) { x.model.kind = models[m]; });
      if (ok[m][t])
        expect_valid(c);
      else
        expect_invalid(c, "model.kind",
                       {std::string("model.kind = \"") + to_string(models[m]) + "\": needs ",
                        std::string("), not \"") + to_string(kAllTasks[t]) + "\""});
    }
  expect_invalid(task_with(TaskKind::matrix_completion, [](RunConfig& c) { c.model.kind = ModelKind::mlp; }),
                 "model.kind",
                 {"model.kind = \"mlp\": needs a task with vector inputs (task.kind = \"modular\", \"teacher_classes\", "
                  "\"sparse_linear\", \"gaussian_margin\", \"toy_regression\" or \"sparse_regression\"), not "
                  "\"matrix_completion\""});
  expect_invalid(task_with(TaskKind::sparse_linear, [](RunConfig& c) { c.model.kind = ModelKind::embedding_mlp; }),
                 "model.kind",
                 {"model.kind = \"embedding_mlp\": needs token inputs (task.kind = \"modular\"), not \"sparse_linear\""});
  expect_invalid(with([](RunConfig& c) { c.model.kind = ModelKind::diagonal; }), "model.kind",
                 {"model.kind = \"diagonal\": needs dense inputs and one output (task.kind = \"sparse_linear\", "
                  "\"gaussian_margin\", \"toy_regression\" or \"sparse_regression\"), not \"modular\""});
  expect_invalid(with([](RunConfig& c) { c.model.kind = ModelKind::matrix_factorization; }), "model.kind",
                 {"model.kind = \"matrix_factorization\": needs a matrix to complete "
                  "(task.kind = \"matrix_completion\"), not \"modular\""});
}

TEST(ConfigValidate, LabelNoise) {
  const auto regression = [](const std::function<void(RunConfig&)>& edit) {
    return task_with(TaskKind::sparse_regression, edit);
  };
  expect_valid(regression([](RunConfig& c) { c.train.label_noise_std = 1.0, c.train.batch_size = 1; }));
  expect_valid(regression([](RunConfig& c) { c.train.label_noise_std = 0.5; }));   // label-noise GD (full batch)
  expect_invalid(regression([](RunConfig& c) { c.train.label_noise_std = -1.0; }), "train.label_noise_std",
                 {"train.label_noise_std = -1.0", ">= 0"});
  expect_invalid(regression([](RunConfig& c) { c.train.label_noise_std = kNaN; }), "train.label_noise_std",
                 {"train.label_noise_std = nan"});
  expect_invalid(regression([](RunConfig& c) { c.train.label_noise_std = kInf; }), "train.label_noise_std",
                 {"train.label_noise_std = inf"});
  expect_invalid(task_with(TaskKind::sparse_linear, [](RunConfig& c) { c.train.label_noise_std = 1.0; }),
                 "train.label_noise_std", {"train.label_noise_std = 1.0", "needs loss.kind = \"squared\"",
                                           "not \"logistic\""});
  expect_invalid(regression([](RunConfig& c) {
                   c.train.label_noise_std = 1.0, c.optim.kind = OptimKind::gradient_flow;
                 }),
                 "train.label_noise_std", {"train.label_noise_std = 1.0", "gradient_flow"});
  expect_invalid(regression([](RunConfig& c) { c.task.sparsity = 101; }), "task.sparsity",
                 {"task.sparsity = 101", "[1, d] = [1, 100]"});
}

TEST(ConfigValidate, LossTaskCompatibility) {
  const LossKind losses[] = {LossKind::cross_entropy, LossKind::mse, LossKind::logistic, LossKind::squared};
  const bool ok[4][7] = {{true, true, false, false, false, false, false},
                         {true, true, false, false, false, false, false},
                         {false, false, true, true, false, false, false},
                         {false, false, false, false, true, true, true}};
  for (size_t l = 0; l < 4; ++l)
    for (size_t t = 0; t < 7; ++t) {
      SCOPED_TRACE(std::string(to_string(losses[l])) + " on " + to_string(kAllTasks[t]));
      const RunConfig c = task_with(kAllTasks[t], [&](RunConfig& x) { x.loss.kind = losses[l]; });
      if (ok[l][t])
        expect_valid(c);
      else
        expect_invalid(c, "loss.kind",
                       {std::string("loss.kind = \"") + to_string(losses[l]) + "\": needs ",
                        std::string("), not \"") + to_string(kAllTasks[t]) + "\""});
    }
  expect_invalid(with([](RunConfig& c) { c.loss.kind = LossKind::logistic; }), "loss.kind",
                 {"loss.kind = \"logistic\": needs a task with labels +-1 (task.kind = \"sparse_linear\" or "
                  "\"gaussian_margin\"), not \"modular\""});
  expect_invalid(with([](RunConfig& c) { c.loss.kind = LossKind::squared; }), "loss.kind",
                 {"loss.kind = \"squared\": needs a regression task (task.kind = \"matrix_completion\", "
                  "\"toy_regression\" or \"sparse_regression\"), not \"modular\""});
  expect_invalid(task_with(TaskKind::toy_regression, [](RunConfig& c) { c.loss.kind = LossKind::cross_entropy; }),
                 "loss.kind",
                 {"loss.kind = \"cross_entropy\": needs a task with class labels (task.kind = \"modular\" or "
                  "\"teacher_classes\"), not \"toy_regression\""});
}

}  // namespace
}  // namespace grokscope
