// MLP forward/backward over the flat parameter buffer (see nn/mlp.h for the equations and layout).
//
// Execution (docs/performance.md): the rows of a batch are cut into blocks of a fixed size (block_rows(), chosen
// from the batch size and the widths: up to 256 rows, about 1 MiB of activations) and the blocks are split into
// contiguous ranges over grokscope's thread team. Forward runs every layer on one block before moving to the next
// block; each GEMM is a serial OpenBLAS call on the block. The activations of a token-input first layer are never
// stored: backward recomputes them from the gather (two row loads and adds per element, cheaper than writing and
// re-reading n x width floats). Backward walks each block from the head down, accumulating the weight gradients of
// its thread into a private buffer (thread 0 into grad itself) that are summed in thread order at the end; biases
// accumulate column sums the same way. Forward results depend only on the block size; gradients also on the
// number of threads (the order of the final sum), never on timing, so a run is bit-for-bit repeatable for a given
// config and thread count.
#include "grokscope/nn/mlp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "grokscope/core/error.h"
#include "grokscope/kernels/activation.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/kernels/parallel.h"
#include "grokscope/kernels/rows.h"

namespace grokscope {

namespace {

using kernels::Trans;

// Scratch of one thread: B x max-width blocks, and a private gradient buffer (threads >= 1).
template <class T>
struct ThreadScratch {
  std::vector<T> h0, z0;    // recomputed token-layer activations / pre-activations of a block
  std::vector<T> da, db;    // deltas of a block (ping-pong between layers)
  std::vector<T> grad;      // partial gradient, layout().total_size() (unused by thread 0)
};

template <class T>
struct MlpWorkspace final : Workspace {
  int64_t max_rows = 0;
  int block = 0;                  // rows per block
  size_t scratch_size = 0;        // block x max width
  std::vector<std::vector<T>> z;  // per layer: the output (last layer), else pre-activations kept for backward
                                  // (only when the derivative needs z and the layer is not a token layer)
  std::vector<std::vector<T>> h;  // per hidden layer: activations, max_rows x out (empty for a token layer)
  std::vector<ThreadScratch<T>> threads;

