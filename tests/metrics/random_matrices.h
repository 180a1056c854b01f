// Random test matrices for the metric tests: Gaussian entries in a fixed order (reproducible for a seed), and
// orthonormal columns (Q of a Gaussian matrix) for building matrices with known singular values.
#pragma once

#include <Eigen/Core>
#include <Eigen/QR>
#include <cstdint>
#include <random>

namespace grokscope::metrics::test {

inline Eigen::MatrixXd gaussian(int rows, int cols, std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  Eigen::MatrixXd m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = n(rng);
  return m;
}

inline Eigen::MatrixXd gaussian(int rows, int cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  return gaussian(rows, cols, rng);
}

// First `cols` columns of a random orthogonal matrix.
inline Eigen::MatrixXd orthonormal_columns(int rows, int cols, std::mt19937_64& rng) {
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian(rows, rows, rng));
  return qr.householderQ() * Eigen::MatrixXd::Identity(rows, cols);
}

}  // namespace grokscope::metrics::test
