// Matrix-factorization model forward/backward (see nn/matrix_factorization.h for the equations and layout).
#include "grokscope/nn/matrix_factorization.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/kernels/rows.h"

namespace grokscope {

namespace {

using kernels::Trans;

template <class T>
struct FactorizationWorkspace final : Workspace {
  int64_t max_rows = 0;
  std::vector<T> out;  // (max_rows) outputs
  std::vector<T> w;    // dense path: W = U U^T - V V^T (d x d), then the symmetric scatter S of backward
};

using kernels::axpy_row;
using kernels::dot_lanes;

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
  if (uses_dense(max_rows)) ws->w.resize(static_cast<size_t>(d_) * static_cast<size_t>(d_));
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
  if (uses_dense(x.n)) {
    ws.w.resize(static_cast<size_t>(d * d));
    end_to_end(params, ws.w.data());
    for (int64_t r = 0; r < x.n; ++r)
      ws.out[static_cast<size_t>(r)] = ws.w[static_cast<size_t>(x.tokens[2 * r] * d + x.tokens[2 * r + 1])];
    return ws.out.data();
  }
  for (int64_t r = 0; r < x.n; ++r) {
    const int64_t i = x.tokens[2 * r];
    const int64_t j = x.tokens[2 * r + 1];
    ws.out[static_cast<size_t>(r)] = dot_lanes(U + i * d, U + j * d, d_) - dot_lanes(V + i * d, V + j * d, d_);
  }
  return ws.out.data();
}

template <class T>
void MatrixFactorization<T>::backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad,
                                      Workspace& ws_base) const {
  GS_CHECK(x.dim == d_ && x.tokens_per_row == 2 && x.tokens != nullptr);
  const T* U = params + u_->offset;
  const T* V = params + v_->offset;
  T* gU = grad + u_->offset;  // (d x d)
  T* gV = grad + v_->offset;  // (d x d)
  const int64_t d = d_;
  if (uses_dense(x.n)) {
    auto& ws = static_cast<FactorizationWorkspace<T>&>(ws_base);
    ws.w.resize(static_cast<size_t>(d * d));
    T* S = ws.w.data();
    std::fill(S, S + d * d, T(0));
    for (int64_t r = 0; r < x.n; ++r) {
      const int64_t i = x.tokens[2 * r];
      const int64_t j = x.tokens[2 * r + 1];
      S[i * d + j] += d_out[r];
      S[j * d + i] += d_out[r];
    }
    kernels::gemm<T>(Trans::no, Trans::no, d_, d_, d_, T(1), S, d_, U, d_, T(0), gU, d_);
    kernels::gemm<T>(Trans::no, Trans::no, d_, d_, d_, T(-1), S, d_, V, d_, T(0), gV, d_);
    return;
  }
  std::fill(grad, grad + layout_.total_size(), T(0));
  for (int64_t r = 0; r < x.n; ++r) {
    const int64_t i = x.tokens[2 * r];
    const int64_t j = x.tokens[2 * r + 1];
    const T g = d_out[r];
    // d/dU_i <U_i, U_j> = U_j and d/dU_j = U_i (both apply when i == j: 2 U_i).
    axpy_row(d_, g, U + j * d, gU + i * d);
    axpy_row(d_, g, U + i * d, gU + j * d);
    axpy_row(d_, -g, V + j * d, gV + i * d);
    axpy_row(d_, -g, V + i * d, gV + j * d);
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
