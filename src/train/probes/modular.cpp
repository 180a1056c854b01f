// Fourier, gate and restricted-loss probes for modular tasks (see modular.h).
#include "modular.h"

#include <algorithm>
#include <cmath>

#include "grokscope/data/modular.h"
#include "grokscope/metrics/circle.h"
#include "grokscope/metrics/fourier.h"
#include "grokscope/metrics/fourier_loss.h"
#include "grokscope/metrics/separation.h"
#include "probe_util.h"

namespace grokscope::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class T>
Eigen::MatrixXd residue_matrix(const FirstLayerView& v, const T* params) {
  return metrics::input_slot_embeddings(params + v.table->offset, v.p, v.slots, v.width);
}
}  // namespace

FirstLayerView first_layer_view(const ParamLayout& layout, const TaskConfig& task) {
  FirstLayerView v;
  if (!has_residues(task)) return v;   // not Z_p (other tasks, S_5's permutations): no Fourier view
  v.p = task.p;
  v.slots = task.encoding == Encoding::concat ? 2 : 1;
  if (const ParamInfo* e = layout.find("E")) {
    v.table = e;
    v.width = e->cols;
    const ParamInfo* w1 = layout.find("w1");
    v.neurons = w1 && w1->group != "head" ? w1 : nullptr;   // E straight into the head: no ReLU neurons
  } else if (const ParamInfo* w1 = layout.find("w1"); w1 && w1->transposed) {
    v.table = w1;
    v.width = w1->rows;
  }
  return v;
}

template <class T>
LayerFourier layer_fourier(const FirstLayerView& view, const T* params) {
  LayerFourier f;
  f.a = residue_matrix(view, params);
  if (view.neurons) {   // embedding MLP: neuron j of the first ReLU layer sees residue x of slot s through E_s W1^T
    const Eigen::MatrixXd w1 = param_matrix(*view.neurons, params);   // width x d
    Eigen::MatrixXd eff(view.p, view.slots * w1.rows());
    for (int s = 0; s < view.slots; ++s)
      eff.middleCols(static_cast<Eigen::Index>(s) * w1.rows(), w1.rows()) =
          f.a.middleCols(static_cast<Eigen::Index>(s) * view.width, view.width) * w1.transpose();
    f.norms = metrics::frequency_norms(f.a).norms;
    f.neurons = metrics::summarize_neurons(metrics::neuron_fourier(eff, view.slots));
    f.keys = metrics::key_frequencies_by_gap(std::vector<double>(f.norms.data(), f.norms.data() + f.norms.size()));
  } else {   // the MLP: its neurons are the columns of A, and their energies sum to A's spectrum
    const metrics::NeuronFourier n = metrics::neuron_fourier(f.a, view.slots);
    f.norms = n.norms;
    f.neurons = metrics::summarize_neurons(n);
    f.keys = f.neurons.keys;
  }
  return f;
}

template <class T>
const LayerFourier& LayerFourierCache::at(const FirstLayerView& view, const ProbeContext<T>& ctx) {
  if (ctx.step != step_ || ctx.time != time_ || !filled_) {
    value_ = layer_fourier(view, ctx.params);
    step_ = ctx.step;
    time_ = ctx.time;
    filled_ = true;
  }
  return value_;
}

template <class T>
void FourierProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  const LayerFourier& f = cache_->at(view_, ctx);
  out[0] = metrics::gini(f.norms);
  out[1] = f.neurons.ipr_mean;
  out[2] = f.neurons.concentrated_frac;
  out[3] = static_cast<double>(f.keys.size());
  out[4] = f.keys.empty() ? kNaN : metrics::rule_gap(f.a, f.keys);
  if (f.keys.empty()) {
    out[5] = out[6] = kNaN;
    return;
  }
  const auto circles = metrics::summarize_circles(metrics::circle_diagnostics(f.a), f.keys);
  out[5] = circles.rho_logdev;
  out[6] = circles.cos_abs;
}

template <class T>
bool GateProbe<T>::applies(const ParamLayout& layout, const ModelConfig& model, const Dataset<T>& train) {
  if (train.tokens_per_row == 0) return false;
  if (model.activation != Activation::relu && model.activation != Activation::leaky_relu) return false;
  const bool embedding = layout.find("E") != nullptr;
  const ParamInfo* w1 = layout.find("w1");
  // The first ReLU layer: w1 after E, or w1 itself when it is not the head.
  return w1 && (embedding || w1->group != "head") && !(embedding && w1->group == "head");
}

