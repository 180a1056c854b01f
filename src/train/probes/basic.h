// Probes that apply to every model (columns in docs/diagnostics.md):
//   kernel:   dist_init_rel = |theta - theta_0| / |theta_0|, cos_init = cos(theta, theta_0)
//   margin:   nmargin_train = margin_train / |theta|^L for an L-homogeneous model (NaN otherwise)
//   grad:     grad_norm_<group> (training gradient, no weight decay; full-batch runs only) and
//             grad_ratio_head_<embedding|input> (two-clocks Prop. 4.2: the head gets the larger gradient)
//   spectral: srank_<m>, erank_<m>, nuc_<m> for every weight matrix m with both sides >= 2
#pragma once

#include <string>
#include <vector>

#include "grokscope/train/probe.h"

namespace grokscope::detail {

template <class T>
class KernelProbe final : public Probe<T> {
 public:
  std::vector<std::string> columns() const override { return {"dist_init_rel", "cos_init"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;
};

template <class T>
class MarginProbe final : public Probe<T> {
 public:
  std::vector<std::string> columns() const override { return {"nmargin_train"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;
};

template <class T>
class GradProbe final : public Probe<T> {
 public:
  explicit GradProbe(const ParamLayout& layout);
  std::vector<std::string> columns() const override;
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  const ParamLayout& layout_;
  std::vector<std::string> groups_;
  std::string lower_;  // the group compared with the head: embedding, else input
  bool has_head_ = false;
};

template <class T>
class SpectralProbe final : public Probe<T> {
 public:
  explicit SpectralProbe(const ParamLayout& layout);
  std::vector<std::string> columns() const override;
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  std::vector<const ParamInfo*> matrices_;
};

}  // namespace grokscope::detail
