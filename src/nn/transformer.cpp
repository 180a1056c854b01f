// The transformer's parameter layout, initialization and workspace (nn/transformer.h); forward and backward are in
// transformer_pass.cpp.
#include "grokscope/nn/transformer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "grokscope/core/error.h"
#include "grokscope/kernels/transformer_rows.h"
#include "transformer_workspace.h"

namespace grokscope {

template <class T>
Transformer<T>::Transformer(const ModelConfig& config, const TransformerShape& shape) : config_(config), shape_(shape) {
  GS_CHECK(shape.vocab > 0 && shape.outputs > 0);
  GS_CHECK(shape.ctx >= 1 && shape.ctx <= kernels::kMaxAttentionContext);
  GS_CHECK(config.layers >= 1 && config.d_model >= 1 && config.heads >= 1 && config.d_mlp >= 1);
  GS_CHECK(config.d_model % config.heads == 0);
  d_head_ = config.d_model / config.heads;
  const int64_t d = config.d_model, h = config.heads, dh = d_head_, dm = config.d_mlp;
  auto add = [&](const std::string& name, const char* group, std::vector<int64_t> dims, bool is_bias) {
    return layout_.add_shaped(name, group, std::move(dims), is_bias).offset;
  };
  W_E_ = add("embed.W_E", "embedding", {shape.vocab, d}, false);
  W_pos_ = add("pos_embed.W_pos", "embedding", {shape.ctx, d}, false);
  for (int l = 0; l < config.layers; ++l) {
    Block b;
    const std::string pre = fmt::format("blocks.{}.", l);
    if (config.layer_norm) {
      b.ln1_w = add(pre + "ln1.w", "layer_norm", {d}, true);
      b.ln1_b = add(pre + "ln1.b", "layer_norm", {d}, true);
    }
    b.W_Q = add(pre + "attn.W_Q", "attention", {h, d, dh}, false);
    b.W_K = add(pre + "attn.W_K", "attention", {h, d, dh}, false);
    b.W_V = add(pre + "attn.W_V", "attention", {h, d, dh}, false);
    b.W_O = add(pre + "attn.W_O", "attention", {h, dh, d}, false);
    if (config.attn_bias) {
      b.b_Q = add(pre + "attn.b_Q", "attention", {h, dh}, true);
      b.b_K = add(pre + "attn.b_K", "attention", {h, dh}, true);
      b.b_V = add(pre + "attn.b_V", "attention", {h, dh}, true);
      b.b_O = add(pre + "attn.b_O", "attention", {d}, true);
    }
    if (config.layer_norm) {
      b.ln2_w = add(pre + "ln2.w", "layer_norm", {d}, true);
      b.ln2_b = add(pre + "ln2.b", "layer_norm", {d}, true);
    }
    b.W_in = add(pre + "mlp.W_in", "mlp", {d, dm}, false);
    if (config.mlp_bias) b.b_in = add(pre + "mlp.b_in", "mlp", {dm}, true);
    b.W_out = add(pre + "mlp.W_out", "mlp", {dm, d}, false);
    if (config.mlp_bias) b.b_out = add(pre + "mlp.b_out", "mlp", {d}, true);
    blocks_.push_back(b);
  }
  if (config.layer_norm) {
    lnf_w_ = add("ln_final.w", "layer_norm", {d}, true);
    lnf_b_ = add("ln_final.b", "layer_norm", {d}, true);
  }
  W_U_ = add("unembed.W_U", "head", {d, shape.outputs}, false);
  if (config.unembed_bias) b_U_ = add("unembed.b_U", "head", {shape.outputs}, true);
}

template <class T>
void Transformer<T>::init_params(T* params, Rng& rng) const {
  // Nanda's transformers.py: torch.randn(...) / sqrt(d_model) for every matrix but W_U (/ sqrt(d_vocab)); zero
  // biases; LayerNorm w = 1, b = 0 (TransformerLens). Drawn in layout order, each tensor row-major.
  const double scale = config_.init_scale;
  const double std_model = 1.0 / std::sqrt(static_cast<double>(config_.d_model));
  const double std_vocab = 1.0 / std::sqrt(static_cast<double>(shape_.vocab));
  for (const auto& p : layout_.params()) {
    T* w = params + p.offset;
    const bool ln_weight = p.group == "layer_norm" && p.name.ends_with(".w");
    if (p.is_bias) {
      std::fill(w, w + p.size(), ln_weight ? T(1) : T(0));
      continue;
    }
    const double std = (p.offset == W_U_ ? std_vocab : std_model) * scale;
    for (int64_t i = 0; i < p.size(); ++i) w[i] = static_cast<T>(std * rng.normal());
  }
}

template <class T>
std::unique_ptr<Workspace> Transformer<T>::make_workspace(int64_t max_rows) const {
  auto ws = std::make_unique<detail::TransformerWorkspace<T>>();
  ws->max_rows = max_rows;
  const auto n = static_cast<size_t>(std::max<int64_t>(max_rows, 1));
  const auto ctx = static_cast<size_t>(shape_.ctx), d = static_cast<size_t>(config_.d_model);
  const auto hd = static_cast<size_t>(config_.heads * d_head_), dm = static_cast<size_t>(config_.d_mlp);
  const auto heads = static_cast<size_t>(config_.heads);
  const size_t rows = n * ctx;
  const bool ln = config_.layer_norm;
  size_t max_q = 0;
  for (int l = 0; l < config_.layers; ++l) {
    const size_t nq = n * static_cast<size_t>(qpos(l));
    max_q = std::max(max_q, nq);
    detail::TransformerBlockBuffers<T> b;
    b.x.resize(rows * d);
    if (ln && l > 0) {   // block 0's LN1 is tabulated (ws->table)
      b.ln1_y.resize(rows * d);
      b.ln1_xhat.resize(rows * d);
      b.ln1_rstd.resize(rows);
    }
    if (ln) {
      b.ln2_y.resize(nq * d);
      b.ln2_xhat.resize(nq * d);
      b.ln2_rstd.resize(nq);
    }
    b.q.resize(nq * hd);
    b.probs.resize(nq * heads * ctx);
    b.z.resize(nq * hd);
    b.k.resize(rows * hd);
    b.v.resize(rows * hd);
    b.mid.resize(nq * d);
    b.act.resize(nq * dm);
    ws->blocks.push_back(std::move(b));
  }
  auto& t = ws->table;
  const size_t pairs = static_cast<size_t>(shape_.vocab) * ctx;
  for (auto* buf : {&t.x, &t.dy, &t.dx}) buf->resize(pairs * d);
  for (auto* buf : {&t.q, &t.k, &t.v, &t.dq, &t.dk, &t.dv}) buf->resize(pairs * hd);
  if (ln) {
    t.ln_y.resize(pairs * d);
    t.ln_xhat.resize(pairs * d);
    t.ln_rstd.resize(pairs);
  }
  ws->final_x.resize(n * d);
  if (ln) {
    ws->lnf_y.resize(n * d);
    ws->lnf_xhat.resize(n * d);
    ws->lnf_rstd.resize(n);
  }
  ws->logits.resize(n * static_cast<size_t>(shape_.outputs));
  ws->d_res_a.resize(rows * d);
  ws->d_res_b.resize(rows * d);
  ws->d_mid.resize(max_q * d);
  ws->d_y.resize(rows * d);
  ws->d_act.resize(max_q * dm);
  ws->dq.resize(max_q * hd);
  ws->dk.resize(rows * hd);
  ws->dv.resize(rows * hd);
  ws->dz.resize(max_q * hd);
  return ws;
}

template class Transformer<float>;
template class Transformer<double>;

}  // namespace grokscope
