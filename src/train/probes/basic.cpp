// Probes for every model: distance from initialization, normalized margin, gradient hierarchy, spectra of weights.
#include "basic.h"

#include <cmath>

#include "grokscope/metrics/kernel_distance.h"
#include "grokscope/metrics/margins.h"
#include "grokscope/metrics/spectral.h"
#include "probe_util.h"

namespace grokscope::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

template <class T>
void KernelProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  const auto d = metrics::init_distance(ctx.params, ctx.params_init, ctx.model.layout().total_size());
  out[0] = d.dist_rel;
  out[1] = d.cos;
}

template <class T>
void MarginProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  double sq = 0.0;
  for (int64_t i = 0; i < ctx.model.layout().total_size(); ++i) sq += double(ctx.params[i]) * double(ctx.params[i]);
  const int degree = ctx.model.homogeneity();
  out[0] = degree > 0 ? metrics::normalized_margin(ctx.train.min_margin, std::sqrt(sq), degree) : kNaN;
}

template <class T>
GradProbe<T>::GradProbe(const ParamLayout& layout) : layout_(layout), groups_(layout.group_names()) {
  for (const char* g : {"embedding", "input"})
    if (lower_.empty() && std::find(groups_.begin(), groups_.end(), g) != groups_.end()) lower_ = g;
  has_head_ = std::find(groups_.begin(), groups_.end(), "head") != groups_.end();
}

template <class T>
std::vector<std::string> GradProbe<T>::columns() const {
  std::vector<std::string> c;
  for (const auto& g : groups_) c.push_back("grad_norm_" + g);
  if (has_head_ && !lower_.empty()) c.push_back("grad_ratio_head_" + lower_);
  return c;
}

template <class T>
void GradProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  std::vector<double> sq(groups_.size(), 0.0);
  for (const auto& p : layout_.params()) {
    const auto g = static_cast<size_t>(std::find(groups_.begin(), groups_.end(), p.group) - groups_.begin());
    if (ctx.grads)
      for (int64_t i = 0; i < p.size(); ++i) sq[g] += double(ctx.grads[p.offset + i]) * double(ctx.grads[p.offset + i]);
  }
  double head = 0.0, lower = 0.0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    out[g] = ctx.grads ? std::sqrt(sq[g]) : kNaN;
    if (groups_[g] == "head") head = out[g];
    if (groups_[g] == lower_) lower = out[g];
  }
  if (has_head_ && !lower_.empty()) out[groups_.size()] = ctx.grads && lower > 0 ? head / lower : kNaN;
}

template <class T>
SpectralProbe<T>::SpectralProbe(const ParamLayout& layout) {
  for (const auto& p : layout.params())
    if (!p.is_bias && p.shape.size() <= 2 && std::min(p.rows, p.cols) >= 2) matrices_.push_back(&p);
}

template <class T>
std::vector<std::string> SpectralProbe<T>::columns() const {
  std::vector<std::string> c;
  for (const auto* p : matrices_)
    for (const char* m : {"srank_", "erank_", "nuc_"}) c.push_back(m + p->name);
  return c;
}

template <class T>
void SpectralProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  for (const auto* p : matrices_) {
    const auto s = metrics::spectral_summary(param_matrix(*p, ctx.params));
    *out++ = s.stable_rank;
    *out++ = s.effective_rank;
    *out++ = s.nuclear;
  }
}

template class KernelProbe<float>;
template class KernelProbe<double>;
template class MarginProbe<float>;
template class MarginProbe<double>;
template class GradProbe<float>;
template class GradProbe<double>;
template class SpectralProbe<float>;
template class SpectralProbe<double>;

}  // namespace grokscope::detail
