// Per-neuron Fourier structure and the gap rule for key frequencies (see metrics/neuron_fourier.h).
#include "grokscope/metrics/neuron_fourier.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "check.h"
#include "grokscope/metrics/fourier.h"

namespace grokscope::metrics {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

NeuronFourier neuron_fourier(MatrixRef a, int slots) {
  if (slots < 1 || a.cols() % slots != 0)
    detail::fail("neuron_fourier", "A has {} columns, not a multiple of slots = {}", a.cols(), slots);
  const int p = static_cast<int>(a.rows());
  const int64_t width = a.cols() / slots;
  const Eigen::MatrixXd c = fourier_coefficients(a);   // (p x cols); checks p >= 2
  const int n_freq = p / 2;
  NeuronFourier out;
  out.dominant.assign(static_cast<size_t>(width), 0);
  out.top_share.assign(static_cast<size_t>(width), kNaN);
  out.ipr.assign(static_cast<size_t>(width), kNaN);
  out.norms = Eigen::VectorXd::Zero(n_freq);
  for (int64_t j = 0; j < width; ++j) {
    double total = 0.0, top = 0.0, sq = 0.0;
    int arg = 0;
    for (int k = 1; k <= n_freq; ++k) {
      double ek = 0.0;
      for (int s = 0; s < slots; ++s) {
        const Eigen::Index col = static_cast<Eigen::Index>(s) * width + j;
        ek += c(2 * k - 1, col) * c(2 * k - 1, col);
        if (2 * k < p) ek += c(2 * k, col) * c(2 * k, col);
      }
      out.norms(k - 1) += ek;
      total += ek;
      sq += ek * ek;
      if (ek > top) top = ek, arg = k;
    }
    double constant = 0.0;
    for (int s = 0; s < slots; ++s) {
      const double c0 = c(0, static_cast<Eigen::Index>(s) * width + j);
      constant += c0 * c0;
    }
    if (!(total > 1e-24 * (total + constant))) continue;   // no non-constant energy beyond round-off
    out.dominant[static_cast<size_t>(j)] = arg;
    out.top_share[static_cast<size_t>(j)] = top / total;
    out.ipr[static_cast<size_t>(j)] = sq / (total * total);
  }
  out.norms = out.norms.cwiseSqrt();
  return out;
}

NeuronFourierSummary summarize_neurons(const NeuronFourier& n, double share) {
  if (!(share > 0.0 && share <= 1.0)) detail::fail("summarize_neurons", "share = {} must be in (0, 1]", share);
  NeuronFourierSummary s;
  int live = 0, concentrated = 0;
  double ipr = 0.0;
  std::vector<int> keys;
  for (size_t j = 0; j < n.ipr.size(); ++j) {
    if (!std::isfinite(n.ipr[j])) continue;
    ++live;
    ipr += n.ipr[j];
    if (n.top_share[j] >= share) {
      ++concentrated;
      keys.push_back(n.dominant[j]);
    }
  }
  if (live == 0) {
    s.ipr_mean = s.concentrated_frac = kNaN;
    return s;
  }
  s.ipr_mean = ipr / live;
  s.concentrated_frac = static_cast<double>(concentrated) / live;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  s.keys = std::move(keys);
  return s;
}

std::vector<int> key_frequencies_by_gap(const std::vector<double>& norms, double min_gap) {
  if (!(min_gap > 1.0)) detail::fail("key_frequencies_by_gap", "min_gap = {} must be > 1", min_gap);
  const size_t n = norms.size();
  if (n < 2) return {};
  for (double x : norms)
    if (!(x >= 0.0)) detail::fail("key_frequencies_by_gap", "norms must be nonnegative, got {}", x);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return norms[a] > norms[b]; });
  if (!(norms[order[0]] > 0.0)) return {};
  double best = 0.0;
  size_t cut = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    const double hi = norms[order[i]], lo = norms[order[i + 1]];
    const double ratio = lo > 0.0 ? hi / lo : (hi > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
    if (ratio > best) best = ratio, cut = i + 1;
  }
  if (best < min_gap) return {};
  std::vector<int> keys;
  for (size_t i = 0; i < cut; ++i) keys.push_back(static_cast<int>(order[i]) + 1);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace grokscope::metrics
