// Probes for modular-arithmetic runs of the MLPs (columns in docs/diagnostics.md):
//   fourier:    of the residue-indexed first layer A (w1 or E, input slots side by side): fourier_gini (of the
//               aggregate spectrum), neuron_ipr and neuron_conc_frac (per-neuron structure of the first ReLU layer,
//               metrics/neuron_fourier.h; through E for the embedding MLP), fourier_keys (number of key frequencies:
//               those of the concentrated neurons for an MLP on one-hot inputs, the gap rule on E's spectrum for the
//               embedding MLP), s_rule (energy outside the key-frequency subspace), circle_rho_logdev and
//               circle_cos_abs (Musat's circle diagnostics over the key frequencies); NaN where there are no keys
//   gates:      of the first ReLU layer on the training set: gate_flip_frac (bits flipped since the previous
//               evaluation), preact_min_abs, and s_sep (class-separation ratio of its activations)
//   fourier_loss (op add, ordered pairs): loss_restricted and loss_excluded (Nanda et al.) on the training rows
#pragma once

#include <memory>
#include <vector>

#include "grokscope/metrics/gates.h"
#include "grokscope/metrics/neuron_fourier.h"
#include "grokscope/train/config.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

// Where the residue-indexed first layer of a token-input MLP lives.
struct FirstLayerView {
  const ParamInfo* table = nullptr;  // w1 (stored in x out) or E (tokens x d)
  const ParamInfo* neurons = nullptr;   // with E: the first ReLU layer after it (w1, width x d); else nullptr
  int p = 0;
  int slots = 1;                     // 2 for the concat encoding
  int64_t width = 0;
  bool valid() const { return table != nullptr; }
};
FirstLayerView first_layer_view(const ParamLayout& layout, const TaskConfig& task);

// The key frequencies of the first layer (fourier.h / neuron_fourier.h): the distinct dominant frequencies of the
// concentrated neurons (top share >= 0.9) for an MLP on one-hot inputs; the gap rule on the embedding's spectrum for
// the embedding MLP. Also returns the per-neuron summary (NaN means when there is no neuron matrix).
struct LayerFourier {
  Eigen::MatrixXd a;                       // the residue-indexed table (p x slots*cols)
  Eigen::VectorXd norms;                   // its aggregate frequency norms
  metrics::NeuronFourierSummary neurons;   // per-neuron structure of the first ReLU layer
  std::vector<int> keys;
};
template <class T>
LayerFourier layer_fourier(const FirstLayerView& view, const T* params);

// The first layer's Fourier structure of the current evaluation, shared by the fourier and fourier_loss probes so
// that it is computed once per evaluation (an evaluation is identified by its step and time).
class LayerFourierCache {
 public:
  template <class T>
  const LayerFourier& at(const FirstLayerView& view, const ProbeContext<T>& ctx);

 private:
  int64_t step_ = -1;
  double time_ = 0.0;
  bool filled_ = false;
  LayerFourier value_;
};

template <class T>
class FourierProbe final : public Probe<T> {
 public:
  FourierProbe(FirstLayerView view, std::shared_ptr<LayerFourierCache> cache) : view_(view), cache_(std::move(cache)) {}
  std::vector<std::string> columns() const override {
    return {"fourier_gini", "neuron_ipr", "neuron_conc_frac", "fourier_keys", "s_rule", "circle_rho_logdev",
            "circle_cos_abs"};
  }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  FirstLayerView view_;
  std::shared_ptr<LayerFourierCache> cache_;
};

template <class T>
class GateProbe final : public Probe<T> {
 public:
  GateProbe(const ParamLayout& layout, const Dataset<T>& train);
  static bool applies(const ParamLayout& layout, const ModelConfig& model, const Dataset<T>& train);
  std::vector<std::string> columns() const override { return {"gate_flip_frac", "preact_min_abs", "s_sep"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  const ParamInfo* embedding_;  // E (embedding MLP) or nullptr
  const ParamInfo* w1_;         // the first ReLU layer's weights
  const ParamInfo* b1_;
  int64_t width_;
  std::vector<double> pre_;     // n x width
  metrics::GateTracker tracker_;
};

template <class T>
class FourierLossProbe final : public Probe<T> {
 public:
  FourierLossProbe(const TaskConfig& task, const TaskData<T>& data, FirstLayerView view, const Model<T>& model,
                   std::shared_ptr<LayerFourierCache> cache);
  std::vector<std::string> columns() const override { return {"loss_restricted", "loss_excluded"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  FirstLayerView view_;
  std::shared_ptr<LayerFourierCache> cache_;
  int p_;
  std::vector<int32_t> tokens_;       // the full p x p table, token-encoded
  std::vector<int64_t> train_rows_;
  std::unique_ptr<Workspace> ws_;
};

}  // namespace grokscope::detail
