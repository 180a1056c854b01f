// How matrices enter the metric functions: every metric works in double on an Eigen::MatrixXd. A caller holding a
// row-major float or double buffer (a parameter tensor of the flat buffer, a batch of activations) copies it with
// to_matrix(); a caller holding an Eigen expression passes it directly (MatrixRef binds any double expression).
// The copy is deliberate: metrics run at evaluation time, never in the training step, and O(rows*cols) is noise
// next to an SVD. Nothing here checks values for NaN: metrics of a non-finite matrix are NaN or throw (SVD).
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace grokscope::metrics {

// Read-only view of a double matrix; binds MatrixXd, blocks, maps and expressions (evaluated into a temporary).
using MatrixRef = Eigen::Ref<const Eigen::MatrixXd>;
using VectorRef = Eigen::Ref<const Eigen::VectorXd>;

// Copy of the row-major buffer data[r * cols + c] (r < rows, c < cols), converted to double.
template <class T>
Eigen::MatrixXd to_matrix(const T* data, int64_t rows, int64_t cols) {
  using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(data, rows, cols).template cast<double>();
}

}  // namespace grokscope::metrics
