// Peak-memory estimate of a run and the guards built on it (see train/memory_estimate.h). Sizes are computed in
// double (a typo such as task.p = 100003 gives 10^10 table rows; model.hidden = [10^9] overflows int64 products) and
// clamped to INT64_MAX.
#include "grokscope/train/memory_estimate.h"

#include <sys/resource.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/data/synthetic.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/optim/grad_filter.h"
#include "batches.h"

namespace grokscope {

namespace {

constexpr double kMaxBytes = 9.2e18;   // just below INT64_MAX
int64_t to_bytes(double b) { return static_cast<int64_t>(std::clamp(b, 0.0, kMaxBytes)); }

// The process before any run: code, libraries, the heap of the CLI and OpenBLAS's per-thread buffers as far as a
// small run touches them. Measured: the peak RSS of `grokscope train configs/zoo/one_plus_one.toml` (2 parameters)
// is 13-14 MiB on Debian 12 (OpenBLAS 0.3.21, 2 threads).
constexpr double kBaselineBytes = 14.0 * 1024 * 1024;

using KeyList = std::vector<std::pair<std::string, std::string>>;

struct Shape {          // what the task gives the model and the trainer
  int64_t input_dim = 0, output_dim = 0;
  bool tokens = false;  // token inputs instead of dense rows
  int tokens_per_row = 2;   // [a, b], or [a, b, =] with the transformer's "tokens" encoding
  int64_t n_train = 0, n_test = 0;
  bool test_generated = false;
  double data_bytes = 0;   // the task's own buffers and arrays
  KeyList data_keys;
};

std::string num(int64_t v) { return std::to_string(v); }
int64_t or_default(int64_t v, int64_t d) { return v > 0 ? v : d; }

Shape task_shape(const TaskConfig& t, double elem) {
  namespace def = synthetic_defaults;
  Shape s;
  switch (t.kind) {
    case TaskKind::modular: {
      const double p = t.p;
      const double rows = t.pairs == PairSet::unordered ? p * (p + 1) / 2 : (t.op == "div" ? p * (p - 1) : p * p);
      s.input_dim = t.encoding == Encoding::concat ? 2 * int64_t{t.p} : t.p;
      if (t.encoding == Encoding::tokens) s.input_dim = int64_t{t.p} + 1, s.tokens_per_row = 3;   // "=" = p
      s.output_dim = t.p;
      s.tokens = true;
      s.n_train = t.n_train > 0 ? t.n_train : static_cast<int64_t>(std::floor(t.train_fraction * rows));
      s.n_test = static_cast<int64_t>(rows) - s.n_train;
      // Per table row: two tokens and a label (12 B) in the data sets, the table a, b, c (12 B), and the split.npz
      // arrays (an index, 8 B, and a, b, c again, 12 B) held by the data, the run start and the writer (3 copies).
      s.data_bytes = rows * (12 + 12 + 3 * 20);
      s.data_keys = {{"task.p", num(int64_t{t.p})}, {"task.pairs", to_string(t.pairs)}};
      break;
    }
    case TaskKind::matrix_completion: {
      const int64_t d = or_default(t.d, def::completion_d);
      const double cells = static_cast<double>(d) * static_cast<double>(d);
      s.input_dim = d;
      s.output_dim = 1;
      s.tokens = true;
      s.n_train = t.n_train > 0 ? t.n_train : static_cast<int64_t>(std::floor(t.train_fraction * cells));
      s.n_test = static_cast<int64_t>(cells) - s.n_train;
      // tokens, targets; X* (reference and array, 3 copies) and the cell indices (3 copies).
      s.data_bytes = cells * (8 + elem + 8 + 3 * 8 + 3 * 8);
      s.data_keys = {{"task.d", num(t.d)}};
      break;
    }
    default: {
      int64_t d = 0, n_train = 0, n_test = 0, out = 1;
      bool generated = true;
      if (t.kind == TaskKind::teacher_classes) {
        d = or_default(t.d, def::teacher_d), n_train = or_default(t.n_train, def::teacher_n_train);
        n_test = or_default(t.n_test, def::teacher_n_test), out = t.n_classes > 0 ? t.n_classes : def::teacher_classes;
        generated = false;
      } else if (t.kind == TaskKind::sparse_linear) {
        d = or_default(t.d, def::sparse_d), n_train = or_default(t.n_train, def::sparse_n_train);
        n_test = or_default(t.n_test, def::sparse_n_test);
      } else if (t.kind == TaskKind::gaussian_margin) {
        d = or_default(t.d, def::gaussian_d), n_train = or_default(t.n_train, def::gaussian_n_train);
        n_test = or_default(t.n_test, def::gaussian_n_test);
      } else if (t.kind == TaskKind::toy_regression) {
        d = t.toy == ToyProblem::one_plus_one ? 2 : 3, n_train = 1, n_test = or_default(t.n_test, def::toy_n_test);
        generated = false;
      } else {   // sparse_regression
        d = or_default(t.d, def::regression_d), n_train = or_default(t.n_train, def::regression_n_train);
        n_test = or_default(t.n_test, def::regression_n_test);
      }
      s.input_dim = d, s.output_dim = out, s.n_train = n_train, s.n_test = n_test, s.test_generated = generated;
      const double stored = static_cast<double>(n_train) + (generated ? 0.0 : static_cast<double>(n_test));
      // Stored rows (and their targets); the reference vectors (w*, W*: out x d, in double, 3 copies).
      s.data_bytes = stored * (static_cast<double>(d) * elem + 8) + 3.0 * 8 * static_cast<double>(d) * out;
      s.data_keys = {{"task.d", num(t.d)}, {"task.n_train", num(t.n_train)}};
      if (!generated) s.data_keys.push_back({"task.n_test", num(t.n_test)});
      break;
    }
  }
  return s;
}

std::string hidden_text(const std::vector<int>& h) {
  std::string out = "[";
  for (size_t i = 0; i < h.size(); ++i) out += (i ? ", " : "") + std::to_string(h[i]);
  return out + "]";
}

bool has_probe(const EvalConfig& e, const char* name, bool in_default) {
  for (const auto& p : e.probes)
    if (p == name || (in_default && p == "default")) return true;
  return false;
}

}  // namespace

const MemoryPart& MemoryEstimate::largest() const {
  const MemoryPart* best = &parts.front();
  for (const auto& p : parts)
    if (p.name != "baseline" && (best->name == "baseline" || p.bytes > best->bytes)) best = &p;
  return *best;
}

MemoryEstimate estimate_memory(const RunConfig& config) {
  const double elem = config.train.dtype == Dtype::f64 ? 8.0 : 4.0;
  const Shape shape = task_shape(config.task, elem);
  const double n_train = static_cast<double>(shape.n_train), n_test = static_cast<double>(shape.n_test);
  const double out = static_cast<double>(shape.output_dim);
  const bool big_hidden = std::any_of(config.model.hidden.begin(), config.model.hidden.end(),
                                      [&](int h) { return int64_t{h} >= shape.input_dim; });
  const std::pair<std::string, std::string> hidden_key{"model.hidden", hidden_text(config.model.hidden)};
  const std::pair<std::string, std::string> input_key = shape.data_keys.front();

  // Parameters: the layout of the model that will be built (no buffer is allocated for it).
  TaskData<float> dims;
  dims.input_dim = static_cast<int>(std::min<int64_t>(shape.input_dim, std::numeric_limits<int>::max()));
  dims.output_dim = static_cast<int>(std::min<int64_t>(shape.output_dim, std::numeric_limits<int>::max()));
  dims.train.tokens_per_row = shape.tokens ? shape.tokens_per_row : 0;
  const auto model = make_model<float>(config.model, dims);
  double n_params = 0, largest_matrix = 0;
  for (const auto& p : model->layout().params()) {
    const double size = static_cast<double>(p.rows) * static_cast<double>(p.cols);
    n_params += size;
    if (!p.is_bias) largest_matrix = std::max(largest_matrix, size);
  }
  // params, params_init, grads, last_good; one per-thread gradient scratch; the exports of params_init (held by the
  // run start and the writer) and params_final; the optimizer's state; the Grokfast filter's state.
  double copies = 4 + 1 + 3;
  switch (config.optim.kind) {
    case OptimKind::sgd: copies += config.optim.momentum != 0 ? 1 : 0; break;
    case OptimKind::adam:
    case OptimKind::adamw: copies += 2; break;
    case OptimKind::gradient_flow: copies += 10; break;   // Dormand-Prince: 7 stages, error, dense output
  }
  copies += static_cast<double>(grad_filter_copies(config.optim));   // Grokfast: the EMA, or the MA ring and sum
  MemoryPart params{"parameters", to_bytes(n_params * elem * copies), {}};
  params.keys = big_hidden ? KeyList{hidden_key, input_key} : KeyList{input_key, hidden_key};
  params.keys.push_back({"optim.kind", to_string(config.optim.kind)});
  if (config.optim.grad_filter == GradFilterKind::ma)
    params.keys.push_back({"optim.ma_window", num(config.optim.ma_window)});

  // Activations: every layer's pre- and post-activation for the training batch, the loss gradient, and the same for
  // one evaluation chunk (a stored set whole; a generated one in chunks of 2^24 input values, drawn into a buffer).
  const bool mlp = config.model.kind == ModelKind::mlp || config.model.kind == ModelKind::embedding_mlp;
  const double d_in = static_cast<double>(shape.input_dim);
  double width_sum = out * 2;
  if (mlp)
    for (int h : config.model.hidden) width_sum += 2.0 * h;
  if (config.model.kind == ModelKind::embedding_mlp) width_sum += config.model.embedding_dim;
  if (config.model.kind == ModelKind::transformer) {   // per block (nn/transformer_workspace.h), forward + backward
    const double ctx = shape.tokens_per_row, d = config.model.d_model, heads = config.model.heads;
    width_sum += config.model.layers * (10 * ctx * d + 6 * d + 2 * heads * ctx + 2.0 * config.model.d_mlp) + 3 * d;
  }
  // The transformer's block-0 table (nn/transformer_workspace.h): vocab * ctx rows of at most 12 d_model values
  // (x, dy, dx, LayerNorm's y and xhat, q, k, v and their gradients).
  double table = 0;
  if (config.model.kind == ModelKind::transformer)
    table = (config.task.p + 1.0) * shape.tokens_per_row * 12.0 * config.model.d_model * elem;
  const bool full_batch = config.train.batch_size == 0 || config.train.batch_size >= shape.n_train;
  const double batch = full_batch ? n_train : static_cast<double>(config.train.batch_size);
  // A generated test set of at most detail::kCacheBytes is drawn once and kept (train/batches.h).
  const bool cached = shape.test_generated && n_test * d_in * elem <= static_cast<double>(detail::kCacheBytes);
  const double chunk_rows =
      shape.test_generated && !cached ? std::min(n_test, std::max(1.0, std::floor(16777216.0 / d_in))) : n_test;
  double act = (batch + chunk_rows + (full_batch ? 0 : n_train)) * width_sum * elem;
  if (shape.test_generated) act += chunk_rows * (d_in * elem + 8);
  // The diagonal net's w = u^D - v^D and its gradient; the matrix model's U U^T - V V^T and its gradient.
  if (config.model.kind == ModelKind::diagonal) act += 4 * d_in * elem;
  if (config.model.kind == ModelKind::matrix_factorization) act += 4 * d_in * d_in * elem;
  act += table;
  MemoryPart acts{"activations", to_bytes(act), {}};
  // The batch's rows: the whole training set (driven by the task's size) or train.batch_size.
  const std::pair<std::string, std::string> batch_key{"train.batch_size", num(config.train.batch_size)};
  const auto rows_key = full_batch ? input_key : batch_key;
  acts.keys = big_hidden ? KeyList{hidden_key, rows_key} : KeyList{rows_key, hidden_key};
  if (full_batch) acts.keys.push_back(batch_key);

  // Probes (an MLP's hidden widths matter only to an MLP): the spectral probe's SVD of the largest weight matrix in double (copy, U, V, work: ~4 copies); the gates
  // probe's train-set pre-activations; the Fourier-loss probe's full table; the opt-in ntk and zero_loss_direction
  // Jacobians ((rows x outputs) x P in double).
  double probes = 0;
  if (has_probe(config.eval, "spectral", true)) probes += 4 * 8 * largest_matrix;
  if (has_probe(config.eval, "gates", true) && mlp && !config.model.hidden.empty())
    probes += n_train * config.model.hidden.front() * 8;
  if (config.task.kind == TaskKind::modular && has_probe(config.eval, "fourier_loss", true))
    probes += (n_train + n_test) * 16 + 2.0 * largest_matrix * 8;
  // ntk: the training rows' features (rows x outputs) x P, the kernel between them and a factorization of it, and
  // the kernel rows of the test set against the training rows.
  if (has_probe(config.eval, "ntk", false))
    probes += (2 * n_train * out * n_params + 2 * n_train * n_train * out * out + n_test * n_train * out * out) * 8;
  if (has_probe(config.eval, "zero_loss_direction", false)) probes += 2 * n_train * out * n_params * 8;
  MemoryPart probe_part{"probes", to_bytes(probes), KeyList{{"eval.probes", ""}, hidden_key}};

  MemoryPart data{"data", to_bytes(shape.data_bytes), shape.data_keys};
  MemoryPart base{"baseline", to_bytes(kBaselineBytes), {}};
  MemoryEstimate e;
  e.parts = {data, params, acts, probe_part, base};
  double total = 0;
  for (const auto& p : e.parts) total += static_cast<double>(p.bytes);
  e.total = to_bytes(total);
  return e;
}

int64_t parse_memory_size(const std::string& key, const std::string& text) {
  std::string s = text;
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  size_t used = 0;
  double v = 0;
  const auto bad = [&] {
    return ConfigError(key, "\"" + text + "\"",
                       "not a memory size (bytes, or a number with a unit K, M, G or T, powers of 1024: \"16G\", "
                       "\"512M\")");
  };
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    throw bad();
  }
  std::string unit = s.substr(used);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::toupper(c); });
  if (unit.size() > 1 && (unit.ends_with("IB") || unit.ends_with("B"))) unit = unit.substr(0, 1);
  double scale = 1;
  if (unit == "K") scale = 1024.0;
  else if (unit == "M") scale = 1024.0 * 1024;
  else if (unit == "G") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty() && unit != "B") throw bad();
  if (!std::isfinite(v) || v <= 0 || v * scale >= kMaxBytes) throw bad();
  return static_cast<int64_t>(v * scale);
}

