// Typed run configuration: the engine's only input, the vocabulary every layer shares (core). Parsing (TOML, --set
// overrides) lives in io/config_toml.h, validation in train/config.h; this header has no I/O and no rules. Defaults
// here are the documented defaults (docs/config.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace grokscope {

enum class Dtype { f32, f64 };
enum class PairSet { ordered, unordered };          // full p x p table, or pairs a <= b
// one-hot(a) ++ one-hot(b) (2p inputs), one-hot(a)+one-hot(b) (p), or the sequence [a, b, =] with "=" = p (p + 1
// token ids; the transformer's input, and its default)
enum class Encoding { concat, sum, tokens };
enum class Activation { relu, leaky_relu, quadratic, identity, tanh };
enum class BiasMode { none, first, all };
enum class InitKind { he, lecun, normal, torch_default };
// cross_entropy and mse use class labels (mse against one-hot targets); logistic uses labels +-1 with one output
// (softplus(-y f)); squared is regression against real targets ((f - y)^2, mean over samples and outputs).
enum class LossKind { cross_entropy, mse, logistic, squared };
enum class MseReduction { mean, sum_classes };      // mean over n*C elements (PyTorch MSELoss), or sum over classes, mean over samples
// gradient_flow: no optimizer steps; the trainer integrates d theta/dt = -(grad L + lambda theta) with the adaptive
// Dormand-Prince integrator (theory/gradient_flow.h), step s of the schedule being the time s * lr.
enum class OptimKind { sgd, adam, adamw, gradient_flow };
// constant: the lr of the config (times the warmup multiplier). loss_scaled: lr / L(theta_t) with L the full-batch
// training loss, evaluated in log space (Lyu et al. App. B.1; no weight decay, cross-entropy, SGD).
enum class LrSchedule { constant, loss_scaled };
// Grokfast gradient filters (Lee et al. 2024, optim/grad_filter.h): none, the exponential moving average of the
// gradients, or the moving average over a window; MaFilter: the window's mean or its sum.
enum class GradFilterKind { none, ema, ma };
enum class MaFilter { mean, sum };
enum class EvalScheduleKind { log, linear };
// Data of a run (see docs/config.md and data/): the modular tables, or the synthetic data of the theory papers.
enum class TaskKind {
  modular, teacher_classes, sparse_linear, gaussian_margin, matrix_completion, toy_regression, sparse_regression
};
// Models of the zoo (nn/): MLP of any depth (deep linear nets and the toy models are MLPs), the embedding MLP,
// Lyu's diagonal linear net and matrix-factorization model, and the transformer of Nanda / Power (nn/transformer.h).
enum class ModelKind { mlp, embedding_mlp, diagonal, matrix_factorization, transformer };
enum class GroundTruth { multiplication, random_psd };   // matrix completion
enum class ToyProblem { one_plus_one, one_plus_one_plus_one };

struct TaskConfig {
  TaskKind kind = TaskKind::modular;
  // modular
  std::string op = "add";            // see data/modular.h for the list
  int p = 97;
  PairSet pairs = PairSet::ordered;
  Encoding encoding = Encoding::concat;
  double train_fraction = 0.4;       // used when n_train == 0; n_train = floor(fraction * table size)
  int64_t n_train = 0;               // 0 = use train_fraction
  uint64_t split_seed = 0;           // seed of the split, and of generated data for the synthetic tasks
  // synthetic tasks (teacher_classes, sparse_linear, gaussian_margin, toy_regression) and matrix completion
  int64_t d = 0;                     // input dimension; matrix size for matrix_completion (0 = the task's default)
  int n_classes = 0;                 // teacher_classes: K (0 = default 4)
  int64_t n_test = 0;                // generated test rows (0 = the task's default)
  int sparsity = 3;                  // sparse_linear, sparse_regression: k nonzeros of w*, on the first k coordinates
  double margin = 0.0;               // teacher_classes: minimum teacher logit gap; gaussian_margin: gamma
  GroundTruth ground_truth = GroundTruth::multiplication;  // matrix_completion
  int rank = 1;                      // matrix_completion with random_psd
  ToyProblem toy = ToyProblem::one_plus_one;               // toy_regression
};

