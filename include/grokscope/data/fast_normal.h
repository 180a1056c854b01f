// Standard normal samples by the ziggurat method (Marsaglia & Tsang 2000, in Doornik's 2005 ZIGNOR form: 128
// layers, one Rng::uniform() per attempt, 98.8% of samples take the fast path). About 3x faster than the
// Box-Muller Rng::normal(), which matters for the generated test sets (10^4 x 10^5 Gaussians per evaluation of
// gaussian_margin). Deterministic: a function of the Rng's stream only. Not a replacement for Rng::normal() elsewhere.
//   bits = top 53 bits of one engine output; layer i = bits & 127; u = 2 * (bits >> 7) / 2^46 - 1 in [-1, 1)
//   fast path |u| < x_{i+1} / x_i: return u x_i; else the wedge test, or the tail x > R = 3.4426... (i = 0).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "grokscope/core/rng.h"

namespace grokscope {

namespace fast_normal_detail {

inline constexpr int kLayers = 128;
inline constexpr double kR = 3.442619855899;           // start of the tail
inline constexpr double kArea = 9.91256303526217e-3;   // area of each layer (and of the base + tail)

struct ZigguratTables {
  std::array<double, kLayers + 1> x{};  // layer edges: x[0] = kArea / f(R) (base pseudo-width), x[1] = R, x[128] = 0
  std::array<double, kLayers> ratio{};  // x[i + 1] / x[i]
  ZigguratTables() {
    double f = std::exp(-0.5 * kR * kR);
    x[0] = kArea / f;
    x[1] = kR;
    x[kLayers] = 0.0;
    for (int i = 2; i < kLayers; ++i) {
      x[static_cast<size_t>(i)] = std::sqrt(-2.0 * std::log(kArea / x[static_cast<size_t>(i - 1)] + f));
      f = std::exp(-0.5 * x[static_cast<size_t>(i)] * x[static_cast<size_t>(i)]);
    }
    for (int i = 0; i < kLayers; ++i) ratio[static_cast<size_t>(i)] = x[static_cast<size_t>(i + 1)] / x[static_cast<size_t>(i)];
  }
};

inline const ZigguratTables& tables() {
  static const ZigguratTables t;  // thread-safe initialization
  return t;
}

// Tail beyond R (Marsaglia 1964): x = -log(u1) / R, y = -log(u2), accept if 2y > x^2; returns +-(R + x).
inline double tail(Rng& rng, bool negative) {
  double x = 0.0, y = 0.0;
  do {
    double u1 = rng.uniform(), u2 = rng.uniform();
    while (u1 <= 0.0) u1 = rng.uniform();
    while (u2 <= 0.0) u2 = rng.uniform();
    x = -std::log(u1) / kR;
    y = -std::log(u2);
  } while (2.0 * y < x * x);
  return negative ? -(kR + x) : kR + x;
}

}  // namespace fast_normal_detail

// One N(0, 1) sample from rng.
inline double fast_normal(Rng& rng) {
  namespace z = fast_normal_detail;
  const z::ZigguratTables& t = z::tables();
  for (;;) {
    const auto bits = static_cast<uint64_t>(rng.uniform() * 0x1.0p53);  // exactly the 53 bits behind uniform()
    const auto i = static_cast<size_t>(bits & (z::kLayers - 1));
    const double u = static_cast<double>(bits >> 7) * 0x1.0p-45 - 1.0;  // 46 bits -> [-1, 1)
    if (std::abs(u) < t.ratio[i]) return u * t.x[i];
    if (i == 0) return z::tail(rng, u < 0);
    const double x = u * t.x[i];
    const double f0 = std::exp(-0.5 * (t.x[i] * t.x[i] - x * x));
    const double f1 = std::exp(-0.5 * (t.x[i + 1] * t.x[i + 1] - x * x));
    if (f1 + rng.uniform() * (f0 - f1) < 1.0) return x;
  }
}

}  // namespace grokscope