std::string format_bytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) v /= 1024, ++u;
  if (u == 0) return fmt::format("{} B", bytes);
  return v < 10 ? fmt::format("{:.1f} {}", v, units[u]) : fmt::format("{:.0f} {}", v, units[u]);
}

namespace {
std::optional<int64_t> meminfo(const std::string& field) {
  std::ifstream in("/proc/meminfo");
  std::string name;
  int64_t kb = 0;
  std::string unit;
  while (in >> name >> kb) {
    std::getline(in, unit);
    if (name == field + ":") return kb * 1024;
  }
  return std::nullopt;
}
std::optional<int64_t> read_number(const char* path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}
std::optional<int64_t> lower(std::optional<int64_t> a, std::optional<int64_t> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}
}  // namespace

std::optional<int64_t> available_memory() {
  std::optional<int64_t> cgroup;
  if (auto max = read_number("/sys/fs/cgroup/memory.max"))
    cgroup = *max - read_number("/sys/fs/cgroup/memory.current").value_or(0);
  return lower(meminfo("MemAvailable"), cgroup);
}

std::optional<int64_t> total_memory() {
  return lower(meminfo("MemTotal"), read_number("/sys/fs/cgroup/memory.max"));
}

int64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_maxrss) * 1024;   // Linux reports kilobytes
}

