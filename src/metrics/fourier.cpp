// Fourier basis of Z_p, frequency norms, Gini, key frequencies, rule gap (see metrics/fourier.h).

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (as in nn/loss.cpp); the pragma
// must precede the first Eigen include.
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/fourier.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "check.h"

namespace grokscope::metrics {

namespace {
void check_modulus(const char* fn, int64_t p) {
  if (p < 2) detail::fail(fn, "modulus p = {} must be >= 2 (the matrix needs one row per residue)", p);
}

// cos/sin of 2 pi k x / p with the argument reduced exactly (k x mod p) before the multiplication.
double angle(int64_t k, int64_t x, int64_t p) {
  return 2.0 * std::numbers::pi * static_cast<double>((k * x) % p) / static_cast<double>(p);
}
}  // namespace

int num_frequencies(int p) { return p / 2; }

Eigen::MatrixXd fourier_basis(int p) {
  check_modulus("fourier_basis", p);
  Eigen::MatrixXd b(p, p);
  b.row(0).setConstant(1.0 / std::sqrt(static_cast<double>(p)));
  for (int k = 1; k <= p / 2; ++k) {
    for (int x = 0; x < p; ++x) b(2 * k - 1, x) = std::cos(angle(k, x, p));
    b.row(2 * k - 1).normalize();
    if (2 * k >= p) continue;  // even p: sin_{p/2} vanishes and is left out
    for (int x = 0; x < p; ++x) b(2 * k, x) = std::sin(angle(k, x, p));
    b.row(2 * k).normalize();
  }
  return b;
}

std::vector<std::string> fourier_basis_names(int p) {
  check_modulus("fourier_basis_names", p);
  std::vector<std::string> names{"const"};
  for (int k = 1; k <= p / 2; ++k) {
    names.push_back(fmt::format("cos {}", k));
    if (2 * k < p) names.push_back(fmt::format("sin {}", k));
  }
  return names;
}

Eigen::MatrixXd fourier_coefficients(MatrixRef e) {
  check_modulus("fourier_coefficients", e.rows());
  return fourier_basis(static_cast<int>(e.rows())) * e;
}

Eigen::VectorXd fourier_component_norms(MatrixRef e) { return fourier_coefficients(e).rowwise().norm(); }

FrequencyNorms frequency_norms(MatrixRef e) {
  check_modulus("frequency_norms", e.rows());
  const int p = static_cast<int>(e.rows());
  const Eigen::MatrixXd c = fourier_coefficients(e);
  FrequencyNorms f;
  f.constant = c.row(0).norm();
  f.norms.resize(p / 2);
  for (int k = 1; k <= p / 2; ++k) {
    double energy = c.row(2 * k - 1).squaredNorm();
    if (2 * k < p) energy += c.row(2 * k).squaredNorm();
    f.norms(k - 1) = std::sqrt(energy);
  }
  return f;
}

double gini(const Eigen::VectorXd& c) {
  const Eigen::Index n = c.size();
  if (n == 0) return 0.0;
  std::vector<double> s(c.data(), c.data() + n);
  for (double x : s)
    if (!(x >= 0.0)) detail::fail("gini", "entries must be nonnegative, got {}", x);
  std::sort(s.begin(), s.end());
  double l1 = 0.0;
  for (double x : s) l1 += x;
  if (l1 <= 0.0) return 0.0;
  double acc = 0.0;
  for (Eigen::Index k = 1; k <= n; ++k)
    acc += (s[k - 1] / l1) * ((static_cast<double>(n - k) + 0.5) / static_cast<double>(n));
  return 1.0 - 2.0 * acc;
}

std::vector<int> key_frequencies(const Eigen::VectorXd& norms, double fraction) {
  if (!(fraction > 0.0 && fraction <= 1.0))
    detail::fail("key_frequencies", "fraction = {} must be in (0, 1]", fraction);
  std::vector<int> keys;
  if (norms.size() == 0) return keys;
  const double top = norms.maxCoeff();
  if (!(top > 0.0)) return keys;
  for (Eigen::Index i = 0; i < norms.size(); ++i)
    if (norms(i) >= fraction * top) keys.push_back(static_cast<int>(i + 1));
  return keys;
}

double rule_gap(MatrixRef a, const std::vector<int>& keys, double delta, bool include_constant) {
  check_modulus("rule_gap", a.rows());
  const int p = static_cast<int>(a.rows());
  std::vector<int> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] < 1 || sorted[i] > p / 2) detail::fail("rule_gap", "frequency {} is outside 1..{} (p = {})",
                                                         sorted[i], p / 2, p);
    if (i > 0 && sorted[i] == sorted[i - 1]) detail::fail("rule_gap", "frequency {} is listed twice", sorted[i]);
  }
  const Eigen::MatrixXd basis = fourier_basis(p);
  std::vector<int> rows;
  if (include_constant) rows.push_back(0);
  for (int k : sorted) {
    rows.push_back(2 * k - 1);
    if (2 * k < p) rows.push_back(2 * k);
  }
  Eigen::MatrixXd bk(rows.size(), p);
  for (size_t i = 0; i < rows.size(); ++i) bk.row(static_cast<Eigen::Index>(i)) = basis.row(rows[i]);
  const Eigen::MatrixXd residual = a - bk.transpose() * (bk * a);
  return residual.squaredNorm() / (a.squaredNorm() + delta);
}

template <class T>
Eigen::MatrixXd input_slot_embeddings(const T* w1_transposed, int p, int slots, int64_t width) {
  check_modulus("input_slot_embeddings", p);
  if (slots < 1 || width < 1)
    detail::fail("input_slot_embeddings", "slots = {} and width = {} must be >= 1", slots, width);
  Eigen::MatrixXd a(p, static_cast<Eigen::Index>(slots) * width);
  for (int s = 0; s < slots; ++s)
    a.middleCols(static_cast<Eigen::Index>(s) * width, width) =
        to_matrix(w1_transposed + static_cast<int64_t>(s) * p * width, p, width);
  return a;
}

template Eigen::MatrixXd input_slot_embeddings<float>(const float*, int, int, int64_t);
template Eigen::MatrixXd input_slot_embeddings<double>(const double*, int, int, int64_t);

}  // namespace grokscope::metrics
