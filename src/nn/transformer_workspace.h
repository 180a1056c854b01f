// Private to src/nn: the transformer's activations and backward scratch (nn/transformer.h), sized once for the
// largest batch so that forward and backward never allocate.
#pragma once

#include <cstdint>
#include <vector>

#include "grokscope/nn/model.h"

namespace grokscope::detail {

template <class T>
struct TransformerBlockBuffers {
  std::vector<T> x;                          // block input (the residual stream), n ctx x d; block 0: embeddings
  std::vector<T> ln1_y, ln1_xhat, ln1_rstd;  // LayerNorm only (blocks after the first): n ctx x d, n ctx x d, n ctx
  std::vector<T> q, probs, z;                // query rows (n qpos): x heads d_head, x heads ctx, x heads d_head
  std::vector<T> k, v;                       // n ctx x heads d_head
  std::vector<T> mid;                        // n qpos x d: x + attention output
  std::vector<T> ln2_y, ln2_xhat, ln2_rstd;  // LayerNorm only
  std::vector<T> act;                        // n qpos x d_mlp, after the ReLU
};

// Block 0's inputs per (token, position) pair u = token * ctx + position (vocab * ctx rows), and their gradients.
template <class T>
struct TransformerTable {
  std::vector<T> x;                          // W_E[token] + W_pos[position], rows x d
  std::vector<T> ln_y, ln_xhat, ln_rstd;     // LayerNorm only
  std::vector<T> q, k, v;                    // rows x heads d_head
  std::vector<T> dq, dk, dv;                 // their gradients summed over the batch's rows of each pair
  std::vector<T> dy, dx;                     // rows x d: gradient w.r.t. LN1's output, and w.r.t. x
};

template <class T>
struct TransformerWorkspace final : Workspace {
  int64_t max_rows = 0;
  TransformerTable<T> table;
  std::vector<TransformerBlockBuffers<T>> blocks;
  std::vector<T> final_x;                    // n x d: the last block's output at the last position
  std::vector<T> lnf_y, lnf_xhat, lnf_rstd;  // LayerNorm only
  std::vector<T> logits;                     // n x outputs
  // backward: gradients w.r.t. the residual stream (two, ping-pong), the middle stream, a LayerNorm output / the
  // attention input, the MLP's hidden layer, and q, k, v, z
  std::vector<T> d_res_a, d_res_b, d_mid, d_y, d_act, dq, dk, dv, dz;
};

}  // namespace grokscope::detail
