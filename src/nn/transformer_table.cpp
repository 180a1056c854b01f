// Block 0 of the transformer, tabulated over (token, position) pairs (nn/transformer.h).
//
// Block 0's input x^0 = W_E[token] + W_pos[position] takes one of vocab * ctx values, so its LN1, queries, keys and
// values are computed on those U = vocab * ctx rows once per pass and gathered for the batch (Nanda's setup: 342
// rows instead of 11 490, which removes 40% of a step's arithmetic). Backward: the batch's dq, dk, dv rows are summed
// per pair (rows in increasing order, so the result is deterministic), then one GEMM per weight and head over the U
// rows gives the weight gradients and the gradient w.r.t. LN1's output per pair; the residual gradient of block 0's
// query rows is added per pair too, and each pair's total goes to its W_E and W_pos rows. The same sums as the
// per-row formulation in another order.
#include <algorithm>
#include <cstring>

#include "grokscope/kernels/blas.h"
#include "grokscope/kernels/rows.h"
#include "grokscope/kernels/transformer_rows.h"
#include "grokscope/nn/transformer.h"
#include "transformer_workspace.h"

namespace grokscope {

namespace {

using kernels::gemm;
using kernels::Trans;

// Pair index of row r of the batch (token x.tokens[r] at position r % ctx).
template <class T>
int64_t pair_of(const InputBatch<T>& x, int64_t r, int ctx) {
  return static_cast<int64_t>(x.tokens[r]) * ctx + r % ctx;
}

// dst[0, n) += src[0, n).
template <class T>
void add_to(const T* __restrict src, T* __restrict dst, int n) {
  for (int c = 0; c < n; ++c) dst[c] += src[c];
}

}  // namespace

template <class T>
void Transformer<T>::table_forward(const T* P, const InputBatch<T>& x, Workspace& ws_base) const {
  auto& ws = static_cast<detail::TransformerWorkspace<T>&>(ws_base);
  auto& t = ws.table;
  auto& L = ws.blocks[0];
  const Block& B = blocks_[0];
  const int ctx = shape_.ctx, d = config_.d_model, heads = config_.heads, dh = d_head_, hd = heads * dh;
  const int U = shape_.vocab * ctx, qp = qpos(0);
  for (int tok = 0; tok < shape_.vocab; ++tok)
    for (int pos = 0; pos < ctx; ++pos) {
      const T* e = P + W_E_ + static_cast<int64_t>(tok) * d;
      const T* pe = P + W_pos_ + static_cast<int64_t>(pos) * d;
      T* out = t.x.data() + (static_cast<int64_t>(tok) * ctx + pos) * d;
      for (int c = 0; c < d; ++c) out[c] = e[c] + pe[c];
    }
  const T* Y = t.x.data();
  if (config_.layer_norm) {
    kernels::layer_norm_rows(t.x.data(), U, d, P + B.ln1_w, P + B.ln1_b, static_cast<T>(kLayerNormEps),
                             t.ln_xhat.data(), t.ln_rstd.data(), t.ln_y.data());
    Y = t.ln_y.data();
  }
  for (int h = 0; h < heads; ++h) {
    const int64_t w = static_cast<int64_t>(h) * d * dh;
    gemm<T>(Trans::no, Trans::no, U, dh, d, T(1), Y, d, P + B.W_Q + w, dh, T(0), t.q.data() + h * dh, hd);
    gemm<T>(Trans::no, Trans::no, U, dh, d, T(1), Y, d, P + B.W_K + w, dh, T(0), t.k.data() + h * dh, hd);
    gemm<T>(Trans::no, Trans::no, U, dh, d, T(1), Y, d, P + B.W_V + w, dh, T(0), t.v.data() + h * dh, hd);
  }
  if (B.b_Q >= 0) {
    kernels::add_bias_rows(t.q.data(), P + B.b_Q, U, hd);
    kernels::add_bias_rows(t.k.data(), P + B.b_K, U, hd);
    kernels::add_bias_rows(t.v.data(), P + B.b_V, U, hd);
  }
  const size_t bytes = sizeof(T) * static_cast<size_t>(hd);
  const int64_t rows = x.n * ctx;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t u = pair_of(x, r, ctx);
    std::memcpy(L.k.data() + r * hd, t.k.data() + u * hd, bytes);
    std::memcpy(L.v.data() + r * hd, t.v.data() + u * hd, bytes);
  }
  for (int64_t i = 0; i < x.n; ++i)
    for (int j = 0; j < qp; ++j) {
      const int64_t r = i * ctx + ctx - qp + j;
      std::memcpy(L.q.data() + (i * qp + j) * hd, t.q.data() + pair_of(x, r, ctx) * hd, bytes);
    }
}

