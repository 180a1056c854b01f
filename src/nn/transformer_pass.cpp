// The transformer's forward and backward passes (equations in nn/transformer.h). Every matrix product is one GEMM
// of the BLAS seam over all rows of the batch (per head for Q, K, V: head h's [d, d_head] slice writes columns
// [h d_head, (h + 1) d_head) of a heads * d_head wide matrix); the rest are the row kernels of
// kernels/transformer_rows.h and kernels/rows.h. The last block reads its queries at the last position only: those
// are rows ctx - 1, 2 ctx - 1, ... of the block input, addressed in place with a leading dimension of ctx * d.
// Block 0's LN1, Q, K and V come from its (token, position) table instead (transformer_table.cpp).
// No allocation: every buffer lives in the workspace.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "grokscope/core/error.h"
#include "grokscope/kernels/activation.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/kernels/rows.h"
#include "grokscope/kernels/transformer_rows.h"
#include "grokscope/nn/transformer.h"
#include "transformer_workspace.h"

namespace grokscope {

namespace {

using kernels::gemm;
using kernels::Trans;

// dst (rows x d) = the query rows of src (rows * ctx / qpos x d): every row, or the last of each example.
template <class T>
void copy_query_rows(const T* src, int64_t n, int ctx, int qpos, int d, T* dst) {
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < qpos; ++j)
      std::memcpy(dst + (i * qpos + j) * d, src + (i * ctx + ctx - qpos + j) * d, sizeof(T) * static_cast<size_t>(d));
}

// The query rows of dst += src (n qpos x d).
template <class T>
void add_query_rows(const T* src, int64_t n, int ctx, int qpos, int d, T* dst) {
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < qpos; ++j) {
      T* out = dst + (i * ctx + ctx - qpos + j) * d;
      const T* in = src + (i * qpos + j) * d;
      for (int c = 0; c < d; ++c) out[c] += in[c];
    }
}

}  // namespace

