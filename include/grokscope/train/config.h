// Typed run configuration: the engine's only input. Parsing (TOML, --set overrides) lives in io/config_toml.h;
// this header has no I/O. Defaults here are the documented defaults (docs/config.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace grokscope {

enum class Dtype { f32, f64 };
enum class PairSet { ordered, unordered };          // full p x p table, or pairs a <= b
enum class Encoding { concat, sum };                // one-hot(a) ++ one-hot(b) (2p inputs), one-hot(a)+one-hot(b) (p)
enum class Activation { relu, leaky_relu, quadratic, identity, tanh };
enum class BiasMode { none, first, all };
enum class InitKind { he, lecun, normal, torch_default };
enum class LossKind { cross_entropy, mse };
enum class MseReduction { mean, sum_classes };      // mean over n*C elements (PyTorch MSELoss), or sum over classes, mean over samples
enum class OptimKind { sgd, adam, adamw };
enum class EvalScheduleKind { log, linear };

struct TaskConfig {
  std::string op = "add";            // see data/modular.h for the list
  int p = 97;
  PairSet pairs = PairSet::ordered;
  Encoding encoding = Encoding::concat;
  double train_fraction = 0.4;       // used when n_train == 0; n_train = floor(fraction * table size)
  int64_t n_train = 0;               // 0 = use train_fraction
  uint64_t split_seed = 0;
};

struct ModelConfig {
  std::vector<int> hidden = {256};   // hidden widths; {} gives a linear model
  Activation activation = Activation::relu;
  double leaky_slope = 0.01;
  BiasMode bias = BiasMode::first;
  InitKind init = InitKind::he;
  double init_std = 0.02;            // only for init = normal
  double init_scale = 1.0;           // alpha: multiplies every weight matrix after init
  bool zero_last_layer = false;      // last layer (weights and bias) zero at init (Lyu's Assumption 3.2)
};

struct LossConfig {
  LossKind kind = LossKind::cross_entropy;
  MseReduction mse_reduction = MseReduction::mean;
};

// Per-parameter-group override; the key in OptimConfig::groups is a parameter name (w1, b2) or a group name
// (input, hidden, head). A parameter-name entry wins over a group-name entry, which wins over the global value.
struct GroupOverride {
  std::optional<double> lr;
  std::optional<double> weight_decay;
};

struct OptimConfig {
  OptimKind kind = OptimKind::adamw;
  double lr = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.0;             // sgd only
  bool nesterov = false;             // sgd only
  double beta1 = 0.9;                // adam, adamw
  double beta2 = 0.999;
  double eps = 1e-8;
  int64_t warmup_steps = 0;          // lr multiplier min(step / warmup_steps, 1) at 0-based step (Nanda/Power)
  std::map<std::string, GroupOverride> groups;
};

struct TrainConfig {
  int64_t steps = 10000;
  int64_t batch_size = 0;            // 0 = full batch
  uint64_t seed = 0;                 // initialization and minibatch order
  Dtype dtype = Dtype::f32;
  int threads = 0;                   // BLAS threads; 0 = all cores
  bool early_stop = false;           // stop once every clock fired and the fit/gen conditions held for a margin
  double early_stop_margin = 0.25;   // ... held from step s to at least (1 + margin) * s
};

struct EvalConfig {
  EvalScheduleKind schedule = EvalScheduleKind::log;
  int points_per_decade = 20;        // log schedule
  int64_t every = 100;               // linear schedule
  double acc_threshold = 0.99;       // t_gen fires at the first eval with test accuracy >= this
  std::vector<double> loss_eps = {1e-1, 1e-2, 1e-3};  // t_cls(eps) fires at the first eval with train loss <= eps
};

struct RunConfig {
  TaskConfig task;
  ModelConfig model;
  LossConfig loss;
  OptimConfig optim;
  TrainConfig train;
  EvalConfig eval;
};

// Enum names as they appear in config files.
const char* to_string(Dtype v);
const char* to_string(PairSet v);
const char* to_string(Encoding v);
const char* to_string(Activation v);
const char* to_string(BiasMode v);
const char* to_string(InitKind v);
const char* to_string(LossKind v);
const char* to_string(MseReduction v);
const char* to_string(OptimKind v);
const char* to_string(EvalScheduleKind v);

// Checks every value for consistency (ranges, p prime where the op needs it, ...). Throws ConfigError naming the key.
void validate(const RunConfig& config);

}  // namespace grokscope