  void ensure_threads(int n, int64_t grad_size) {
    for (int t = static_cast<int>(threads.size()); t < n; ++t) {
      ThreadScratch<T> s;
      s.h0.resize(scratch_size);
      s.z0.resize(scratch_size);
      s.da.resize(scratch_size);
      s.db.resize(scratch_size);
      if (t > 0) s.grad.resize(static_cast<size_t>(grad_size));
      threads.push_back(std::move(s));
    }
  }
};

double activation_gain(Activation act, double slope) {
  // torch.nn.init.calculate_gain for kaiming_normal_(mode="fan_in", nonlinearity=...)
  switch (act) {
    case Activation::relu: return std::sqrt(2.0);
    case Activation::leaky_relu: return std::sqrt(2.0 / (1.0 + slope * slope));
    case Activation::tanh: return 5.0 / 3.0;
    case Activation::quadratic:
    case Activation::identity: return 1.0;
  }
  return 1.0;
}

using kernels::add_bias_rows;
using kernels::add_column_sums;

// Rows per block: at most 256, and at most 1 MiB of the widest layer's activations (GROKSCOPE_MLP_BLOCK overrides).
// Measured (docs/performance.md, section "Issue 22"): the head's GEMMs repack W2 and read-modify-write its gradient once
// per block, so small blocks pay that fixed cost often; 256 rows ran the Lyu step 1.35x faster than the former 32 at
// width 1024 and was the best or tied of 32..4096 at widths 128, 512 and 1024. The batch is then cut into an even
// number of equal blocks, so that two threads get the same work, from the batch size alone: the forward outputs do
// not depend on the thread count.
int block_rows(int64_t max_rows, int max_width, size_t elem) {
  if (const char* env = std::getenv("GROKSCOPE_MLP_BLOCK")) {
    const int b = std::atoi(env);
    if (b > 0) return b;
  }
  const int64_t by_cache = (int64_t{1} << 20) / (static_cast<int64_t>(max_width) * static_cast<int64_t>(elem));
  const int64_t target = std::clamp<int64_t>(by_cache / 16 * 16, 16, 256);
  int64_t n_blocks = (max_rows + target - 1) / target;
  if (n_blocks > 1 && n_blocks % 2 == 1) ++n_blocks;
  const int64_t rows = (max_rows + n_blocks - 1) / std::max<int64_t>(n_blocks, 1);
  return static_cast<int>(std::clamp<int64_t>((rows + 15) / 16 * 16, 16, target));
}

}  // namespace

template <class T>
Mlp<T>::Mlp(const ModelConfig& config, const MlpShape& shape) : config_(config), shape_(shape) {
  GS_CHECK(shape.input_dim > 0 && shape.output_dim > 0);
  GS_CHECK(!shape.embedding || shape.token_input);
  widths_.push_back(shape.input_dim);
  if (shape.embedding) widths_.push_back(config.embedding_dim);
  for (int w : config.hidden) widths_.push_back(w);
  widths_.push_back(shape.output_dim);
  const int n_layers = num_layers();
  // Register weights and biases layer by layer (w1, b1, w2, b2, ...), so the buffer is in layer order.
  std::vector<std::pair<int64_t, int64_t>> offsets;
  for (int l = 0; l < n_layers; ++l) {
    if (shape.embedding && l == 0) {
      // E is stored p x d, which is also its PyTorch (nn.Embedding) shape: rows = p, cols = d.
      layout_.add("E", "embedding", widths_[0], widths_[1], false);
      continue;
    }
    // In the embedding variant the layers after E are numbered from 1 (w1 is the first hidden layer).
    const int number = shape.embedding ? l : l + 1;
    const std::string group = (l == n_layers - 1) ? "head" : (l == 0 ? "input" : "hidden");
    const bool has_bias = config.bias == BiasMode::all || (config.bias == BiasMode::first && number == 1);
    const bool transposed = (l == 0 && shape.token_input);
    layout_.add(fmt::format("w{}", number), group, widths_[l + 1], widths_[l], transposed);
    if (has_bias) layout_.add(fmt::format("b{}", number), group, widths_[l + 1], 1, false, true);
  }
  for (int l = 0; l < n_layers; ++l) {
    LayerParams lp;
    const int number = shape.embedding ? l : l + 1;
    lp.weight = layout_.find(shape.embedding && l == 0 ? std::string("E") : fmt::format("w{}", number));
    lp.bias = (shape.embedding && l == 0) ? nullptr : layout_.find(fmt::format("b{}", number));
    lp.in = widths_[l];
    lp.out = widths_[l + 1];
    layers_.push_back(lp);
  }
}

template <class T>
int Mlp<T>::homogeneity() const {
  // Degree of the output in all parameters jointly: layer 1 has degree 1, and layer l degree k * d_{l-1} + 1 with k
  // the degree of the activation between them (1 for relu/leaky/identity, 2 for quadratic; tanh has none). A bias
  // is degree 1, so the model stays homogeneous only when every bias sits in a layer of degree 1.
  int degree = 1;
  for (int l = 0; l < num_layers(); ++l) {
    if (l > 0) {
      int k = 1;
      switch (activation_of(l - 1)) {
        case Activation::relu:
        case Activation::leaky_relu:
        case Activation::identity: k = 1; break;
        case Activation::quadratic: k = 2; break;
        case Activation::tanh: return 0;
      }
      degree = k * degree + 1;
    }
    if (layers_[static_cast<size_t>(l)].bias && degree != 1) return 0;
  }
  return degree;
}

template <class T>
void Mlp<T>::init_params(T* params, Rng& rng) const {
  const int n_layers = num_layers();
  std::fill(params, params + layout_.total_size(), T(0));
  for (int l = 0; l < n_layers; ++l) {
    const LayerParams& lp = layers_[static_cast<size_t>(l)];
    const bool last = (l == n_layers - 1);
    const double fan_in = lp.in;
    T* w = params + lp.weight->offset;
    T* b = lp.bias ? params + lp.bias->offset : nullptr;
    // Values are drawn in PyTorch order (out x in, row-major) and stored transposed where the layout says so.
    auto store = [&](int64_t o, int64_t i, double v) {
      const bool stored_in_by_out = lp.weight->transposed || (shape_.embedding && l == 0);
      const int64_t idx = stored_in_by_out ? i * lp.out + o : o * lp.in + i;
      w[idx] = static_cast<T>(v * config_.init_scale);
    };
    if (config_.init == InitKind::torch_default) {
      // nn.Linear.reset_parameters: kaiming_uniform_(a=sqrt(5)) => U(-1/sqrt(fan_in), 1/sqrt(fan_in)); same bound
      // for the bias.
      const double bound = 1.0 / std::sqrt(fan_in);
      for (int64_t o = 0; o < lp.out; ++o)
        for (int64_t i = 0; i < lp.in; ++i) store(o, i, rng.uniform(-bound, bound));
      if (b)
        for (int64_t o = 0; o < lp.out; ++o) b[o] = static_cast<T>(rng.uniform(-bound, bound));
    } else {
      double std = 0.0;
      switch (config_.init) {
        case InitKind::he:
          std = (last ? 1.0 : activation_gain(activation_of(l), config_.leaky_slope)) / std::sqrt(fan_in);
          break;
        case InitKind::lecun: std = 1.0 / std::sqrt(fan_in); break;
        case InitKind::normal: std = config_.init_std; break;
        case InitKind::torch_default: break;
      }
      for (int64_t o = 0; o < lp.out; ++o)
        for (int64_t i = 0; i < lp.in; ++i) store(o, i, std * rng.normal());
    }
    if (last && config_.zero_last_layer) {
      std::fill(w, w + lp.weight->size(), T(0));
      if (b) std::fill(b, b + lp.out, T(0));
    }
  }
}

template <class T>
bool Mlp<T>::keeps_z(int l) const {
  return l < num_layers() - 1 && keeps_h(l) && kernels::activation_needs_z(activation_of(l));
}

template <class T>
std::unique_ptr<Workspace> Mlp<T>::make_workspace(int64_t max_rows) const {
  auto ws = std::make_unique<MlpWorkspace<T>>();
  ws->max_rows = max_rows;
  const int n_layers = num_layers();
  int max_width = 0;
  for (int l = 0; l < n_layers; ++l) {
    const LayerParams& lp = layers_[static_cast<size_t>(l)];
    max_width = std::max(max_width, lp.out);
    if (l > 0 || !shape_.token_input) max_width = std::max(max_width, lp.in);
    const bool last = l == n_layers - 1;
    const auto full = static_cast<size_t>(max_rows * lp.out);
    ws->z.emplace_back(last || keeps_z(l) ? full : 0);
    ws->h.emplace_back(!last && keeps_h(l) ? full : 0);
  }
  const int block = block_rows_ > 0 ? block_rows_ : block_rows(max_rows, max_width, sizeof(T));
  ws->block = static_cast<int>(std::min<int64_t>(block, std::max<int64_t>(max_rows, 1)));
  ws->scratch_size = static_cast<size_t>(ws->block) * static_cast<size_t>(max_width);
  ws->ensure_threads(1, layout_.total_size());
  return ws;
}

// z (rows x width) = sum over the row's tokens of the rows of W1^T (+ b1): the one-hot product as a gather.
template <class T>
void Mlp<T>::token_preactivation(const T* params, const InputBatch<T>& x, int64_t r0, int rows, T* z) const {
  const LayerParams& lp = layers_[0];
  const T* wt = params + lp.weight->offset;  // stored in x out (token rows)
  const T* bias = lp.bias ? params + lp.bias->offset : nullptr;
  const int tpr = x.tokens_per_row;
  kernels::gather_token_rows(wt, lp.out, x.tokens + r0 * tpr, tpr, rows, bias, z);
}

// Rows per chunk of the token layer's fused row passes: a chunk of a 1024-wide f32 layer (16 KiB) stays in L1 between
// the gather and the activation (forward), and between the activation's derivative, the bias sums and the scatter
// (backward). Each pass still visits rows in order, so chunking changes no result.
constexpr int kTokenChunk = 4;

// Activations of the token layer for a block: h, and z when the derivative needs it (z may equal h otherwise).
template <class T>
void Mlp<T>::token_activations(const T* params, const InputBatch<T>& x, int64_t r0, int rows, T* z, T* h) const {
  const int width = layers_[0].out;
  const Activation act = activation_of(0);
  const T slope = static_cast<T>(config_.leaky_slope);
  const bool keep_z = kernels::activation_needs_z(act);
  for (int c0 = 0; c0 < rows; c0 += kTokenChunk) {
    const int n = std::min(kTokenChunk, rows - c0);
    const int64_t at = static_cast<int64_t>(c0) * width;
    T* pre = keep_z ? z + at : h + at;
    token_preactivation(params, x, r0 + c0, n, pre);
    kernels::activation_forward<T>(act, slope, pre, h + at, static_cast<int64_t>(n) * width);
  }
}

// The token layer's backward for a block, fused over row chunks: delta = dh * sigma'(z) in place, the bias's column
// sums, and the scatter of delta into the rows of W1^T's gradient.
template <class T>
void Mlp<T>::token_layer_backward(const InputBatch<T>& x, int64_t r0, int rows, const T* z, const T* h, T* dh,
                                  T* g) const {
  const LayerParams& lp = layers_[0];
  const int width = lp.out;
  const T slope = static_cast<T>(config_.leaky_slope);
  T* bias_grad = lp.bias ? g + lp.bias->offset : nullptr;
  for (int c0 = 0; c0 < rows; c0 += kTokenChunk) {
    const int n = std::min(kTokenChunk, rows - c0);
    const int64_t at = static_cast<int64_t>(c0) * width;
    const int64_t len = static_cast<int64_t>(n) * width;
    kernels::activation_backward<T>(activation_of(0), slope, z ? z + at : nullptr, h + at, dh + at, dh + at, len);
    if (bias_grad) add_column_sums(dh + at, n, width, bias_grad);
    scatter_token_grad(x, r0 + c0, n, dh + at, g);
  }
}

// grad(W1^T)[token] += delta row, for every token of every row of the block.
template <class T>
void Mlp<T>::scatter_token_grad(const InputBatch<T>& x, int64_t r0, int rows, const T* delta, T* grad) const {
  const LayerParams& lp = layers_[0];
  const int tpr = x.tokens_per_row;
  kernels::scatter_token_rows(delta, lp.out, x.tokens + r0 * tpr, tpr, rows, grad + lp.weight->offset);
}

template <class T>
void Mlp<T>::forward_block(const T* params, const InputBatch<T>& x, Workspace& ws_base, int thread, int64_t r0,
                           int rows) const {
  auto& ws = static_cast<MlpWorkspace<T>&>(ws_base);
  ThreadScratch<T>& s = ws.threads[static_cast<size_t>(thread)];
  const int n_layers = num_layers();
  const T slope = static_cast<T>(config_.leaky_slope);
  const T* in = nullptr;  // this block's input to the current layer, rows x lp.in
  for (int l = 0; l < n_layers; ++l) {
    const LayerParams& lp = layers_[static_cast<size_t>(l)];
    const bool last = l == n_layers - 1;
    const auto lsz = static_cast<size_t>(l);
    if (l == 0 && shape_.token_input && !last) {
      token_activations(params, x, r0, rows, s.z0.data(), s.h0.data());
      in = s.h0.data();
      continue;
    }
    // Pre-activations go where they are kept: the output, the stored z, or straight into h (activation in place).
    T* z = (last || keeps_z(l)) ? ws.z[lsz].data() + r0 * lp.out : ws.h[lsz].data() + r0 * lp.out;
    if (l == 0 && shape_.token_input) {
      token_preactivation(params, x, r0, rows, z);  // a one-layer model: bias added there
    } else {
      const T* a = (l == 0) ? x.dense + r0 * lp.in : in;
      kernels::gemm<T>(Trans::no, Trans::yes, rows, lp.out, lp.in, T(1), a, lp.in, params + lp.weight->offset,
                       lp.in, T(0), z, lp.out);
      if (lp.bias) add_bias_rows(z, params + lp.bias->offset, rows, lp.out);
    }
    if (last) break;
    T* h = ws.h[lsz].data() + r0 * lp.out;
    kernels::activation_forward<T>(activation_of(l), slope, z, h, static_cast<int64_t>(rows) * lp.out);
    in = h;
  }
}

template <class T>
const T* Mlp<T>::forward(const T* params, const InputBatch<T>& x, Workspace& ws_base) const {
  auto& ws = static_cast<MlpWorkspace<T>&>(ws_base);
  GS_CHECK(x.n <= ws.max_rows);
  GS_CHECK(x.dim == shape_.input_dim);
  GS_CHECK((x.tokens_per_row > 0) == shape_.token_input);
  const int64_t n_blocks = (x.n + ws.block - 1) / ws.block;
  const int threads = static_cast<int>(std::min<int64_t>(kernels::num_threads(), n_blocks));
  ws.ensure_threads(threads, layout_.total_size());
  kernels::parallel(threads, [&](int t, int nt) {
    const auto [b0, b1] = kernels::partition(n_blocks, t, nt);
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r0 = b * ws.block;
      forward_block(params, x, ws, t, r0, static_cast<int>(std::min<int64_t>(ws.block, x.n - r0)));
    }
  });
  return ws.z[static_cast<size_t>(num_layers() - 1)].data();
}

