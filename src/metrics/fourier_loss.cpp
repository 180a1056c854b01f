// Restricted and excluded losses (see metrics/fourier_loss.h).

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (as in nn/loss.cpp); the pragma
// must precede the first Eigen include.
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/fourier_loss.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "check.h"

namespace grokscope::metrics {

namespace {
void check_table(const char* fn, MatrixRef table, int p) {
  if (p < 2) detail::fail(fn, "modulus p = {} must be >= 2", p);
  if (table.rows() != static_cast<Eigen::Index>(p) * p || table.cols() != p)
    detail::fail(fn, "logit table is {}x{} but p = {} needs {}x{} (rows a*p+b, one column per class)", table.rows(),
                 table.cols(), p, static_cast<int64_t>(p) * p, p);
}

void check_keys(const char* fn, const std::vector<int>& keys, int p) {
  std::vector<int> s = keys;
  std::sort(s.begin(), s.end());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] < 1 || s[i] > p / 2) detail::fail(fn, "frequency {} is outside 1..{} (p = {})", s[i], p / 2, p);
    if (i > 0 && s[i] == s[i - 1]) detail::fail(fn, "frequency {} is listed twice", s[i]);
  }
}

// The projection P as a function of s = (a+b) mod p: proj(s, c), and the per-class means mu(c).
struct SumProjection {
  Eigen::MatrixXd proj;     // p x p
  Eigen::RowVectorXd mean;  // 1 x p
};

SumProjection project_on_sum(MatrixRef table, int p, const std::vector<int>& keys) {
  Eigen::MatrixXd diag_sum = Eigen::MatrixXd::Zero(p, p);  // D[s, c]
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) diag_sum.row((a + b) % p) += table.row(static_cast<Eigen::Index>(a) * p + b);
  SumProjection r;
  r.mean = diag_sum.colwise().sum() / (static_cast<double>(p) * p);
  r.proj = Eigen::MatrixXd::Zero(p, p);
  Eigen::VectorXd f(p);
  for (int k : keys) {
    for (int trig = 0; trig < 2; ++trig) {
      for (int s = 0; s < p; ++s) {
        const double ang = 2.0 * std::numbers::pi * static_cast<double>((static_cast<int64_t>(k) * s) % p) / p;
        f(s) = trig == 0 ? std::cos(ang) : std::sin(ang);
      }
      // The grid function g(a,b) = f((a+b) mod p) takes each value f(s) on p cells: ||g||^2 = p ||f||^2.
      const double norm2 = static_cast<double>(p) * f.squaredNorm();
      if (norm2 < 1e-9 * p * p) continue;  // sin at k = p/2: identically zero
      const Eigen::RowVectorXd coef = (f.transpose() * diag_sum) / norm2;  // <L_c, g> / ||g||^2 per class
      r.proj += f * coef;
    }
  }
  return r;
}

// logsumexp(z) - z_y, in the precise form of nn/loss.h.
double row_loss(const Eigen::Ref<const Eigen::RowVectorXd>& z, int32_t y) {
  Eigen::Index arg = 0;
  const double m = z.maxCoeff(&arg);
  if (arg == y || z(y) == m) {
    double s = 0.0;
    for (Eigen::Index j = 0; j < z.size(); ++j)
      if (j != y) s += std::exp(z(j) - z(y));
    return std::log1p(s);
  }
  return (m - z(y)) + std::log((z.array() - m).exp().sum());
}

void check_rows(const char* fn, Eigen::Index n, Eigen::Index classes, const std::vector<int32_t>& labels,
                const std::vector<int64_t>& rows) {
  if (static_cast<Eigen::Index>(labels.size()) != n)
    detail::fail(fn, "{} labels for {} logit rows", labels.size(), n);
  for (int64_t r : rows) {
    if (r < 0 || r >= n) detail::fail(fn, "row {} is outside 0..{}", r, n - 1);
    if (labels[r] < 0 || labels[r] >= classes)
      detail::fail(fn, "label {} of row {} is outside 0..{}", labels[r], r, classes - 1);
  }
}
}  // namespace

double cross_entropy(MatrixRef logits, const std::vector<int32_t>& labels, const std::vector<int64_t>& rows) {
  check_rows("cross_entropy", logits.rows(), logits.cols(), labels, rows);
  if (rows.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0.0;
  for (int64_t r : rows) s += row_loss(logits.row(r), labels[r]);
  return s / static_cast<double>(rows.size());
}

std::vector<int32_t> addition_labels(int p) {
  std::vector<int32_t> y(static_cast<size_t>(p) * p);
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) y[static_cast<size_t>(a) * p + b] = (a + b) % p;
  return y;
}

Eigen::MatrixXd restricted_logits(MatrixRef table, int p, const std::vector<int>& keys) {
  check_table("restricted_logits", table, p);
  check_keys("restricted_logits", keys, p);
  const SumProjection sp = project_on_sum(table, p, keys);
  Eigen::MatrixXd r(table.rows(), p);
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) r.row(static_cast<Eigen::Index>(a) * p + b) = sp.mean + sp.proj.row((a + b) % p);
  return r;
}

Eigen::MatrixXd excluded_logits(MatrixRef table, int p, const std::vector<int>& keys) {
  check_table("excluded_logits", table, p);
  check_keys("excluded_logits", keys, p);
  const SumProjection sp = project_on_sum(table, p, keys);
  Eigen::MatrixXd x = table;
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) x.row(static_cast<Eigen::Index>(a) * p + b) -= sp.proj.row((a + b) % p);
  return x;
}

FourierLosses fourier_losses(MatrixRef table, int p, const std::vector<int>& keys, const std::vector<int64_t>& rows) {
  check_table("fourier_losses", table, p);
  check_keys("fourier_losses", keys, p);
  const std::vector<int32_t> labels = addition_labels(p);
  check_rows("fourier_losses", table.rows(), p, labels, rows);
  FourierLosses l;
  if (rows.empty()) {
    l.full = l.restricted = l.excluded = std::numeric_limits<double>::quiet_NaN();
    return l;
  }
  const SumProjection sp = project_on_sum(table, p, keys);
  Eigen::RowVectorXd z(p);
  for (int64_t r : rows) {
    const int s = labels[r];  // (a + b) mod p is also the row's label
    l.full += row_loss(table.row(r), s);
    z = sp.mean + sp.proj.row(s);
    l.restricted += row_loss(z, s);
    z = table.row(r) - sp.proj.row(s);
    l.excluded += row_loss(z, s);
  }
  const double n = static_cast<double>(rows.size());
  l.full /= n;
  l.restricted /= n;
  l.excluded /= n;
  return l;
}

}  // namespace grokscope::metrics
