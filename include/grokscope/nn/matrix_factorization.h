// Symmetric matrix-factorization model of Lyu et al. 2024 (§2.5, code models.py MatrixFactorization) for matrix
// completion: a d x d matrix W = U U^T - V V^T read at observed cells.
//   parameters U, V in R^{d x d} (names "U", "V", group "factors"), row-major: U[i * d + k] = U_ik
//   input: token pairs (i, j), i, j in [0, d) (tokens_per_row 2, dim d);  output (one per row): f = W_ij
//   f = <U_i, U_j> - <V_i, V_j>   (rows U_i = U[i, :])
// Two execution paths, equal up to summation order (tests/nn/matrix_factorization_test.cpp): row by row (two dot
// products forward, four axpys backward per observed cell: 12 n d flops), or dense when the batch covers at least
// 1/6 of the d^2 cells (the default; set_dense overrides): forward forms W with two GEMMs and reads the cells;
// backward scatters the row gradients into a symmetric S (d x d) and takes dU = S U, dV = -S V (8 d^3 flops in all,
// at GEMM speed: 5.9x faster at d = 97, 40% observed; docs/performance.md).
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
  // Over rows r with g = d_out[r]:  dU_i += g U_j, dU_j += g U_i, dV_i -= g V_j, dV_j -= g V_i (i == j gives the
  // 2 g U_i of d|U_i|^2); grad is overwritten. Dense path: S_ij += g, S_ji += g, then dU = S U, dV = -S V.
  void backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws) const override;

  // The end-to-end matrix W (d x d, row-major) = U U^T - V V^T, for metrics (two GEMMs, O(d^3)).
  void end_to_end(const T* params, T* W) const;

  int dim() const { return d_; }
  // Execution path: -1 = by batch size (dense when 6 n >= d^2), 0 = row by row, 1 = dense.
  void set_dense(int mode) { dense_mode_ = mode; }
  bool uses_dense(int64_t rows) const { return dense_mode_ < 0 ? 6 * rows >= int64_t{d_} * d_ : dense_mode_ == 1; }

 private:
  ModelConfig config_;
  int d_ = 0;
  ParamLayout layout_;
  const ParamInfo* u_ = nullptr;
  const ParamInfo* v_ = nullptr;
  int dense_mode_ = -1;
};

}  // namespace grokscope
