// Musat's circle diagnostics (see metrics/circle.h).

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (as in nn/loss.cpp); the pragma
// must precede the first Eigen include.
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/circle.h"

#include <Eigen/SVD>
#include <cmath>
#include <limits>
#include <numbers>

#include "check.h"

namespace grokscope::metrics {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double cosine(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  const double nx = x.norm(), ny = y.norm();
  if (nx == 0.0 || ny == 0.0) return kNaN;
  return x.dot(y) / (nx * ny);
}

// Orthonormal basis (d x r, r <= 2) of span(x, y) by Gram-Schmidt; a direction below 1e-12 of the larger norm is
// treated as dependent.
Eigen::MatrixXd plane_basis(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  const double scale = std::max(x.norm(), y.norm());
  Eigen::MatrixXd q(x.size(), 0);
  if (scale == 0.0) return q;
  for (const Eigen::VectorXd* v : {&x, &y}) {
    Eigen::VectorXd r = *v;
    for (Eigen::Index j = 0; j < q.cols(); ++j) r -= q.col(j).dot(r) * q.col(j);
    if (r.norm() > 1e-12 * scale) {
      q.conservativeResize(Eigen::NoChange, q.cols() + 1);
      q.col(q.cols() - 1) = r / r.norm();
    }
  }
  return q;
}
}  // namespace

CircleDiagnostics circle_diagnostics(MatrixRef e) {
  const Eigen::Index p = e.rows();
  if (p < 3) detail::fail("circle_diagnostics", "modulus p = {} must be >= 3 (no frequency 1..(p-1)/2 otherwise)", p);
  const Eigen::Index nk = (p - 1) / 2;
  CircleDiagnostics r;
  r.p = static_cast<int>(p);
  // Fourier matrices (K x p) with exactly reduced arguments; then Re F = (C E)^T / p, Im F = -(S E)^T / p.
  Eigen::MatrixXd cmat(nk, p), smat(nk, p);
  for (Eigen::Index k = 1; k <= nk; ++k)
    for (Eigen::Index j = 0; j < p; ++j) {
      const double a = 2.0 * std::numbers::pi * static_cast<double>((k * j) % p) / static_cast<double>(p);
      cmat(k - 1, j) = std::cos(a);
      smat(k - 1, j) = std::sin(a);
    }
  r.re = (cmat * e).transpose() / static_cast<double>(p);
  r.im = -(smat * e).transpose() / static_cast<double>(p);
  // ||F_k|| <= ||E||_F / sqrt(p); a part below 1e-12 of that is round-off of an absent frequency: snap it to 0 so
  // that its ratios and cosines are NaN instead of ratios of noise.
  const double tol = 1e-12 * e.norm() / std::sqrt(static_cast<double>(p));
  for (Eigen::Index k = 0; k < nk; ++k) {
    if (r.re.col(k).norm() <= tol) r.re.col(k).setZero();
    if (r.im.col(k).norm() <= tol) r.im.col(k).setZero();
  }

  r.norm.resize(nk);
  r.rho.resize(nk);
  r.cos_re_im.resize(nk);
  r.abs_re_im_sim.resize(nk);
  Eigen::MatrixXd modulus(e.cols(), nk);  // |F_k| element-wise
  std::vector<Eigen::MatrixXd> planes(nk);
  for (Eigen::Index k = 0; k < nk; ++k) {
    const Eigen::VectorXd re = r.re.col(k), im = r.im.col(k);
    const double nre = re.norm(), nim = im.norm();
    r.norm(k) = std::hypot(nre, nim);
    r.rho(k) = nim > 0.0 ? nre / nim : (nre > 0.0 ? std::numeric_limits<double>::infinity() : kNaN);
    r.cos_re_im(k) = cosine(re, im);
    r.abs_re_im_sim(k) = cosine(re.cwiseAbs(), im.cwiseAbs());
    modulus.col(k) = (re.array().square() + im.array().square()).sqrt().matrix();
    planes[k] = plane_basis(re, im);
  }
  r.similarity.resize(nk, nk);
  r.plane_overlap.resize(nk, nk);
  for (Eigen::Index k = 0; k < nk; ++k)
    for (Eigen::Index l = k; l < nk; ++l) {
      r.similarity(k, l) = r.similarity(l, k) = cosine(modulus.col(k), modulus.col(l));
      double overlap = kNaN;
      if (planes[k].cols() > 0 && planes[l].cols() > 0) {
        const Eigen::MatrixXd m = planes[k].transpose() * planes[l];
        overlap = std::min(1.0, Eigen::JacobiSVD<Eigen::MatrixXd>(m).singularValues()(0));
      }
      r.plane_overlap(k, l) = r.plane_overlap(l, k) = overlap;
    }
  return r;
}

CircleSummary summarize_circles(const CircleDiagnostics& diag, const std::vector<int>& freqs) {
  const Eigen::Index nk = diag.rho.size();
  for (int k : freqs)
    if (k < 1 || k > nk) detail::fail("summarize_circles", "frequency {} is outside 1..{} (p = {})", k, nk, diag.p);
  CircleSummary s;
  if (freqs.empty()) return {kNaN, kNaN, kNaN, kNaN};
  double pairs = 0.0;
  s.sim_offdiag = s.plane_offdiag = 0.0;
  for (int k : freqs) {
    s.rho_logdev += std::abs(std::log(diag.rho(k - 1)));
    s.cos_abs += std::abs(diag.cos_re_im(k - 1));
    for (int l : freqs) {
      if (l == k) continue;
      s.sim_offdiag += diag.similarity(k - 1, l - 1);
      s.plane_offdiag += diag.plane_overlap(k - 1, l - 1);
      pairs += 1.0;
    }
  }
  const double n = static_cast<double>(freqs.size());
  s.rho_logdev /= n;
  s.cos_abs /= n;
  s.sim_offdiag = pairs > 0.0 ? s.sim_offdiag / pairs : kNaN;
  s.plane_offdiag = pairs > 0.0 ? s.plane_offdiag / pairs : kNaN;
  return s;
}

}  // namespace grokscope::metrics
