// Class-separation gap (see metrics/separation.h).

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (as in nn/loss.cpp); the pragma
// must precede the first Eigen include.
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/separation.h"

#include <algorithm>

#include "check.h"

namespace grokscope::metrics {

namespace {
using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}  // namespace

SeparationGap separation_gap_rows(const double* z_data, int64_t n, int64_t d, const std::vector<int32_t>& labels,
                                  double delta) {
  if (static_cast<int64_t>(labels.size()) != n)
    detail::fail("separation_gap", "{} labels for {} representation rows", labels.size(), n);
  int32_t max_label = -1;
  for (int32_t y : labels) {
    if (y < 0) detail::fail("separation_gap", "label {} is negative", y);
    max_label = std::max(max_label, y);
  }
  const Eigen::Map<const RowMajorMatrix> z(z_data, n, d);   // rows contiguous: both passes stream through memory
  const Eigen::Index num_labels = max_label + 1;
  RowMajorMatrix mu = RowMajorMatrix::Zero(num_labels, d);
  Eigen::VectorXd count = Eigen::VectorXd::Zero(num_labels);
  for (Eigen::Index a = 0; a < n; ++a) {
    mu.row(labels[a]) += z.row(a);
    count(labels[a]) += 1.0;
  }
  SeparationGap g;
  Eigen::RowVectorXd centre = Eigen::RowVectorXd::Zero(d);  // mean of the class means
  for (Eigen::Index c = 0; c < num_labels; ++c) {
    if (count(c) == 0.0) continue;
    mu.row(c) /= count(c);
    centre += mu.row(c);
    ++g.classes;
  }
  if (g.classes > 0) centre /= g.classes;
  for (Eigen::Index a = 0; a < n; ++a) g.within += (z.row(a) - mu.row(labels[a])).squaredNorm();
  // sum_{c,c'} ||mu_c - mu_c'||^2 = 2 C sum_c ||mu_c - centre||^2 (c = c' terms are 0); centring first avoids the
  // cancellation of the uncentred form when the classes share a large common offset.
  double spread = 0.0;
  for (Eigen::Index c = 0; c < num_labels; ++c)
    if (count(c) > 0.0) spread += (mu.row(c) - centre).squaredNorm();
  g.between = 2.0 * g.classes * spread;
  g.s_sep = g.within / (g.between + delta);
  return g;
}

SeparationGap separation_gap(MatrixRef z, const std::vector<int32_t>& labels, double delta) {
  const RowMajorMatrix rows = z;
  return separation_gap_rows(rows.data(), rows.rows(), rows.cols(), labels, delta);
}

}  // namespace grokscope::metrics
