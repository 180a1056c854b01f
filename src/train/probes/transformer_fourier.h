// Nanda et al.'s progress measures for the transformer on a + b mod p (columns in docs/diagnostics.md, "Transformer
// progress measures"; metrics/transformer_fourier.h):
//   fourier (transformer): fourier_gini_we, fourier_gini_wl (Gini of the frequency norms of W_E's residue rows and of
//                          W_L = W_out W_U over the logit axis), fourier_keys_we, fourier_keys_wl (their gap-rule
//                          key counts)
//   fourier_loss (op add, ordered pairs): loss_restricted over all p^2 inputs and loss_excluded over the training
//                          rows, both with W_L's key frequencies (while W_L has none: the per-class-mean
//                          loss and the training loss, Nanda's definitions with an empty key set)
// The MLP's probes of the same names are in modular.h; a run has one or the other.
#pragma once

#include <memory>
#include <vector>

#include "grokscope/metrics/transformer_fourier.h"
#include "grokscope/train/config.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

// Where W_E, the last block's W_out and W_U live (a transformer with an MLP on a modular task with token input).
struct TransformerView {
  const ParamInfo* embed = nullptr;     // embed.W_E [p+1, d]
  const ParamInfo* w_out = nullptr;     // blocks.{L-1}.mlp.W_out [d_mlp, d]
  const ParamInfo* unembed = nullptr;   // unembed.W_U [d, p]
  int p = 0;
  bool valid() const { return embed && w_out && unembed; }
};
TransformerView transformer_view(const ParamLayout& layout, const ModelConfig& model, const TaskConfig& task);

template <class T>
metrics::TransformerFourier transformer_fourier_of(const TransformerView& view, const T* params);

// The spectra of the current evaluation, shared by the two probes (computed once per evaluation).
class TransformerFourierCache {
 public:
  template <class T>
  const metrics::TransformerFourier& at(const TransformerView& view, const ProbeContext<T>& ctx);

 private:
  int64_t step_ = -1;
  double time_ = 0.0;
  bool filled_ = false;
  metrics::TransformerFourier value_;
};

template <class T>
class TransformerFourierProbe final : public Probe<T> {
 public:
  TransformerFourierProbe(TransformerView view, std::shared_ptr<TransformerFourierCache> cache)
      : view_(view), cache_(std::move(cache)) {}
  std::vector<std::string> columns() const override {
    return {"fourier_gini_we", "fourier_gini_wl", "fourier_keys_we", "fourier_keys_wl"};
  }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  TransformerView view_;
  std::shared_ptr<TransformerFourierCache> cache_;
};

template <class T>
class TransformerFourierLossProbe final : public Probe<T> {
 public:
  TransformerFourierLossProbe(const TaskData<T>& data, TransformerView view, const Model<T>& model,
                              std::shared_ptr<TransformerFourierCache> cache);
  std::vector<std::string> columns() const override { return {"loss_restricted", "loss_excluded"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  TransformerView view_;
  std::shared_ptr<TransformerFourierCache> cache_;
  std::vector<int32_t> tokens_;   // the p x p table as [a, b, =] rows, row a p + b
  std::vector<int64_t> all_rows_;
  std::vector<int64_t> train_rows_;
  std::unique_ptr<Workspace> ws_;
};

}  // namespace grokscope::detail