void check_memory(const RunConfig& config, const MemoryEstimate& estimate, std::optional<int64_t> fallback_limit,
                  int runs_at_once, const std::string& fallback_label) {
  const bool capped = !config.train.max_memory.empty();
  const std::optional<int64_t> limit =
      capped ? std::optional(parse_memory_size("train.max_memory", config.train.max_memory)) : fallback_limit;
  if (!limit) return;
  const double need = static_cast<double>(estimate.total) * std::max(runs_at_once, 1);
  if (need <= static_cast<double>(*limit)) return;
  const MemoryPart& big = estimate.largest();
  std::string drivers;
  for (size_t i = 1; i < big.keys.size(); ++i)
    drivers += fmt::format("{}{}{}", i > 1 ? ", " : "", big.keys[i].first,
                           big.keys[i].second.empty() ? "" : " = " + big.keys[i].second);
  const std::string one_run = fmt::format("the run needs about {} ({} {}{})", format_bytes(estimate.total),
                                          big.name, format_bytes(big.bytes),
                                          drivers.empty() ? "" : "; also driven by " + drivers);
  const std::string need_text =
      runs_at_once > 1 ? fmt::format("{} runs at once (the sweep's workers) need about {}; each: {}", runs_at_once,
                                     format_bytes(to_bytes(need)), one_run)
                       : one_run;
  const std::string limit_text =
      capped ? fmt::format("above train.max_memory = {} ({})", config.train.max_memory, format_bytes(*limit))
      : !fallback_label.empty() ? fmt::format("above {} ({})", fallback_label, format_bytes(*limit))
             : fmt::format("above the {} this machine has available (set a cap with --max-memory or train.max_memory)",
                           format_bytes(*limit));
  throw ConfigError(big.keys.front().first, big.keys.front().second, need_text + ", " + limit_text);
}

