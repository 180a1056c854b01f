// Model-specific probes (issue 3's quantities; columns in docs/diagnostics.md):
//   deep linear (MLP with identity activation and no biases, depth >= 2): the end-to-end map A = W_L ... W_1:
//     srank_A, nuc_A, penalty_induced = (lambda L / 2) sum sigma_i(A)^{2/L}, penalty_actual = (lambda / 2) sum |W_l|_F^2
//     (lambda = optim.weight_decay; equal on balanced factorizations, Eq. 2.7), imbalance_<l> = |W_{l+1}^T W_{l+1} -
//     W_l W_l^T|_F and sv_A_<i> = sigma_i(A), i = 1..min(out, in), descending (Prop. 4.3's singular-value drift)
//   diagonal net: w = u^L - v^L: w_l1_over_l2 = |w|_1 / |w|_2, cos_w_star = cos(w, w*) with the teacher of the task
//   matrix factorization: W = U U^T - V V^T: nuc_W, srank_W, rank_W (singular values > 1e-3 sigma_1)
#pragma once

#include "grokscope/train/config.h"
#include "grokscope/train/probe.h"

namespace grokscope::detail {

template <class T>
class DeepLinearProbe final : public Probe<T> {
 public:
  DeepLinearProbe(const ParamLayout& layout, double weight_decay);
  static bool applies(const ParamLayout& layout, const ModelConfig& model);
  std::vector<std::string> columns() const override;
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  std::vector<const ParamInfo*> layers_;
  double weight_decay_;
};

template <class T>
class DiagonalProbe final : public Probe<T> {
 public:
  DiagonalProbe(const ParamLayout& layout, int depth, const TaskData<T>& data);
  std::vector<std::string> columns() const override { return {"w_l1_over_l2", "cos_w_star"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  const ParamInfo* u_;
  const ParamInfo* v_;
  int depth_;
  std::vector<double> w_star_;
};

template <class T>
class MatrixProbe final : public Probe<T> {
 public:
  explicit MatrixProbe(const ParamLayout& layout);
  std::vector<std::string> columns() const override { return {"nuc_W", "srank_W", "rank_W"}; }
  void measure(const ProbeContext<T>& ctx, double* out) override;

 private:
  const ParamInfo* u_;
  const ParamInfo* v_;
};

}  // namespace grokscope::detail
