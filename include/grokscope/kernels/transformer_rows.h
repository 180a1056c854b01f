// Row kernels of the transformer (nn/transformer.h), in the style of kernels/rows.h: header-inline loops over
// row-major matrices, rows in increasing order (deterministic for given inputs). tests/kernels/transformer_rows_test.cpp
// checks each against a plain f64 reference (the operation table a GPU backend will be checked against).
//
//   layer_norm_rows                 y = (x - mean) / sqrt(var + eps) * w + b per row (biased variance, as
//                                   torch.nn.LayerNorm and TransformerLens); keeps xhat and 1/sqrt(var + eps)
//   layer_norm_rows_backward        dx += the input gradient; dw += sum_i dy * xhat; db += sum_i dy
//   causal_attention_rows           per example, head and query position s: p_t = softmax_t(scale q.k_t) over the
//                                   keys t <= s, z = sum_t p_t v_t
//   causal_attention_rows_backward  dq, dk, dv from dz
//
// Attention layout: an example has ctx positions; keys and values are its ctx rows (n * ctx rows of heads * d_head
// columns, head-major: head h in columns [h d_head, (h + 1) d_head)). Queries are the last qpos positions of each
// example (qpos = ctx: every position; qpos = 1: the last only), n * qpos rows; query row i * qpos + j is position
// ctx - qpos + j of example i. probs holds n * qpos * heads rows of ctx probabilities (0 for masked keys t > s).
#pragma once

#include <cmath>
#include <cstdint>

#include "grokscope/kernels/rows.h"

namespace grokscope::kernels {

constexpr int kMaxAttentionContext = 16;

// requires: width >= 1; x, y (n x width) may alias; xhat (n x width) and rstd (n) do not overlap them.
template <class T>
void layer_norm_rows(const T* x, int64_t n, int width, const T* w, const T* b, T eps, T* xhat, T* rstd, T* y) {
  for (int64_t i = 0; i < n; ++i) {
    const T* xr = x + i * width;
    T* hr = xhat + i * width;
    T* yr = y + i * width;
    T mean = 0;
    for (int j = 0; j < width; ++j) mean += xr[j];
    mean /= static_cast<T>(width);
    T var = 0;
    for (int j = 0; j < width; ++j) {
      const T c = xr[j] - mean;
      hr[j] = c;
      var += c * c;
    }
    var /= static_cast<T>(width);
    const T r = T(1) / std::sqrt(var + eps);
    rstd[i] = r;
    for (int j = 0; j < width; ++j) {
      hr[j] *= r;
      yr[j] = hr[j] * w[j] + b[j];
    }
  }
}

// dx (n x width) += d loss / dx for y = layer_norm_rows(x); dw, db (width) += the parameter gradients.
// requires: dy does not alias dx.
template <class T>
void layer_norm_rows_backward(const T* dy, const T* xhat, const T* rstd, const T* w, int64_t n, int width, T* dx,
                              T* dw, T* db) {
  const T inv = T(1) / static_cast<T>(width);
  for (int64_t i = 0; i < n; ++i) {
    const T* dyr = dy + i * width;
    const T* hr = xhat + i * width;
    T* dxr = dx + i * width;
    T m1 = 0, m2 = 0;
    for (int j = 0; j < width; ++j) {
      const T g = dyr[j] * w[j];
      m1 += g;
      m2 += g * hr[j];
      dw[j] += dyr[j] * hr[j];
      db[j] += dyr[j];
    }
    m1 *= inv;
    m2 *= inv;
    const T r = rstd[i];
    for (int j = 0; j < width; ++j) dxr[j] += r * (dyr[j] * w[j] - m1 - hr[j] * m2);
  }
}

// requires: 1 <= qpos <= ctx <= kMaxAttentionContext; q (n qpos x heads d_head), k, v (n ctx x heads d_head);
// probs (n qpos heads x ctx) and z (n qpos x heads d_head) are outputs and alias nothing.
template <class T>
void causal_attention_rows(const T* q, const T* k, const T* v, int64_t n, int ctx, int qpos, int heads, int d_head,
                           T scale, T* probs, T* z) {
  const int hd = heads * d_head;
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < qpos; ++j) {
      const int s = ctx - qpos + j;
      const int64_t r = i * qpos + j;
      for (int h = 0; h < heads; ++h) {
        const T* qr = q + r * hd + h * d_head;
        T* p = probs + (r * heads + h) * ctx;
        T best = 0;
        for (int t = 0; t <= s; ++t) {
          p[t] = dot_lanes(qr, k + (i * ctx + t) * hd + h * d_head, d_head) * scale;
          if (t == 0 || p[t] > best) best = p[t];
        }
        T sum = 0;
        for (int t = 0; t <= s; ++t) {
          p[t] = std::exp(p[t] - best);
          sum += p[t];
        }
        for (int t = 0; t <= s; ++t) p[t] /= sum;
        for (int t = s + 1; t < ctx; ++t) p[t] = 0;
        T* zr = z + r * hd + h * d_head;
        for (int c = 0; c < d_head; ++c) zr[c] = 0;
        for (int t = 0; t <= s; ++t) axpy_row(d_head, p[t], v + (i * ctx + t) * hd + h * d_head, zr);
      }
    }
}

// Gradients of causal_attention_rows: dq (n qpos x heads d_head), dk and dv (n ctx x heads d_head) are overwritten.
// requires: the outputs alias none of the inputs nor each other.
template <class T>
void causal_attention_rows_backward(const T* dz, const T* q, const T* k, const T* v, const T* probs, int64_t n,
                                    int ctx, int qpos, int heads, int d_head, T scale, T* dq, T* dk, T* dv) {
  const int hd = heads * d_head;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t e = i * ctx * hd; e < (i + 1) * ctx * hd; ++e) dk[e] = dv[e] = 0;
    for (int j = 0; j < qpos; ++j) {
      const int s = ctx - qpos + j;
      const int64_t r = i * qpos + j;
      for (int h = 0; h < heads; ++h) {
        const T* dzr = dz + r * hd + h * d_head;
        const T* qr = q + r * hd + h * d_head;
        const T* p = probs + (r * heads + h) * ctx;
        T dp[kMaxAttentionContext];
        T pdp = 0;
        for (int t = 0; t <= s; ++t) {
          dp[t] = dot_lanes(dzr, v + (i * ctx + t) * hd + h * d_head, d_head);
          pdp += p[t] * dp[t];
        }
        T* dqr = dq + r * hd + h * d_head;
        for (int c = 0; c < d_head; ++c) dqr[c] = 0;
        for (int t = 0; t <= s; ++t) {
          const T pt = p[t];
          const T ds = pt * (dp[t] - pdp) * scale;   // d loss / d score_t, times the scale of the score
          const int64_t kv = (i * ctx + t) * hd + h * d_head;
          axpy_row(d_head, ds, k + kv, dqr);
          axpy_row(d_head, ds, qr, dk + kv);
          axpy_row(d_head, pt, dzr, dv + kv);
        }
      }
    }
  }
}

}  // namespace grokscope::kernels