struct ModelConfig {
  ModelKind kind = ModelKind::mlp;
  std::vector<int> hidden = {256};   // hidden widths; {} gives a linear model
  Activation activation = Activation::relu;
  double leaky_slope = 0.01;
  BiasMode bias = BiasMode::first;
  InitKind init = InitKind::he;
  double init_std = 0.02;            // only for init = normal
  double init_scale = 1.0;           // alpha: multiplies every weight matrix after init
  bool zero_last_layer = false;      // last layer (weights and bias) zero at init (Lyu's Assumption 3.2)
  int embedding_dim = 128;           // embedding_mlp: d of the token embeddings E (p x d)
  int depth = 2;                     // diagonal: w = u^depth - v^depth
  double init_noise = 0.0;           // matrix_factorization: U, V = alpha I + N(0, init_noise^2)
  std::vector<double> init_values;   // explicit initial parameters in flat-buffer order (toy models); empty = init
  // transformer (nn/transformer.h): blocks, residual width, heads (d_head = d_model / heads), MLP width, pre-LN
  // LayerNorm (eps 1e-5), and which biases exist. Defaults are Nanda et al.'s 1-layer model.
  int layers = 1;
  int d_model = 128;
  int heads = 4;
  int d_mlp = 512;
  bool layer_norm = false;
  bool mlp_bias = true;
  bool attn_bias = false;
  bool unembed_bias = false;
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
  LrSchedule schedule = LrSchedule::constant;
  // loss_scaled only: Lyu's initial phase (their train_mod_add_nowd.py): while log L > -5, a plain cross-entropy
  // step at lr 10 * lr (the gradient 10 grad L), time += 10 * lr.
  bool loss_scaled_initial_phase = false;
  // kind = gradient_flow (theory/gradient_flow.h): tolerances of the local error per step, the largest step (0: no
  // limit) and the floor below which steps never shrink (0: off; a step at the floor is accepted whatever its error,
  // for ReLU networks, whose flow has a discontinuous right-hand side).
  double flow_rtol = 1e-6;
  double flow_atol = 1e-9;
  double flow_dt_max = 0.0;
  double flow_dt_floor = 0.0;
  std::map<std::string, GroupOverride> groups;
  // Omnigrok's constrained-norm training (optim/fixed_norm.h): c > 0 scales the initial parameters by c and, after
  // every step, rescales the whole parameter vector back to that norm, ||theta_t|| = c ||theta_init||. 0 = off.
  double fixed_norm = 0.0;
  // Grokfast (optim/grad_filter.h): each step's gradient g becomes g + lamb * filter(g) before the optimizer sees it.
  GradFilterKind grad_filter = GradFilterKind::none;
  double ema_alpha = 0.98;           // ema: h = alpha h + (1 - alpha) g (h starts at the first gradient)
  double ema_lamb = 2.0;
  int64_t ma_window = 100;           // ma: the last ma_window gradients
  double ma_lamb = 5.0;
  MaFilter ma_filter = MaFilter::mean;
  bool ma_warmup = true;             // ma: filter only once the window is full
};

struct TrainConfig {
  int64_t steps = 10000;
  int64_t batch_size = 0;            // 0 = full batch
  uint64_t seed = 0;                 // initialization and minibatch order
  Dtype dtype = Dtype::f32;
  int threads = 0;                   // BLAS threads; 0 = all cores
  bool early_stop = false;           // stop once every clock fired and the fit/gen conditions held for a margin
  double early_stop_margin = 0.25;   // ... held from step s to at least (1 + margin) * s
  // Label noise (Lyu et al. App. B.2, label-noise SGD): every training step adds a fresh N(0, std^2) draw to the
  // target of each row of its batch (the row's loss is (f - y - std z)^2, z ~ N(0, 1), the same law as the paper's
  // (f - y + xi)^2). Regression only; the train metrics are always those of the clean targets. 0 = off.
  double label_noise_std = 0.0;
  // The most memory the run may need by its estimate (train/memory_estimate.h), e.g. "16G"; empty: no cap beyond
  // the machine's memory. Does not change results: left out of the config hash.
  std::string max_memory;
};

struct EvalConfig {
  EvalScheduleKind schedule = EvalScheduleKind::log;
  int points_per_decade = 20;        // log schedule
  int64_t every = 100;               // linear schedule
  double acc_threshold = 0.99;       // t_gen fires at the first eval with test accuracy >= this
  std::vector<double> loss_eps = {1e-1, 1e-2, 1e-3};  // t_cls(eps) fires at the first eval with train loss <= eps
  // Regression tasks (loss squared) have no accuracy: t_fit fires at train loss <= fit_loss, t_gen at test loss <= gen_loss.
  double fit_loss = 1e-4;
  double gen_loss = 1e-3;
  bool record_trajectory = false;    // write every step's parameters to trajectory.csv (tiny models only)
  // Diagnostics computed at every evaluation (train/probes.h): "default" (every one that applies), "none", or names
  // from kernel, margin, grad, spectral, fourier, gates, fourier_loss, model.
  std::vector<std::string> probes = {"default"};
  // Representation clock t_rep: the first evaluation from which `rep_metric` (a metrics.csv column) stays within
  // rep_eta of its final value, relative to its range: |S(t) - S(T)| <= rep_eta * |S(0) - S(T)| for the rest of
  // the run. Empty rep_metric: srank of the first-layer/embedding matrix when there is one.
  std::string rep_metric;
  double rep_eta = 0.1;
  // The zero_loss_direction probe (opt-in; Musat App. D, theory/zero_loss_direction.h): cos of the update over the
  // last zl_lookback steps with the norm-minimizing direction at the GD projection of theta onto the zero-loss set.
  int64_t zl_lookback = 10;          // c: the update is theta_e - theta_{max(0, e - c)}
  int64_t zl_project_steps = 100;    // GD steps of the projection (no weight decay)
  double zl_project_lr = 1.0;
  double zl_project_momentum = 0.9;
  double zl_project_tol = 0.0;       // stop the projection once the train loss is below this (0: all steps)
  double zl_rank_rtol = 1e-10;       // rank of J: QR pivots above this times the largest
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
const char* to_string(LrSchedule v);
const char* to_string(GradFilterKind v);
const char* to_string(MaFilter v);
const char* to_string(EvalScheduleKind v);
const char* to_string(TaskKind v);
const char* to_string(ModelKind v);
const char* to_string(GroundTruth v);
const char* to_string(ToyProblem v);

}  // namespace grokscope