template <class T>
void Transformer<T>::table_backward(const T* P, const InputBatch<T>& x, const T* d_mid, T* G,
                                    Workspace& ws_base) const {
  auto& ws = static_cast<detail::TransformerWorkspace<T>&>(ws_base);
  auto& t = ws.table;
  const Block& B = blocks_[0];
  const int ctx = shape_.ctx, d = config_.d_model, heads = config_.heads, dh = d_head_, hd = heads * dh;
  const int U = shape_.vocab * ctx, qp = qpos(0);
  const int64_t rows = x.n * ctx;
  std::fill(t.dq.begin(), t.dq.end(), T(0));
  std::fill(t.dk.begin(), t.dk.end(), T(0));
  std::fill(t.dv.begin(), t.dv.end(), T(0));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t u = pair_of(x, r, ctx);
    add_to(ws.dk.data() + r * hd, t.dk.data() + u * hd, hd);
    add_to(ws.dv.data() + r * hd, t.dv.data() + u * hd, hd);
  }
  for (int64_t i = 0; i < x.n; ++i)
    for (int j = 0; j < qp; ++j) {
      const int64_t r = i * ctx + ctx - qp + j;
      add_to(ws.dq.data() + (i * qp + j) * hd, t.dq.data() + pair_of(x, r, ctx) * hd, hd);
    }
  if (B.b_Q >= 0) {
    kernels::add_column_sums(t.dq.data(), U, hd, G + B.b_Q);
    kernels::add_column_sums(t.dk.data(), U, hd, G + B.b_K);
    kernels::add_column_sums(t.dv.data(), U, hd, G + B.b_V);
  }
  const T* Y = config_.layer_norm ? t.ln_y.data() : t.x.data();
  for (int h = 0; h < heads; ++h) {
    const int64_t w = static_cast<int64_t>(h) * d * dh;
    const T* dq = t.dq.data() + h * dh;
    const T* dk = t.dk.data() + h * dh;
    const T* dv = t.dv.data() + h * dh;
    gemm<T>(Trans::yes, Trans::no, d, dh, U, T(1), Y, d, dq, hd, T(1), G + B.W_Q + w, dh);
    gemm<T>(Trans::yes, Trans::no, d, dh, U, T(1), Y, d, dk, hd, T(1), G + B.W_K + w, dh);
    gemm<T>(Trans::yes, Trans::no, d, dh, U, T(1), Y, d, dv, hd, T(1), G + B.W_V + w, dh);
    gemm<T>(Trans::no, Trans::yes, U, d, dh, T(1), dq, hd, P + B.W_Q + w, dh, h == 0 ? T(0) : T(1), t.dy.data(), d);
    gemm<T>(Trans::no, Trans::yes, U, d, dh, T(1), dk, hd, P + B.W_K + w, dh, T(1), t.dy.data(), d);
    gemm<T>(Trans::no, Trans::yes, U, d, dh, T(1), dv, hd, P + B.W_V + w, dh, T(1), t.dy.data(), d);
  }
  if (config_.layer_norm) {
    std::fill(t.dx.begin(), t.dx.end(), T(0));
    kernels::layer_norm_rows_backward(t.dy.data(), t.ln_xhat.data(), t.ln_rstd.data(), P + B.ln1_w, U, d,
                                      t.dx.data(), G + B.ln1_w, G + B.ln1_b);
  } else {
    std::copy(t.dy.begin(), t.dy.end(), t.dx.begin());
  }
  // The residual stream: block 0's query rows pass x^0 on unchanged (mid = x + attention).
  for (int64_t i = 0; i < x.n; ++i)
    for (int j = 0; j < qp; ++j) {
      const int64_t r = i * ctx + ctx - qp + j;
      add_to(d_mid + (i * qp + j) * d, t.dx.data() + pair_of(x, r, ctx) * d, d);
    }
  for (int tok = 0; tok < shape_.vocab; ++tok)
    for (int pos = 0; pos < ctx; ++pos) {
      const T* g = t.dx.data() + (static_cast<int64_t>(tok) * ctx + pos) * d;
      add_to(g, G + W_E_ + static_cast<int64_t>(tok) * d, d);
      add_to(g, G + W_pos_ + static_cast<int64_t>(pos) * d, d);
    }
}

template void Transformer<float>::table_forward(const float*, const InputBatch<float>&, Workspace&) const;
template void Transformer<double>::table_forward(const double*, const InputBatch<double>&, Workspace&) const;
template void Transformer<float>::table_backward(const float*, const InputBatch<float>&, const float*, float*,
                                                 Workspace&) const;
template void Transformer<double>::table_backward(const double*, const InputBatch<double>&, const double*, double*,
                                                  Workspace&) const;

}  // namespace grokscope
