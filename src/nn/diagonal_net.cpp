// Diagonal linear network forward/backward (see nn/diagonal_net.h for the equations and layout).
#include "grokscope/nn/diagonal_net.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/kernels/blas.h"

namespace grokscope {

namespace {

using kernels::Trans;

template <class T>
struct DiagonalWorkspace final : Workspace {
  int64_t max_rows = 0;
  std::vector<T> w;    // (d) effective weight of the last forward
  std::vector<T> out;  // (max_rows) outputs
};

// x^k for a small integer k >= 0 (repeated multiplication: exact for k <= 2, no pow() call in the hot loop).
template <class T>
inline T int_pow(T x, int k) {
  T r = T(1);
  for (int i = 0; i < k; ++i) r *= x;
  return r;
}

}  // namespace

template <class T>
DiagonalNet<T>::DiagonalNet(const ModelConfig& config, int d) : config_(config), d_(d), depth_(config.depth) {
  if (depth_ < 1) throw ConfigError("model.depth", std::to_string(depth_), "must be >= 1 for the diagonal net");
  GS_CHECK(d > 0);
  layout_.add("u", "diagonal", d, 1, false, /*is_bias=*/true);  // is_bias: exported 1-D, shape (d,)
  layout_.add("v", "diagonal", d, 1, false, /*is_bias=*/true);
  u_ = layout_.find("u");
  v_ = layout_.find("v");
}

template <class T>
void DiagonalNet<T>::init_params(T* params, Rng& /*rng*/) const {
  const int64_t total = layout_.total_size();
  if (!config_.init_values.empty()) {
    if (static_cast<int64_t>(config_.init_values.size()) != total)
      throw ConfigError("model.init_values", fmt::format("[{} values]", config_.init_values.size()),
                        fmt::format("the diagonal net has 2d = {} parameters (u then v)", total));
    for (int64_t k = 0; k < total; ++k) params[k] = static_cast<T>(config_.init_values[static_cast<size_t>(k)]);
    return;
  }
  // u = v = alpha / sqrt(2d): ||theta_0||^2 = 2d * alpha^2 / (2d) = alpha^2 (Lyu's code, "norm 128" <=> alpha 128).
  const T value = static_cast<T>(config_.init_scale / std::sqrt(2.0 * d_));
  std::fill(params, params + total, value);
}

template <class T>
std::unique_ptr<Workspace> DiagonalNet<T>::make_workspace(int64_t max_rows) const {
  auto ws = std::make_unique<DiagonalWorkspace<T>>();
  ws->max_rows = max_rows;
  ws->w.resize(static_cast<size_t>(d_));
  ws->out.resize(static_cast<size_t>(std::max<int64_t>(max_rows, 1)));
  return ws;
}

template <class T>
void DiagonalNet<T>::effective_weight(const T* params, T* w) const {
  const T* u = params + u_->offset;
  const T* v = params + v_->offset;
  // u^L - v^L = (u - v) * sum_{k<L} u^k v^{L-1-k}: exactly 0 where u == v (the symmetric init gives f = 0 exactly,
  // which u*u - v*v does not guarantee once the compiler contracts it into an FMA), and no cancellation.
  const int L = depth_;
  if (L == 1) {
    for (int k = 0; k < d_; ++k) w[k] = u[k] - v[k];
  } else if (L == 2) {
    for (int k = 0; k < d_; ++k) w[k] = (u[k] - v[k]) * (u[k] + v[k]);
  } else {
    for (int k = 0; k < d_; ++k) {
      T sum = T(0), upow = T(1);
      for (int e = 0; e < L; ++e) {
        sum += upow * int_pow(v[k], L - 1 - e);
        upow *= u[k];
      }
      w[k] = (u[k] - v[k]) * sum;
    }
  }
}

template <class T>
const T* DiagonalNet<T>::forward(const T* params, const InputBatch<T>& x, Workspace& ws_base) const {
  auto& ws = static_cast<DiagonalWorkspace<T>&>(ws_base);
  GS_CHECK(x.n <= ws.max_rows);
  GS_CHECK(x.dim == d_);
  GS_CHECK(x.tokens_per_row == 0 && x.dense != nullptr);
  effective_weight(params, ws.w.data());
  if (x.n == 0) return ws.out.data();
  // out (n x 1) = X (n x d) * w (d x 1): a GEMV through the GEMM seam.
  kernels::gemm<T>(Trans::no, Trans::no, static_cast<int>(x.n), 1, d_, T(1), x.dense, d_, ws.w.data(), 1, T(0),
                   ws.out.data(), 1);
  return ws.out.data();
}

template <class T>
void DiagonalNet<T>::backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws) const {
  GS_CHECK(x.dim == d_ && x.tokens_per_row == 0);
  const T* u = params + u_->offset;
  const T* v = params + v_->offset;
  T* gu = grad + u_->offset;
  T* gv = grad + v_->offset;
  // g_w (d x 1) = X^T (d x n) * d_out (n x 1), written into the u slot first.
  if (x.n == 0) {
    std::fill(gu, gu + d_, T(0));
  } else {
    kernels::gemm<T>(Trans::yes, Trans::no, d_, 1, static_cast<int>(x.n), T(1), x.dense, d_, d_out, 1, T(0), gu, 1);
  }
  // g_u = L u^{L-1} g_w,  g_v = -L v^{L-1} g_w  (v first: it reads g_w from the u slot before it is overwritten).
  const int L = depth_;
  const T scale = static_cast<T>(L);
  for (int k = 0; k < d_; ++k) {
    const T gw = gu[k];
    gv[k] = -scale * int_pow(v[k], L - 1) * gw;
    gu[k] = scale * int_pow(u[k], L - 1) * gw;
  }
}

template class DiagonalNet<float>;
template class DiagonalNet<double>;

}  // namespace grokscope