template <class T>
const T* Transformer<T>::forward(const T* P, const InputBatch<T>& x, Workspace& ws_base) const {
  auto& ws = static_cast<detail::TransformerWorkspace<T>&>(ws_base);
  GS_CHECK(x.n <= ws.max_rows);
  GS_CHECK(x.tokens_per_row == shape_.ctx && x.dim == shape_.vocab);
  const int64_t n = x.n;
  if (n == 0) return ws.logits.data();
  const int ctx = shape_.ctx, d = config_.d_model, heads = config_.heads, dh = d_head_, hd = heads * dh;
  const int dm = config_.d_mlp, outputs = shape_.outputs;
  const int64_t rows = n * ctx;
  const bool ln = config_.layer_norm;
  const T eps = static_cast<T>(kLayerNormEps), scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(dh)));

  T* x0 = ws.blocks[0].x.data();
  for (int64_t r = 0; r < rows; ++r) {
    const T* e = P + W_E_ + static_cast<int64_t>(x.tokens[r]) * d;
    const T* pe = P + W_pos_ + (r % ctx) * d;
    T* out = x0 + r * d;
    for (int c = 0; c < d; ++c) out[c] = e[c] + pe[c];
  }
  for (int l = 0; l < config_.layers; ++l) {
    const Block& B = blocks_[static_cast<size_t>(l)];
    auto& L = ws.blocks[static_cast<size_t>(l)];
    const int qp = qpos(l);
    const int64_t nq = n * qp;
    const T* X = L.x.data();
    if (l == 0) {
      table_forward(P, x, ws);   // q, k, v of block 0 from its (token, position) table
    } else {
      const T* Y = X;
      if (ln) {
        kernels::layer_norm_rows(X, rows, d, P + B.ln1_w, P + B.ln1_b, eps, L.ln1_xhat.data(), L.ln1_rstd.data(),
                                 L.ln1_y.data());
        Y = L.ln1_y.data();
      }
      const T* Yq = Y + static_cast<int64_t>(ctx - qp) * d;
      const int ldq = qp == ctx ? d : ctx * d;
      for (int h = 0; h < heads; ++h) {
        const int64_t w = static_cast<int64_t>(h) * d * dh;
        gemm<T>(Trans::no, Trans::no, static_cast<int>(rows), dh, d, T(1), Y, d, P + B.W_K + w, dh, T(0),
                L.k.data() + h * dh, hd);
        gemm<T>(Trans::no, Trans::no, static_cast<int>(rows), dh, d, T(1), Y, d, P + B.W_V + w, dh, T(0),
                L.v.data() + h * dh, hd);
        gemm<T>(Trans::no, Trans::no, static_cast<int>(nq), dh, d, T(1), Yq, ldq, P + B.W_Q + w, dh, T(0),
                L.q.data() + h * dh, hd);
      }
      if (B.b_Q >= 0) {
        kernels::add_bias_rows(L.q.data(), P + B.b_Q, nq, hd);
        kernels::add_bias_rows(L.k.data(), P + B.b_K, rows, hd);
        kernels::add_bias_rows(L.v.data(), P + B.b_V, rows, hd);
      }
    }
    kernels::causal_attention_rows(L.q.data(), L.k.data(), L.v.data(), n, ctx, qp, heads, dh, scale, L.probs.data(),
                                   L.z.data());
    copy_query_rows(X, n, ctx, qp, d, L.mid.data());
    gemm<T>(Trans::no, Trans::no, static_cast<int>(nq), d, hd, T(1), L.z.data(), hd, P + B.W_O, d, T(1),
            L.mid.data(), d);
    if (B.b_O >= 0) kernels::add_bias_rows(L.mid.data(), P + B.b_O, nq, d);
    const T* Y2 = L.mid.data();
    if (ln) {
      kernels::layer_norm_rows(L.mid.data(), nq, d, P + B.ln2_w, P + B.ln2_b, eps, L.ln2_xhat.data(),
                               L.ln2_rstd.data(), L.ln2_y.data());
      Y2 = L.ln2_y.data();
    }
    gemm<T>(Trans::no, Trans::no, static_cast<int>(nq), dm, d, T(1), Y2, d, P + B.W_in, dm, T(0), L.act.data(), dm);
    if (B.b_in >= 0) kernels::add_bias_rows(L.act.data(), P + B.b_in, nq, dm);
    kernels::activation_forward<T>(Activation::relu, T(0), L.act.data(), L.act.data(), nq * dm);
    T* out = l + 1 < config_.layers ? ws.blocks[static_cast<size_t>(l + 1)].x.data() : ws.final_x.data();
    std::copy(L.mid.begin(), L.mid.begin() + nq * d, out);
    gemm<T>(Trans::no, Trans::no, static_cast<int>(nq), d, dm, T(1), L.act.data(), dm, P + B.W_out, d, T(1), out, d);
    if (B.b_out >= 0) kernels::add_bias_rows(out, P + B.b_out, nq, d);
  }
  const T* F = ws.final_x.data();
  if (ln) {
    kernels::layer_norm_rows(F, n, d, P + lnf_w_, P + lnf_b_, eps, ws.lnf_xhat.data(), ws.lnf_rstd.data(),
                             ws.lnf_y.data());
    F = ws.lnf_y.data();
  }
  gemm<T>(Trans::no, Trans::no, static_cast<int>(n), outputs, d, T(1), F, d, P + W_U_, outputs, T(0),
          ws.logits.data(), outputs);
  if (b_U_ >= 0) kernels::add_bias_rows(ws.logits.data(), P + b_U_, n, outputs);
  return ws.logits.data();
}

