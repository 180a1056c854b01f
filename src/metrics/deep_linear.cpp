// Deep-linear factorization diagnostics (see metrics/deep_linear.h).

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (as in nn/loss.cpp); the pragma
// must precede the first Eigen include.
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/deep_linear.h"

#include <cmath>

#include "check.h"
#include "grokscope/metrics/spectral.h"

namespace grokscope::metrics {

namespace {
void check_chain(const char* fn, const std::vector<Eigen::MatrixXd>& layers) {
  if (layers.empty()) detail::fail(fn, "needs at least one layer");
  for (size_t l = 1; l < layers.size(); ++l)
    if (layers[l].cols() != layers[l - 1].rows())
      detail::fail(fn, "layer {} is {}x{} but layer {} has {} outputs (layers are out x in, first applied first)",
                   l + 1, layers[l].rows(), layers[l].cols(), l, layers[l - 1].rows());
}

double induced_from_sv(const Eigen::VectorXd& sv, int depth, double lambda) {
  return 0.5 * lambda * depth * schatten_from_sv(sv, 2.0 / depth);
}
}  // namespace

Eigen::MatrixXd end_to_end(const std::vector<Eigen::MatrixXd>& layers) {
  check_chain("end_to_end", layers);
  Eigen::MatrixXd a = layers[0];
  for (size_t l = 1; l < layers.size(); ++l) a = layers[l] * a;
  return a;
}

double induced_penalty(MatrixRef a, int depth, double lambda) {
  if (depth < 1) detail::fail("induced_penalty", "depth = {} must be >= 1", depth);
  return induced_from_sv(singular_values(a), depth, lambda);
}

double actual_penalty(const std::vector<Eigen::MatrixXd>& layers, double lambda) {
  check_chain("actual_penalty", layers);
  double s = 0.0;
  for (const auto& w : layers) s += w.squaredNorm();
  return 0.5 * lambda * s;
}

std::vector<double> layer_imbalance(const std::vector<Eigen::MatrixXd>& layers) {
  check_chain("layer_imbalance", layers);
  std::vector<double> d;
  for (size_t l = 0; l + 1 < layers.size(); ++l) {
    const Eigen::MatrixXd& w = layers[l];
    const Eigen::MatrixXd& next = layers[l + 1];
    d.push_back((next.transpose() * next - w * w.transpose()).norm());
  }
  return d;
}

DeepLinearReport deep_linear_report(const std::vector<Eigen::MatrixXd>& layers, double lambda) {
  DeepLinearReport r;
  r.end_to_end = end_to_end(layers);
  r.sv = singular_values(r.end_to_end);
  r.induced_penalty = induced_from_sv(r.sv, static_cast<int>(layers.size()), lambda);
  r.actual_penalty = actual_penalty(layers, lambda);
  r.imbalance = layer_imbalance(layers);
  return r;
}

}  // namespace grokscope::metrics
