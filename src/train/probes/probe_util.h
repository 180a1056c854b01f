// Internal helpers shared by the built-in probes: parameter tensors as double matrices in PyTorch orientation.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "grokscope/nn/param_layout.h"

namespace grokscope::detail {

// The tensor as a (rows x cols) matrix in PyTorch orientation (w: out x in; E: tokens x d), undoing the transposed
// storage of token-input first layers.
template <class T>
Eigen::MatrixXd param_matrix(const ParamInfo& p, const T* params) {
  const T* src = params + p.offset;
  Eigen::MatrixXd m(p.rows, p.cols);
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t c = 0; c < p.cols; ++c)
      m(r, c) = static_cast<double>(p.transposed ? src[c * p.rows + r] : src[r * p.cols + c]);
  return m;
}

// The weight matrices w1..wL of an MLP in layer order (no biases, no embedding E).
inline std::vector<const ParamInfo*> weight_matrices(const ParamLayout& layout) {
  std::vector<const ParamInfo*> out;
  for (const auto& p : layout.params())
    if (!p.is_bias && p.name.size() > 1 && p.name[0] == 'w') out.push_back(&p);
  return out;
}

}  // namespace grokscope::detail