template <class T>
GateProbe<T>::GateProbe(const ParamLayout& layout, const Dataset<T>& train)
    : embedding_(layout.find("E")),
      w1_(layout.find("w1")),
      b1_(layout.find("b1")),
      width_(w1_->rows),
      pre_(static_cast<size_t>(train.n * w1_->rows)),
      tracker_(train.n * w1_->rows) {}

template <class T>
void GateProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  const Dataset<T>& ds = ctx.data.train;
  const int tpr = ds.tokens_per_row;
  const T* params = ctx.params;
  const T* b1 = b1_ ? params + b1_->offset : nullptr;
  Eigen::MatrixXd w1;
  if (embedding_) w1 = param_matrix(*w1_, params);  // width x d
  for (int64_t i = 0; i < ds.n; ++i) {
    double* __restrict z = pre_.data() + i * width_;
    const int32_t* tok = ds.tokens.data() + i * tpr;
    if (embedding_) {
      const int64_t d = embedding_->cols;
      Eigen::VectorXd h = Eigen::VectorXd::Zero(d);
      for (int t = 0; t < tpr; ++t)
        for (int64_t j = 0; j < d; ++j) h(j) += double(params[embedding_->offset + tok[t] * d + j]);
      const Eigen::VectorXd zz = w1 * h;  // into aligned storage: the bits must not depend on pre_'s address
      for (int64_t j = 0; j < width_; ++j) z[j] = zz(j);
    } else {   // the sum of the tokens' rows of w1^T, in token order (vectorized: z and the rows do not alias)
      const T* __restrict first = params + w1_->offset + static_cast<int64_t>(tok[0]) * width_;
      for (int64_t j = 0; j < width_; ++j) z[j] = double(first[j]);
      for (int t = 1; t < tpr; ++t) {
        const T* __restrict r = params + w1_->offset + static_cast<int64_t>(tok[t]) * width_;
        for (int64_t j = 0; j < width_; ++j) z[j] += double(r[j]);
      }
    }
    if (b1)
      for (int64_t j = 0; j < width_; ++j) z[j] += double(b1[j]);
  }
  out[0] = tracker_.update(pre_.data());
  out[1] = metrics::min_abs_preactivation(pre_.data(), static_cast<int64_t>(pre_.size()));
  for (double& v : pre_) v = std::max(v, 0.0);   // the activations h = relu(z), in place: z is no longer needed
  out[2] = metrics::separation_gap_rows(pre_.data(), ds.n, width_, ds.labels).s_sep;
}

template <class T>
FourierLossProbe<T>::FourierLossProbe(const TaskConfig& task, const TaskData<T>& data, FirstLayerView view,
                                      const Model<T>& model, std::shared_ptr<LayerFourierCache> cache)
    : view_(view), cache_(std::move(cache)), p_(task.p) {
  const int32_t offset_b = task.encoding == Encoding::concat ? p_ : 0;
  for (int a = 0; a < p_; ++a)
    for (int b = 0; b < p_; ++b) {
      tokens_.push_back(a);
      tokens_.push_back(b + offset_b);
    }
  for (const auto& arr : data.arrays)
    if (arr.name == "train_idx") train_rows_ = std::get<std::vector<int64_t>>(arr.data);
  ws_ = model.make_workspace(static_cast<int64_t>(p_) * p_);
}

template <class T>
void FourierLossProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  const std::vector<int>& keys = cache_->at(view_, ctx).keys;
  if (keys.empty()) {
    out[0] = out[1] = kNaN;
    return;
  }
  const int64_t rows = static_cast<int64_t>(p_) * p_;
  const InputBatch<T> x{.n = rows, .dim = ctx.model.input_dim(), .tokens_per_row = 2, .tokens = tokens_.data()};
  const T* logits = ctx.model.forward(ctx.params, x, *ws_);
  const auto losses = metrics::fourier_losses(metrics::to_matrix(logits, rows, p_), p_, keys, train_rows_);
  out[0] = losses.restricted;
  out[1] = losses.excluded;
}

template LayerFourier layer_fourier<float>(const FirstLayerView&, const float*);
template LayerFourier layer_fourier<double>(const FirstLayerView&, const double*);
template const LayerFourier& LayerFourierCache::at<float>(const FirstLayerView&, const ProbeContext<float>&);
template const LayerFourier& LayerFourierCache::at<double>(const FirstLayerView&, const ProbeContext<double>&);
template class FourierProbe<float>;
template class FourierProbe<double>;
template class GateProbe<float>;
template class GateProbe<double>;
template class FourierLossProbe<float>;
template class FourierLossProbe<double>;

}  // namespace grokscope::detail
