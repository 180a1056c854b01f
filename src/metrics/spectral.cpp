// Spectral metrics of one matrix (see metrics/spectral.h).

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (as in nn/loss.cpp); the pragma
// must precede the first Eigen include.
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/spectral.h"

#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>

#include "check.h"
#include "grokscope/kernels/lapack.h"

namespace grokscope::metrics {

Eigen::VectorXd singular_values(MatrixRef a) {
  if (a.size() == 0) return Eigen::VectorXd();
  if (!a.allFinite()) detail::fail("singular_values", "matrix {}x{} has non-finite entries", a.rows(), a.cols());
  Eigen::MatrixXd work = a;   // LAPACK's dgesdd (kernels/lapack.h), 3-4x faster than BDCSVD on the probes' shapes
  Eigen::VectorXd sv(std::min(a.rows(), a.cols()));
  if (kernels::singular_values_lapack(work.data(), work.rows(), work.cols(), sv.data())) return sv;
  // values only (no ComputeThinU/V): descending by Eigen's contract
  return Eigen::BDCSVD<Eigen::MatrixXd>(a).singularValues();
}

Eigen::VectorXd top_singular_values(MatrixRef a, int k) {
  if (k < 0) detail::fail("top_singular_values", "k = {} must be >= 0", k);
  Eigen::VectorXd sv = singular_values(a);
  return sv.head(std::min<Eigen::Index>(k, sv.size()));
}

double stable_rank_from_sv(const Eigen::VectorXd& sv) {
  if (sv.size() == 0) return 0.0;
  const double top = sv.maxCoeff();
  if (top <= 0.0) return 0.0;
  return (sv / top).squaredNorm();  // scaled first: no overflow for huge sigma
}

double effective_rank_from_sv(const Eigen::VectorXd& sv, bool squared) {
  const Eigen::VectorXd w = squared ? Eigen::VectorXd(sv.array().square()) : sv;
  const double total = w.sum();
  if (!(total > 0.0)) return 0.0;
  double entropy = 0.0;
  for (double x : w) {
    const double pi = x / total;
    if (pi > 0.0) entropy -= pi * std::log(pi);
  }
  return std::exp(entropy);
}

double nuclear_norm_from_sv(const Eigen::VectorXd& sv) { return sv.sum(); }

double schatten_from_sv(const Eigen::VectorXd& sv, double p) {
  if (!(p > 0.0)) detail::fail("schatten", "p = {} must be > 0", p);
  if (sv.size() == 0) return 0.0;
  // Round-off singular values of a rank-deficient matrix (~eps sigma_1) would add (eps sigma_1)^p, which is not
  // negligible for p < 1: values at or below the numerical-rank tolerance r eps sigma_1 count as 0.
  const double tol = static_cast<double>(sv.size()) * std::numeric_limits<double>::epsilon() * sv.maxCoeff();
  double s = 0.0;
  for (double x : sv)
    if (x > tol) s += std::pow(x, p);
  return s;
}

double stable_rank(MatrixRef a) { return stable_rank_from_sv(singular_values(a)); }
double effective_rank(MatrixRef a, bool squared) { return effective_rank_from_sv(singular_values(a), squared); }
double nuclear_norm(MatrixRef a) { return nuclear_norm_from_sv(singular_values(a)); }
double schatten(MatrixRef a, double p) { return schatten_from_sv(singular_values(a), p); }

SpectralSummary spectral_summary(MatrixRef a) {
  SpectralSummary s;
  s.sv = singular_values(a);
  s.frobenius = s.sv.norm();
  s.spectral = s.sv.size() > 0 ? s.sv(0) : 0.0;
  s.stable_rank = stable_rank_from_sv(s.sv);
  s.effective_rank = effective_rank_from_sv(s.sv);
  s.nuclear = nuclear_norm_from_sv(s.sv);
  return s;
}

}  // namespace grokscope::metrics