// Adds this block's contribution to the gradient buffer g (zeroed by the caller).
template <class T>
void Mlp<T>::backward_block(const T* params, const InputBatch<T>& x, const T* d_out, T* g, Workspace& ws_base,
                            int thread, int64_t r0, int rows) const {
  auto& ws = static_cast<MlpWorkspace<T>&>(ws_base);
  ThreadScratch<T>& s = ws.threads[static_cast<size_t>(thread)];
  const int n_layers = num_layers();
  const T slope = static_cast<T>(config_.leaky_slope);
  const T* delta = d_out + r0 * layers_.back().out;  // dLoss/dz_l of this block, rows x out_l
  T* spare = s.da.data();
  // The token layer's activations (input of layer 1, and its derivative) are recomputed for this block.
  const bool recompute = shape_.token_input && n_layers > 1;
  if (recompute) token_activations(params, x, r0, rows, s.z0.data(), s.h0.data());
  for (int l = n_layers - 1; l >= 0; --l) {
    const LayerParams& lp = layers_[static_cast<size_t>(l)];
    if (l == 0 && shape_.token_input) {
      scatter_token_grad(x, r0, rows, delta, g);
    } else {
      const T* in = (l == 0) ? x.dense + r0 * lp.in
                             : (keeps_h(l - 1) ? ws.h[static_cast<size_t>(l - 1)].data() + r0 * lp.in : s.h0.data());
      // dW (out x in) += delta^T (out x rows) * in (rows x in)
      kernels::gemm<T>(Trans::yes, Trans::no, lp.out, lp.in, rows, T(1), delta, lp.out, in, lp.in, T(1),
                       g + lp.weight->offset, lp.in);
    }
    if (lp.bias) add_column_sums(delta, rows, lp.out, g + lp.bias->offset);
    if (l == 0) break;
    // dh_{l-1} (rows x in) = delta (rows x out) * W (out x in); then delta_{l-1} = dh * sigma'(z_{l-1}) in place.
    kernels::gemm<T>(Trans::no, Trans::no, rows, lp.in, lp.out, T(1), delta, lp.out, params + lp.weight->offset,
                     lp.in, T(0), spare, lp.in);
    const auto prev = static_cast<size_t>(l - 1);
    const bool stored = keeps_h(l - 1);
    const T* h = stored ? ws.h[prev].data() + r0 * lp.in : s.h0.data();
    const T* z = stored ? (keeps_z(l - 1) ? ws.z[prev].data() + r0 * lp.in : nullptr) : s.z0.data();
    if (l == 1 && recompute) {  // the token layer: derivative, bias and scatter in one pass over the rows
      token_layer_backward(x, r0, rows, kernels::activation_needs_z(activation_of(0)) ? z : nullptr, h, spare, g);
      break;
    }
    kernels::activation_backward<T>(activation_of(l - 1), slope, z, h, spare, spare,
                                    static_cast<int64_t>(rows) * lp.in);
    delta = spare;
    spare = (spare == s.da.data()) ? s.db.data() : s.da.data();
  }
}

