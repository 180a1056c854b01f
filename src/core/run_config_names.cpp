// Names of the run configuration's enums (core/run_config.h), as written in config files and outputs.
#include "grokscope/core/run_config.h"

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
    case Encoding::tokens: return "tokens";
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
    case LossKind::logistic: return "logistic";
    case LossKind::squared: return "squared";
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
    case OptimKind::gradient_flow: return "gradient_flow";
  }
  return "?";
}

const char* to_string(LrSchedule v) {
  switch (v) {
    case LrSchedule::constant: return "constant";
    case LrSchedule::loss_scaled: return "loss_scaled";
  }
  return "?";
}

const char* to_string(GradFilterKind v) {
  switch (v) {
    case GradFilterKind::none: return "none";
    case GradFilterKind::ema: return "ema";
    case GradFilterKind::ma: return "ma";
  }
  return "?";
}

const char* to_string(MaFilter v) {
  switch (v) {
    case MaFilter::mean: return "mean";
    case MaFilter::sum: return "sum";
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

const char* to_string(TaskKind v) {
  switch (v) {
    case TaskKind::modular: return "modular";
    case TaskKind::teacher_classes: return "teacher_classes";
    case TaskKind::sparse_linear: return "sparse_linear";
    case TaskKind::gaussian_margin: return "gaussian_margin";
    case TaskKind::matrix_completion: return "matrix_completion";
    case TaskKind::toy_regression: return "toy_regression";
    case TaskKind::sparse_regression: return "sparse_regression";
  }
  return "?";
}

const char* to_string(ModelKind v) {
  switch (v) {
    case ModelKind::mlp: return "mlp";
    case ModelKind::embedding_mlp: return "embedding_mlp";
    case ModelKind::diagonal: return "diagonal";
    case ModelKind::matrix_factorization: return "matrix_factorization";
    case ModelKind::transformer: return "transformer";
  }
  return "?";
}

const char* to_string(GroundTruth v) {
  switch (v) {
    case GroundTruth::multiplication: return "multiplication";
    case GroundTruth::random_psd: return "random_psd";
  }
  return "?";
}

const char* to_string(ToyProblem v) {
  switch (v) {
    case ToyProblem::one_plus_one: return "one_plus_one";
    case ToyProblem::one_plus_one_plus_one: return "one_plus_one_plus_one";
  }
  return "?";
}

}  // namespace grokscope
