// Symmetric matrix-factorization model of Lyu et al. 2024 (§2.5, code models.py MatrixFactorization) for matrix
// completion: a d x d matrix W = U U^T - V V^T read at observed cells.
//   parameters U, V in R^{d x d} (names "U", "V", group "factors"), row-major: U[i * d + k] = U_ik
//   input: token pairs (i, j), i, j in [0, d) (tokens_per_row 2, dim d);  output (one per row): f = W_ij
//   f = <U_i, U_j> - <V_i, V_j>   (rows U_i = U[i, :]); the d x d product is never formed in training
//   init U = V = alpha I + N(0, sigma^2) entrywise (alpha = init_scale, sigma = init_noise; sigma = 0: exactly
//   alpha I, so W = 0 and every output is 0 at init: Lyu's Assumption 3.2). 2-homogeneous.
#pragma once

#include <cstdint>
#include <memory>

#include "grokscope/nn/model.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

template <class T>
class MatrixFactorization final : public Model<T> {
 public:
  // d: matrix size (also the token range).
  MatrixFactorization(const ModelConfig& config, int d);

  const ParamLayout& layout() const override { return layout_; }
  int input_dim() const override { return d_; }
  int output_dim() const override { return 1; }
  int homogeneity() const override { return 2; }

  // U then V, each alpha I + sigma * N(0, 1) drawn row-major (U's d^2 values first, then V's; nothing is drawn
  // when sigma = 0); or config.init_values (2 d^2 values, U then V, row-major) when given.
  void init_params(T* params, Rng& rng) const override;
  std::unique_ptr<Workspace> make_workspace(int64_t max_rows) const override;
  // out[r] = <U_i, U_j> - <V_i, V_j> with (i, j) = tokens of row r.
  const T* forward(const T* params, const InputBatch<T>& x, Workspace& ws) const override;
  // Scatter-add over rows r with g = d_out[r]:  dU_i += g U_j, dU_j += g U_i, dV_i -= g V_j, dV_j -= g V_i
  // (i == j gives the 2 g U_i of d|U_i|^2). grad is zeroed first (O(d^2)).
  void backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws) const override;

  // The end-to-end matrix W (d x d, row-major) = U U^T - V V^T, for metrics (two GEMMs, O(d^3)).
  void end_to_end(const T* params, T* W) const;

  int dim() const { return d_; }

 private:
  ModelConfig config_;
  int d_ = 0;
  ParamLayout layout_;
  const ParamInfo* u_ = nullptr;
  const ParamInfo* v_ = nullptr;
};

}  // namespace grokscope