template <class T>
void Mlp<T>::backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws_base) const {
  auto& ws = static_cast<MlpWorkspace<T>&>(ws_base);
  const int64_t total = layout_.total_size();
  const int64_t n_blocks = (x.n + ws.block - 1) / ws.block;
  const int threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(kernels::num_threads(), n_blocks)));
  ws.ensure_threads(threads, total);
  int used = 1;
  kernels::parallel(threads, [&](int t, int nt) {
    if (t == 0) used = nt;
    T* g = t == 0 ? grad : ws.threads[static_cast<size_t>(t)].grad.data();
    std::fill(g, g + total, T(0));
    const auto [b0, b1] = kernels::partition(n_blocks, t, nt);
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r0 = b * ws.block;
      backward_block(params, x, d_out, g, ws, t, r0, static_cast<int>(std::min<int64_t>(ws.block, x.n - r0)));
    }
  });
  if (used == 1) return;
  // grad += partial_1 + partial_2 + ... (in thread order), split over the team by index ranges.
  kernels::parallel(used, [&](int t, int nt) {
    const auto [lo, hi] = kernels::partition(total, t, nt, 64);
    for (int u = 1; u < used; ++u) {
      const T* __restrict p = ws.threads[static_cast<size_t>(u)].grad.data();
      T* __restrict gr = grad;
      for (int64_t i = lo; i < hi; ++i) gr[i] += p[i];
    }
  });
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace grokscope
