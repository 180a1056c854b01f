// Model-specific probes (see models.h).
#include "models.h"

#include <algorithm>
#include <cmath>

#include "grokscope/metrics/deep_linear.h"
#include "grokscope/metrics/spectral.h"
#include "probe_util.h"

namespace grokscope::detail {

template <class T>
bool DeepLinearProbe<T>::applies(const ParamLayout& layout, const ModelConfig& model) {
  return model.kind == ModelKind::mlp && model.activation == Activation::identity && model.bias == BiasMode::none &&
         weight_matrices(layout).size() >= 2;
}

template <class T>
DeepLinearProbe<T>::DeepLinearProbe(const ParamLayout& layout, double weight_decay)
    : layers_(weight_matrices(layout)), weight_decay_(weight_decay) {}

template <class T>
std::vector<std::string> DeepLinearProbe<T>::columns() const {
  std::vector<std::string> c = {"srank_A", "nuc_A", "penalty_induced", "penalty_actual"};
  for (size_t l = 1; l < layers_.size(); ++l) c.push_back("imbalance_" + std::to_string(l));
  for (int64_t i = 1; i <= std::min(layers_.back()->rows, layers_.front()->cols); ++i)
    c.push_back("sv_A_" + std::to_string(i));
  return c;
}

template <class T>
void DeepLinearProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  std::vector<Eigen::MatrixXd> w;
  for (const auto* p : layers_) w.push_back(param_matrix(*p, ctx.params));
  const Eigen::MatrixXd a = metrics::end_to_end(w);
  const auto s = metrics::spectral_summary(a);
  const auto report = metrics::deep_linear_report(w, weight_decay_);
  *out++ = s.stable_rank;
  *out++ = s.nuclear;
  *out++ = report.induced_penalty;
  *out++ = report.actual_penalty;
  for (double d : report.imbalance) *out++ = d;
  for (int64_t i = 0; i < std::min(layers_.back()->rows, layers_.front()->cols); ++i)
    *out++ = i < report.sv.size() ? report.sv[i] : 0.0;
}

template <class T>
DiagonalProbe<T>::DiagonalProbe(const ParamLayout& layout, int depth, const TaskData<T>& data)
    : u_(layout.find("u")), v_(layout.find("v")), depth_(depth) {
  for (const auto& [name, values] : data.references)
    if (name == "w_star") w_star_ = values;
}

template <class T>
void DiagonalProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  double l1 = 0.0, l2 = 0.0, dot = 0.0, star = 0.0;
  for (int64_t i = 0; i < u_->size(); ++i) {
    const double w = std::pow(double(ctx.params[u_->offset + i]), depth_) -
                     std::pow(double(ctx.params[v_->offset + i]), depth_);
    l1 += std::abs(w);
    l2 += w * w;
    if (!w_star_.empty()) {
      dot += w * w_star_[static_cast<size_t>(i)];
      star += w_star_[static_cast<size_t>(i)] * w_star_[static_cast<size_t>(i)];
    }
  }
  out[0] = l2 > 0 ? l1 / std::sqrt(l2) : std::numeric_limits<double>::quiet_NaN();
  out[1] = (l2 > 0 && star > 0) ? dot / std::sqrt(l2 * star) : std::numeric_limits<double>::quiet_NaN();
}

template <class T>
MatrixProbe<T>::MatrixProbe(const ParamLayout& layout) : u_(layout.find("U")), v_(layout.find("V")) {}

template <class T>
void MatrixProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  const Eigen::MatrixXd u = param_matrix(*u_, ctx.params), v = param_matrix(*v_, ctx.params);
  const Eigen::MatrixXd w = u * u.transpose() - v * v.transpose();
  const Eigen::VectorXd sv = metrics::singular_values(w);
  out[0] = metrics::nuclear_norm_from_sv(sv);
  out[1] = metrics::stable_rank_from_sv(sv);
  int rank = 0;
  for (Eigen::Index i = 0; i < sv.size(); ++i) rank += sv(i) > 1e-3 * sv(0);
  out[2] = sv.size() > 0 && sv(0) > 0 ? rank : 0;
}

template class DeepLinearProbe<float>;
template class DeepLinearProbe<double>;
template class DiagonalProbe<float>;
template class DiagonalProbe<double>;
template class MatrixProbe<float>;
template class MatrixProbe<double>;

}  // namespace grokscope::detail
