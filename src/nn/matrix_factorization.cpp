// Matrix-factorization model forward/backward (see nn/matrix_factorization.h for the equations and layout).
#include "grokscope/nn/matrix_factorization.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/kernels/blas.h"

namespace grokscope {

namespace {

using kernels::Trans;

template <class T>
struct FactorizationWorkspace final : Workspace {
  int64_t max_rows = 0;
  std::vector<T> out;  // (max_rows) outputs
};

template <class T>
inline T dot(const T* a, const T* b, int n) {
  T s = T(0);
  for (int k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

// dst (n) += g * src (n)
template <class T>
inline void axpy(T g, const T* src, T* dst, int n) {
  for (int k = 0; k < n; ++k) dst[k] += g * src[k];
}

}  // namespace

template <class T>
MatrixFactorization<T>::MatrixFactorization(const ModelConfig& config, int d) : config_(config), d_(d) {
  GS_CHECK(d > 0);
  layout_.add("U", "factors", d, d);
  layout_.add("V", "factors", d, d);
  u_ = layout_.find("U");
  v_ = layout_.find("V");
}

template <class T>
void MatrixFactorization<T>::init_params(T* params, Rng& rng) const {
  const int64_t total = layout_.total_size();
  if (!config_.init_values.empty()) {
    if (static_cast<int64_t>(config_.init_values.size()) != total)
      throw ConfigError("model.init_values", fmt::format("[{} values]", config_.init_values.size()),
                        fmt::format("the matrix factorization has 2 d^2 = {} parameters (U then V)", total));
    for (int64_t k = 0; k < total; ++k) params[k] = static_cast<T>(config_.init_values[static_cast<size_t>(k)]);
    return;
  }
  // U_ik, V_ik ~ N(alpha [i == k], sigma^2)  (Lyu Thm 3.12); sigma = 0 draws nothing.
  const double alpha = config_.init_scale;
  const double sigma = config_.init_noise;
  for (const ParamInfo* p : {u_, v_}) {
    T* m = params + p->offset;
    for (int64_t i = 0; i < d_; ++i)
      for (int64_t k = 0; k < d_; ++k) {
        const double noise = sigma > 0 ? sigma * rng.normal() : 0.0;
        m[i * d_ + k] = static_cast<T>((i == k ? alpha : 0.0) + noise);
      }
  }
}

template <class T>
std::unique_ptr<Workspace> MatrixFactorization<T>::make_workspace(int64_t max_rows) const {
  auto ws = std::make_unique<FactorizationWorkspace<T>>();
  ws->max_rows = max_rows;
  ws->out.resize(static_cast<size_t>(std::max<int64_t>(max_rows, 1)));
  return ws;
}

template <class T>
const T* MatrixFactorization<T>::forward(const T* params, const InputBatch<T>& x, Workspace& ws_base) const {
  auto& ws = static_cast<FactorizationWorkspace<T>&>(ws_base);
  GS_CHECK(x.n <= ws.max_rows);
  GS_CHECK(x.dim == d_ && x.tokens_per_row == 2 && x.tokens != nullptr);
  const T* U = params + u_->offset;  // (d x d)
  const T* V = params + v_->offset;  // (d x d)
  const int64_t d = d_;
  for (int64_t r = 0; r < x.n; ++r) {
    const int64_t i = x.tokens[2 * r];
    const int64_t j = x.tokens[2 * r + 1];
    ws.out[static_cast<size_t>(r)] = dot(U + i * d, U + j * d, d_) - dot(V + i * d, V + j * d, d_);
  }
  return ws.out.data();
}

template <class T>
void MatrixFactorization<T>::backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad,
                                      Workspace& /*ws*/) const {
  GS_CHECK(x.dim == d_ && x.tokens_per_row == 2 && x.tokens != nullptr);
  const T* U = params + u_->offset;
  const T* V = params + v_->offset;
  T* gU = grad + u_->offset;  // (d x d)
  T* gV = grad + v_->offset;  // (d x d)
  std::fill(grad, grad + layout_.total_size(), T(0));
  const int64_t d = d_;
  for (int64_t r = 0; r < x.n; ++r) {
    const int64_t i = x.tokens[2 * r];
    const int64_t j = x.tokens[2 * r + 1];
    const T g = d_out[r];
    // d/dU_i <U_i, U_j> = U_j and d/dU_j = U_i (both apply when i == j: 2 U_i).
    axpy(g, U + j * d, gU + i * d, d_);
    axpy(g, U + i * d, gU + j * d, d_);
    axpy(-g, V + j * d, gV + i * d, d_);
    axpy(-g, V + i * d, gV + j * d, d_);
  }
}

template <class T>
void MatrixFactorization<T>::end_to_end(const T* params, T* W) const {
  const T* U = params + u_->offset;
  const T* V = params + v_->offset;
  // W (d x d) = U U^T, then W -= V V^T.
  kernels::gemm<T>(Trans::no, Trans::yes, d_, d_, d_, T(1), U, d_, U, d_, T(0), W, d_);
  kernels::gemm<T>(Trans::no, Trans::yes, d_, d_, d_, T(-1), V, d_, V, d_, T(1), W, d_);
}

template class MatrixFactorization<float>;
template class MatrixFactorization<double>;

}  // namespace grokscope