template <class T>
void Transformer<T>::backward(const T* P, const InputBatch<T>& x, T* d_out, T* G, Workspace& ws_base) const {
  auto& ws = static_cast<detail::TransformerWorkspace<T>&>(ws_base);
  std::fill(G, G + layout_.total_size(), T(0));
  const int64_t n = x.n;
  if (n == 0) return;
  const int ctx = shape_.ctx, d = config_.d_model, heads = config_.heads, dh = d_head_, hd = heads * dh;
  const int dm = config_.d_mlp, outputs = shape_.outputs;
  const int64_t rows = n * ctx;
  const bool ln = config_.layer_norm;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(dh)));

  // Unembedding: logits = F W_U + b_U.
  const T* F = ln ? ws.lnf_y.data() : ws.final_x.data();
  gemm<T>(Trans::yes, Trans::no, d, outputs, static_cast<int>(n), T(1), F, d, d_out, outputs, T(1), G + W_U_,
          outputs);
  if (b_U_ >= 0) kernels::add_column_sums(d_out, n, outputs, G + b_U_);
  T* dO = ws.d_res_a.data();  // gradient w.r.t. the current block's output
  T* dX = ws.d_res_b.data();  // ... and w.r.t. its input
  if (ln) {
    gemm<T>(Trans::no, Trans::yes, static_cast<int>(n), d, outputs, T(1), d_out, outputs, P + W_U_, outputs, T(0),
            ws.d_y.data(), d);
    std::fill(dO, dO + n * d, T(0));
    kernels::layer_norm_rows_backward(ws.d_y.data(), ws.lnf_xhat.data(), ws.lnf_rstd.data(), P + lnf_w_, n, d, dO,
                                      G + lnf_w_, G + lnf_b_);
  } else {
    gemm<T>(Trans::no, Trans::yes, static_cast<int>(n), d, outputs, T(1), d_out, outputs, P + W_U_, outputs, T(0),
            dO, d);
  }
  for (int l = config_.layers - 1; l >= 0; --l) {   // block 0 finishes through its table
    const Block& B = blocks_[static_cast<size_t>(l)];
    const auto& L = ws.blocks[static_cast<size_t>(l)];
    const int qp = qpos(l);
    const int64_t nq = n * qp;
    const int nqi = static_cast<int>(nq), rowsi = static_cast<int>(rows);
    const T* Y2 = ln ? L.ln2_y.data() : L.mid.data();
    T* d_act = ws.d_act.data();
    T* d_mid = ws.d_mid.data();
    // MLP: out = mid + ReLU(Y2 W_in + b_in) W_out + b_out.
    if (B.b_out >= 0) kernels::add_column_sums(dO, nq, d, G + B.b_out);
    gemm<T>(Trans::yes, Trans::no, dm, d, nqi, T(1), L.act.data(), dm, dO, d, T(1), G + B.W_out, d);
    gemm<T>(Trans::no, Trans::yes, nqi, dm, d, T(1), dO, d, P + B.W_out, d, T(0), d_act, dm);
    kernels::activation_backward<T>(Activation::relu, T(0), nullptr, L.act.data(), d_act, d_act, nq * dm);
    if (B.b_in >= 0) kernels::add_column_sums(d_act, nq, dm, G + B.b_in);
    gemm<T>(Trans::yes, Trans::no, d, dm, nqi, T(1), Y2, d, d_act, dm, T(1), G + B.W_in, dm);
    std::copy(dO, dO + nq * d, d_mid);
    if (ln) {
      gemm<T>(Trans::no, Trans::yes, nqi, d, dm, T(1), d_act, dm, P + B.W_in, dm, T(0), ws.d_y.data(), d);
      kernels::layer_norm_rows_backward(ws.d_y.data(), L.ln2_xhat.data(), L.ln2_rstd.data(), P + B.ln2_w, nq, d,
                                        d_mid, G + B.ln2_w, G + B.ln2_b);
    } else {
      gemm<T>(Trans::no, Trans::yes, nqi, d, dm, T(1), d_act, dm, P + B.W_in, dm, T(1), d_mid, d);
    }
    // Attention output: mid = x(query rows) + z W_O + b_O.
    if (B.b_O >= 0) kernels::add_column_sums(d_mid, nq, d, G + B.b_O);
    gemm<T>(Trans::yes, Trans::no, hd, d, nqi, T(1), L.z.data(), hd, d_mid, d, T(1), G + B.W_O, d);
    gemm<T>(Trans::no, Trans::yes, nqi, hd, d, T(1), d_mid, d, P + B.W_O, d, T(0), ws.dz.data(), hd);
    kernels::causal_attention_rows_backward(ws.dz.data(), L.q.data(), L.k.data(), L.v.data(), L.probs.data(), n, ctx,
                                            qp, heads, dh, scale, ws.dq.data(), ws.dk.data(), ws.dv.data());
    if (l == 0) {   // LN1, Q, K, V and the embeddings through block 0's (token, position) table
      table_backward(P, x, d_mid, G, ws);
      break;
    }
    const T* Y = ln ? L.ln1_y.data() : L.x.data();
    const T* Yq = Y + static_cast<int64_t>(ctx - qp) * d;
    const int ldq = qp == ctx ? d : ctx * d;
    if (B.b_Q >= 0) {
      kernels::add_column_sums(ws.dq.data(), nq, hd, G + B.b_Q);
      kernels::add_column_sums(ws.dk.data(), rows, hd, G + B.b_K);
      kernels::add_column_sums(ws.dv.data(), rows, hd, G + B.b_V);
    }
    // q_h = Yq W_Q[h], k_h = Y W_K[h], v_h = Y W_V[h]: weight gradients, and dY = sum over heads and q, k, v.
    for (int h = 0; h < heads; ++h) {
      const int64_t w = static_cast<int64_t>(h) * d * dh;
      const T* dq = ws.dq.data() + h * dh;
      const T* dk = ws.dk.data() + h * dh;
      const T* dv = ws.dv.data() + h * dh;
      gemm<T>(Trans::yes, Trans::no, d, dh, nqi, T(1), Yq, ldq, dq, hd, T(1), G + B.W_Q + w, dh);
      gemm<T>(Trans::yes, Trans::no, d, dh, rowsi, T(1), Y, d, dk, hd, T(1), G + B.W_K + w, dh);
      gemm<T>(Trans::yes, Trans::no, d, dh, rowsi, T(1), Y, d, dv, hd, T(1), G + B.W_V + w, dh);
      gemm<T>(Trans::no, Trans::yes, rowsi, d, dh, T(1), dk, hd, P + B.W_K + w, dh, h == 0 ? T(0) : T(1),
              ws.d_y.data(), d);
      gemm<T>(Trans::no, Trans::yes, rowsi, d, dh, T(1), dv, hd, P + B.W_V + w, dh, T(1), ws.d_y.data(), d);
      gemm<T>(Trans::no, Trans::yes, nqi, d, dh, T(1), dq, hd, P + B.W_Q + w, dh, T(1),
              ws.d_y.data() + static_cast<int64_t>(ctx - qp) * d, ldq);
    }
    if (ln) {
      std::fill(dX, dX + rows * d, T(0));
      kernels::layer_norm_rows_backward(ws.d_y.data(), L.ln1_xhat.data(), L.ln1_rstd.data(), P + B.ln1_w, rows, d,
                                        dX, G + B.ln1_w, G + B.ln1_b);
    } else {
      std::copy(ws.d_y.begin(), ws.d_y.begin() + rows * d, dX);
    }
    add_query_rows(d_mid, n, ctx, qp, d, dX);
    std::swap(dO, dX);
  }
}

template const float* Transformer<float>::forward(const float*, const InputBatch<float>&, Workspace&) const;
template const double* Transformer<double>::forward(const double*, const InputBatch<double>&, Workspace&) const;
template void Transformer<float>::backward(const float*, const InputBatch<float>&, float*, float*, Workspace&) const;
template void Transformer<double>::backward(const double*, const InputBatch<double>&, double*, double*,
                                            Workspace&) const;

}  // namespace grokscope
