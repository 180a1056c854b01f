// Nanda's progress measures for the transformer (see transformer_fourier.h).
#include "transformer_fourier.h"

#include <string>

#include "grokscope/data/modular.h"
#include "grokscope/metrics/fourier_loss.h"
#include "probe_util.h"

namespace grokscope::detail {

TransformerView transformer_view(const ParamLayout& layout, const ModelConfig& model, const TaskConfig& task) {
  TransformerView v;
  if (model.kind != ModelKind::transformer || !has_residues(task) || task.encoding != Encoding::tokens)
    return v;   // Fourier measures need residues mod p (not S_5's permutations)
  v.p = task.p;
  v.embed = layout.find("embed.W_E");
  v.w_out = layout.find("blocks." + std::to_string(model.layers - 1) + ".mlp.W_out");
  v.unembed = layout.find("unembed.W_U");
  if (v.valid() && (v.embed->rows != v.p + 1 || v.unembed->cols != v.p)) v = TransformerView{};
  return v;
}

template <class T>
metrics::TransformerFourier transformer_fourier_of(const TransformerView& view, const T* params) {
  const Eigen::MatrixXd w_e = param_matrix(*view.embed, params);   // [p+1, d]; row p is "="
  return metrics::transformer_fourier(w_e.topRows(view.p), param_matrix(*view.w_out, params),
                                      param_matrix(*view.unembed, params));
}

template <class T>
const metrics::TransformerFourier& TransformerFourierCache::at(const TransformerView& view,
                                                               const ProbeContext<T>& ctx) {
  if (ctx.step != step_ || ctx.time != time_ || !filled_) {
    value_ = transformer_fourier_of(view, ctx.params);
    step_ = ctx.step;
    time_ = ctx.time;
    filled_ = true;
  }
  return value_;
}

template <class T>
void TransformerFourierProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  const metrics::TransformerFourier& f = cache_->at(view_, ctx);
  out[0] = f.gini_embed;
  out[1] = f.gini_logits;
  out[2] = static_cast<double>(f.keys_embed.size());
  out[3] = static_cast<double>(f.keys_logits.size());
}

template <class T>
TransformerFourierLossProbe<T>::TransformerFourierLossProbe(const TaskData<T>& data, TransformerView view,
                                                            const Model<T>& model,
                                                            std::shared_ptr<TransformerFourierCache> cache)
    : view_(view), cache_(std::move(cache)) {
  const int p = view_.p;
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) {
      tokens_.push_back(a);
      tokens_.push_back(b);
      tokens_.push_back(p);   // "="
      all_rows_.push_back(static_cast<int64_t>(a) * p + b);
    }
  for (const auto& arr : data.arrays)
    if (arr.name == "train_idx") train_rows_ = std::get<std::vector<int64_t>>(arr.data);
  ws_ = model.make_workspace(static_cast<int64_t>(p) * p);
}

template <class T>
void TransformerFourierLossProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  // With no keys (K empty) nothing is kept or removed: the restricted logits are the per-class means (a constant
  // prediction) and the excluded loss is the training loss itself.
  const std::vector<int>& keys = cache_->at(view_, ctx).keys_logits;
  const int p = view_.p;
  const int64_t rows = static_cast<int64_t>(p) * p;
  const InputBatch<T> x{.n = rows, .dim = ctx.model.input_dim(), .tokens_per_row = 3, .tokens = tokens_.data()};
  const Eigen::MatrixXd table = metrics::to_matrix(ctx.model.forward(ctx.params, x, *ws_), rows, p);
  out[0] = metrics::fourier_losses(table, p, keys, all_rows_).restricted;   // Nanda: over all p^2 inputs
  out[1] = metrics::fourier_losses(table, p, keys, train_rows_).excluded;   // on the training rows
}

template metrics::TransformerFourier transformer_fourier_of<float>(const TransformerView&, const float*);
template metrics::TransformerFourier transformer_fourier_of<double>(const TransformerView&, const double*);
template const metrics::TransformerFourier& TransformerFourierCache::at<float>(const TransformerView&,
                                                                                const ProbeContext<float>&);
template const metrics::TransformerFourier& TransformerFourierCache::at<double>(const TransformerView&,
                                                                                 const ProbeContext<double>&);
template class TransformerFourierProbe<float>;
template class TransformerFourierProbe<double>;
template class TransformerFourierLossProbe<float>;
template class TransformerFourierLossProbe<double>;

}  // namespace grokscope::detail