std::string out_of_memory_message(const MemoryEstimate& estimate, const std::string& phase) {
  const MemoryPart& big = estimate.largest();
  return fmt::format("out of memory while {}; the run was estimated at {}, {} {} of it, driven by {} (free memory "
                     "or make the run smaller)",
                     phase, format_bytes(estimate.total), big.name, format_bytes(big.bytes), big.keys.front().first);
}

namespace {
class PhaseObserver : public RunObserver {
 public:
  PhaseObserver(RunObserver& inner, int64_t estimate) : inner_(inner), estimate_(estimate) {}
  void on_start(const RunStart& s) override {
    phase_ = "writing the run's first files (config.toml, split.npz, params_init.npz)";
    inner_.on_start(s);
    phase_ = "training";
  }
  void on_eval(const std::vector<double>& row) override { inner_.on_eval(row); }
  void on_progress(const Progress& p) override { inner_.on_progress(p); }
  void on_trajectory(int64_t step, double time, const std::vector<double>& params) override {
    inner_.on_trajectory(step, time, params);
  }
  void on_finish(const RunSummary& s, const std::vector<NpyArray>& params) override {
    phase_ = "writing the final outputs (params_final.npz, summary.json)";
    RunSummary with_memory = s;
    with_memory.memory_estimate = estimate_;
    with_memory.peak_rss = peak_rss_bytes();
    inner_.on_finish(with_memory, params);
  }
  bool stop_requested() override { return inner_.stop_requested(); }
  const std::string& phase() const { return phase_; }

 private:
  RunObserver& inner_;
  int64_t estimate_;
  std::string phase_ = "setting up the run: data, model, optimizer state, probes";
};
}  // namespace

RunSummary run_with_memory_guard(const MemoryEstimate& estimate, RunObserver& observer,
                                 const std::function<RunSummary(RunObserver&)>& body) {
  PhaseObserver guarded(observer, estimate.total);
  try {
    RunSummary s = body(guarded);
    s.memory_estimate = estimate.total;
    s.peak_rss = peak_rss_bytes();
    return s;
  } catch (const std::bad_alloc&) {
    throw MemoryError(out_of_memory_message(estimate, guarded.phase()));
  } catch (const std::length_error&) {   // a container asked for more than it can ever hold
    throw MemoryError(out_of_memory_message(estimate, guarded.phase()));
  }
}

}  // namespace grokscope
