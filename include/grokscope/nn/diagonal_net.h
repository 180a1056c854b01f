// Diagonal linear network of Lyu et al. 2024 (§2.4, Eq. 4, code models.py DiagonalNet): a linear predictor whose
// weight is a difference of elementwise L-th powers of two parameter vectors.
//   parameters u, v in R^d (names "u", "v", group "diagonal"; exported 1-D like PyTorch's nn.Parameter(d))
//   w = u^L - v^L (elementwise; L = ModelConfig::depth);   f(x) = <w, x>   (dense input n x d, one output)
//   init u = v = alpha / sqrt(2d) * 1 (alpha = init_scale), so ||theta_0||_2 = alpha and f = 0 at init
//   L-homogeneous in (u, v). Nothing larger than n x d (the input itself) is ever materialized.
#pragma once

#include <cstdint>
#include <memory>

#include "grokscope/nn/model.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

template <class T>
class DiagonalNet final : public Model<T> {
 public:
  // d: input dimension. Throws ConfigError("model.depth") if depth < 1.
  DiagonalNet(const ModelConfig& config, int d);

  const ParamLayout& layout() const override { return layout_; }
  int input_dim() const override { return d_; }
  int output_dim() const override { return 1; }
  int homogeneity() const override { return depth_; }

  // u = v = alpha / sqrt(2d); or config.init_values (u then v, 2d values) when given. Draws nothing from rng.
  void init_params(T* params, Rng& rng) const override;
  std::unique_ptr<Workspace> make_workspace(int64_t max_rows) const override;
  // out (n) = X (n x d) w (d), with w = u^L - v^L computed once per call into the workspace.
  const T* forward(const T* params, const InputBatch<T>& x, Workspace& ws) const override;
  // g_w = X^T d_out (d);  g_u = L u^{L-1} (.) g_w;  g_v = -L v^{L-1} (.) g_w.
  void backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws) const override;

  // The effective linear weight w (d) = u^L - v^L of a parameter buffer.
  void effective_weight(const T* params, T* w) const;

  int depth() const { return depth_; }
  int dim() const { return d_; }

 private:
  ModelConfig config_;
  int d_ = 0;
  int depth_ = 0;
  ParamLayout layout_;
  const ParamInfo* u_ = nullptr;
  const ParamInfo* v_ = nullptr;
};

}  // namespace grokscope
