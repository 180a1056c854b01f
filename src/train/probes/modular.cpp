// Fourier, gate and restricted-loss probes for modular tasks (see modular.h).
#include "modular.h"

#include <cmath>

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
  if (task.kind != TaskKind::modular) return v;
  v.p = task.p;
  v.slots = task.encoding == Encoding::concat ? 2 : 1;
  if (const ParamInfo* e = layout.find("E")) {
    v.table = e;
    v.width = e->cols;
  } else if (const ParamInfo* w1 = layout.find("w1"); w1 && w1->transposed) {
    v.table = w1;
    v.width = w1->rows;
  }
  return v;
}

template <class T>
void FourierProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  const Eigen::MatrixXd a = residue_matrix(view_, ctx.params);
  const auto norms = metrics::frequency_norms(a);
  const auto keys = metrics::key_frequencies(norms.norms);
  out[0] = metrics::gini(norms.norms);
  out[1] = static_cast<double>(keys.size());
  out[2] = keys.empty() ? kNaN : metrics::rule_gap(a, keys);
  if (keys.empty()) {
    out[3] = out[4] = kNaN;
    return;
  }
  const auto circles = metrics::summarize_circles(metrics::circle_diagnostics(a), keys);
  out[3] = circles.rho_logdev;
  out[4] = circles.cos_abs;
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
  Eigen::MatrixXd w1;
  if (embedding_) w1 = param_matrix(*w1_, params);  // width x d
  for (int64_t i = 0; i < ds.n; ++i) {
    double* z = pre_.data() + i * width_;
    const int32_t* tok = ds.tokens.data() + i * tpr;
    if (embedding_) {
      const int64_t d = embedding_->cols;
      Eigen::VectorXd h = Eigen::VectorXd::Zero(d);
      for (int t = 0; t < tpr; ++t)
        for (int64_t j = 0; j < d; ++j) h(j) += double(params[embedding_->offset + tok[t] * d + j]);
      const Eigen::VectorXd zz = w1 * h;  // into aligned storage: the bits must not depend on pre_'s address
      for (int64_t j = 0; j < width_; ++j) z[j] = zz(j);
    } else {
      for (int64_t j = 0; j < width_; ++j) z[j] = 0.0;
      for (int t = 0; t < tpr; ++t)
        for (int64_t j = 0; j < width_; ++j) z[j] += double(params[w1_->offset + tok[t] * width_ + j]);
    }
    if (b1_)
      for (int64_t j = 0; j < width_; ++j) z[j] += double(params[b1_->offset + j]);
  }
  out[0] = tracker_.update(pre_.data());
  out[1] = metrics::min_abs_preactivation(pre_.data(), static_cast<int64_t>(pre_.size()));
  Eigen::MatrixXd h = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                          pre_.data(), ds.n, width_)
                          .cwiseMax(0.0);
  out[2] = metrics::separation_gap(h, ds.labels).s_sep;
}

template <class T>
FourierLossProbe<T>::FourierLossProbe(const TaskConfig& task, const TaskData<T>& data, FirstLayerView view,
                                      const Model<T>& model)
    : view_(view), p_(task.p) {
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
  const auto keys = metrics::key_frequencies(metrics::frequency_norms(residue_matrix(view_, ctx.params)).norms);
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

template class FourierProbe<float>;
template class FourierProbe<double>;
template class GateProbe<float>;
template class GateProbe<double>;
template class FourierLossProbe<float>;
template class FourierLossProbe<double>;

}  // namespace grokscope::detail
