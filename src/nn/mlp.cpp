// MLP forward/backward over the flat parameter buffer (see nn/mlp.h for the equations and layout).
#include "grokscope/nn/mlp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "grokscope/core/error.h"
#include "grokscope/kernels/activation.h"
#include "grokscope/kernels/blas.h"

namespace grokscope {

namespace {

using kernels::Trans;

template <class T>
struct MlpWorkspace final : Workspace {
  int64_t max_rows = 0;
  std::vector<std::vector<T>> z;  // pre-activations per layer, max_rows x out_l
  std::vector<std::vector<T>> h;  // activations per hidden layer (empty for the last)
  std::vector<T> buf_a, buf_b;    // backward scratch, max_rows x max width
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

template <class T>
void add_bias_rows(T* z, const T* bias, int64_t n, int width) {
  for (int64_t i = 0; i < n; ++i) {
    T* row = z + i * width;
    for (int j = 0; j < width; ++j) row[j] += bias[j];
  }
}

template <class T>
void column_sums(const T* m, int64_t n, int width, T* out) {
  std::fill(out, out + width, T(0));
  for (int64_t i = 0; i < n; ++i) {
    const T* row = m + i * width;
    for (int j = 0; j < width; ++j) out[j] += row[j];
  }
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
std::unique_ptr<Workspace> Mlp<T>::make_workspace(int64_t max_rows) const {
  auto ws = std::make_unique<MlpWorkspace<T>>();
  ws->max_rows = max_rows;
  const int n_layers = num_layers();
  int max_width = 0;
  for (int l = 0; l < n_layers; ++l) {
    const int out = layers_[static_cast<size_t>(l)].out;
    max_width = std::max({max_width, out, layers_[static_cast<size_t>(l)].in});
    ws->z.emplace_back(static_cast<size_t>(max_rows * out));
    ws->h.emplace_back(l == n_layers - 1 ? 0 : static_cast<size_t>(max_rows * out));
  }
  ws->buf_a.resize(static_cast<size_t>(max_rows * max_width));
  ws->buf_b.resize(static_cast<size_t>(max_rows * max_width));
  return ws;
}

template <class T>
void Mlp<T>::first_layer_forward(const T* params, const InputBatch<T>& x, T* z) const {
  const LayerParams& lp = layers_[0];
  const T* wt = params + lp.weight->offset;  // stored transposed: in x out
  const int width = lp.out;
  for (int64_t i = 0; i < x.n; ++i) {
    T* row = z + i * width;
    const int32_t* tok = x.tokens + i * x.tokens_per_row;
    std::memcpy(row, wt + static_cast<int64_t>(tok[0]) * width, sizeof(T) * static_cast<size_t>(width));
    for (int t = 1; t < x.tokens_per_row; ++t) {
      const T* src = wt + static_cast<int64_t>(tok[t]) * width;
      for (int j = 0; j < width; ++j) row[j] += src[j];
    }
  }
}

template <class T>
void Mlp<T>::first_layer_backward(const InputBatch<T>& x, const T* delta, T* grad) const {
  const LayerParams& lp = layers_[0];
  T* gwt = grad + lp.weight->offset;
  const int width = lp.out;
  std::fill(gwt, gwt + lp.weight->size(), T(0));
  for (int64_t i = 0; i < x.n; ++i) {
    const T* src = delta + i * width;
    const int32_t* tok = x.tokens + i * x.tokens_per_row;
    for (int t = 0; t < x.tokens_per_row; ++t) {
      T* dst = gwt + static_cast<int64_t>(tok[t]) * width;
      for (int j = 0; j < width; ++j) dst[j] += src[j];
    }
  }
}

template <class T>
const T* Mlp<T>::forward(const T* params, const InputBatch<T>& x, Workspace& ws_base) const {
  auto& ws = static_cast<MlpWorkspace<T>&>(ws_base);
  GS_CHECK(x.n <= ws.max_rows);
  GS_CHECK(x.dim == shape_.input_dim);
  GS_CHECK((x.tokens_per_row > 0) == shape_.token_input);
  const int n_layers = num_layers();
  const int n = static_cast<int>(x.n);
  const T slope = static_cast<T>(config_.leaky_slope);
  for (int l = 0; l < n_layers; ++l) {
    const LayerParams& lp = layers_[static_cast<size_t>(l)];
    T* z = ws.z[static_cast<size_t>(l)].data();
    const T* w = params + lp.weight->offset;
    if (l == 0 && shape_.token_input) {
      first_layer_forward(params, x, z);
    } else {
      const T* in = (l == 0) ? x.dense : ws.h[static_cast<size_t>(l - 1)].data();
      kernels::gemm<T>(Trans::no, Trans::yes, n, lp.out, lp.in, T(1), in, lp.in, w, lp.in, T(0), z, lp.out);
    }
    if (lp.bias) add_bias_rows(z, params + lp.bias->offset, x.n, lp.out);
    if (l < n_layers - 1)
      kernels::activation_forward<T>(activation_of(l), slope, z, ws.h[static_cast<size_t>(l)].data(),
                                     x.n * lp.out);
  }
  return ws.z[static_cast<size_t>(n_layers - 1)].data();
}

template <class T>
void Mlp<T>::backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws_base) const {
  auto& ws = static_cast<MlpWorkspace<T>&>(ws_base);
  const int n_layers = num_layers();
  const int n = static_cast<int>(x.n);
  const T slope = static_cast<T>(config_.leaky_slope);
  T* delta = d_out;  // dLoss/dz_l for the current layer, n x out_l
  T* spare = ws.buf_a.data();
  for (int l = n_layers - 1; l >= 0; --l) {
    const LayerParams& lp = layers_[static_cast<size_t>(l)];
    if (l == 0 && shape_.token_input) {
      first_layer_backward(x, delta, grad);
    } else {
      const T* in = (l == 0) ? x.dense : ws.h[static_cast<size_t>(l - 1)].data();
      // dW (out x in) = delta^T (out x n) * in (n x in)
      kernels::gemm<T>(Trans::yes, Trans::no, lp.out, lp.in, n, T(1), delta, lp.out, in, lp.in, T(0),
                       grad + lp.weight->offset, lp.in);
    }
    if (lp.bias) column_sums(delta, x.n, lp.out, grad + lp.bias->offset);
    if (l == 0) break;
    // dh_{l-1} (n x in) = delta (n x out) * W (out x in); then delta_{l-1} = dh * sigma'(z_{l-1}) in place.
    kernels::gemm<T>(Trans::no, Trans::no, n, lp.in, lp.out, T(1), delta, lp.out, params + lp.weight->offset, lp.in,
                     T(0), spare, lp.in);
    kernels::activation_backward<T>(activation_of(l - 1), slope, ws.z[static_cast<size_t>(l - 1)].data(),
                                    ws.h[static_cast<size_t>(l - 1)].data(), spare, spare, x.n * lp.in);
    T* next_spare = (spare == ws.buf_a.data()) ? ws.buf_b.data() : ws.buf_a.data();
    delta = spare;
    spare = next_spare;
  }
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace grokscope
