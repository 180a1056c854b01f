// Decoder-only transformer of Nanda et al. 2023 (1 layer) and Power et al. 2022 (2 layers), in TransformerLens's
// conventions, with a hand-written forward and backward (model.kind = "transformer"; docs/models.md).
//
// Input: token sequences of length ctx (the modular task's [a, b, =], ids 0..p with "=" = p); output: the logits over
// the p answers at the last position. With x_{i,s} the residual stream of example i at position s:
//   x^0_s  = W_E[tok_s] + W_pos[s]
//   block l (pre-LN when model.layer_norm, else the LN steps are the identity):
//     y     = LN1(x);  q_h = y W_Q[h] + b_Q[h],  k_h, v_h likewise
//     a_h   = softmax_{t <= s}(q_h(s) . k_h(t) / sqrt(d_head));  z_h(s) = sum_t a_h(s, t) v_h(t)
//     m     = x + concat_h(z_h) W_O + b_O
//     x'    = m + ReLU(LN2(m) W_in + b_in) W_out + b_out
//   logits = LN_final(x^L_last) W_U + b_U
// Only what the loss needs is computed: the last block's queries, attention output, MLP and everything after are
// evaluated at the last position only (earlier blocks at every position, since later keys and values read them).
// Block 0's input x^0 depends on the (token, position) pair alone, so its LN1, queries, keys and values are computed
// once per pair, vocab * ctx rows (342 for p = 113, against 11 490 rows of Nanda's training set), and gathered; the
// backward pass sums their gradients per pair before the weight-gradient GEMMs (transformer_table.cpp).
//
// Parameters carry TransformerLens state-dict names and shapes, stored row-major in those shapes (so params npz
// files load into HookedTransformer as they are): embed.W_E [p+1, d], pos_embed.W_pos [ctx, d],
// blocks.{l}.attn.W_Q|W_K|W_V [H, d, d_head], W_O [H, d_head, d], b_Q|b_K|b_V [H, d_head], b_O [d],
// blocks.{l}.mlp.W_in [d, d_mlp], b_in, W_out [d_mlp, d], b_out, blocks.{l}.ln1.w|b, ln2.w|b, ln_final.w|b,
// unembed.W_U [d, p], unembed.b_U [p]. Groups: embedding (W_E, W_pos), attention, mlp, layer_norm, head (unembed).
//
// Initialization (Nanda's progress-measures code, transformers.py): every weight matrix N(0, 1/d_model) (W_E,
// W_pos, W_Q, W_K, W_V, W_O, W_in and W_out alike: W_out is not scaled by 1/sqrt(d_mlp)), W_U N(0, 1/d_vocab) with
// d_vocab = p + 1, biases 0, LayerNorm w = 1, b = 0; drawn in layout order, then times model.init_scale.
#pragma once

#include <vector>

#include "grokscope/core/run_config.h"
#include "grokscope/nn/model.h"

namespace grokscope {

struct TransformerShape {
  int vocab = 0;    // token ids (p + 1)
  int ctx = 0;      // positions (3)
  int outputs = 0;  // classes (p)
};

template <class T>
class Transformer final : public Model<T> {
 public:
  Transformer(const ModelConfig& config, const TransformerShape& shape);

  const ParamLayout& layout() const override { return layout_; }
  int input_dim() const override { return shape_.vocab; }
  int output_dim() const override { return shape_.outputs; }
  int homogeneity() const override { return 0; }
  void init_params(T* params, Rng& rng) const override;
  std::unique_ptr<Workspace> make_workspace(int64_t max_rows) const override;
  const T* forward(const T* params, const InputBatch<T>& x, Workspace& ws) const override;
  void backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws) const override;

  static constexpr double kLayerNormEps = 1e-5;

 private:
  struct Block {  // offsets into the flat buffer; -1 when the tensor does not exist
    int64_t ln1_w = -1, ln1_b = -1, W_Q = -1, W_K = -1, W_V = -1, W_O = -1, b_Q = -1, b_K = -1, b_V = -1, b_O = -1;
    int64_t ln2_w = -1, ln2_b = -1, W_in = -1, b_in = -1, W_out = -1, b_out = -1;
  };
  int qpos(int layer) const { return layer + 1 == config_.layers ? 1 : shape_.ctx; }
  // Block 0's tabulated attention inputs (transformer_table.cpp): forward fills q, k, v of ws.blocks[0] for the
  // batch; backward takes the batch's dq, dk, dv and the residual gradient d_mid of block 0's query rows and adds
  // every gradient of block 0's LN1, W_Q, W_K, W_V (and biases) and of the embeddings to G.
  void table_forward(const T* P, const InputBatch<T>& x, Workspace& ws) const;
  void table_backward(const T* P, const InputBatch<T>& x, const T* d_mid, T* G, Workspace& ws) const;

  ModelConfig config_;
  TransformerShape shape_;
  int d_head_ = 0;
  ParamLayout layout_;
  int64_t W_E_ = -1, W_pos_ = -1, lnf_w_ = -1, lnf_b_ = -1, W_U_ = -1, b_U_ = -1;
  std::vector<Block> blocks_;
};

}  // namespace grokscope
