// Musat's toy landscapes and their exact projection onto the zero-loss set (see theory/toy_landscape.h).
#include "grokscope/theory/toy_landscape.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/core/error.h"

namespace grokscope::theory {

namespace {
constexpr double kLeakySlope = 0.1;   // leaky(u) = u / 10 for u <= 0 (the paper's "x if x > 0 else x/10")
const double kInvSqrt2 = 1.0 / std::sqrt(2.0);

double norm(const Vec2& v) { return std::hypot(v[0], v[1]); }
double dot(const Vec2& a, const Vec2& b) { return a[0] * b[0] + a[1] * b[1]; }
Vec2 sub(const Vec2& a, const Vec2& b) { return {a[0] - b[0], a[1] - b[1]}; }
}  // namespace

const std::vector<std::string>& landscape_names() {
  static const std::vector<std::string> names = {"parabola", "curved", "singular", "leaky_relu"};
  return names;
}

bool parse_landscape_kind(const std::string& name, LandscapeKind& out) {
  const auto& names = landscape_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) {
      out = static_cast<LandscapeKind>(i);
      return true;
    }
  return false;
}

const char* to_string(LandscapeKind kind) { return landscape_names()[static_cast<size_t>(kind)].c_str(); }

double ToyLandscape::residual(const Vec2& t) const {
  switch (kind_) {
    case LandscapeKind::parabola: return t[1] - t[0] * t[0];
    case LandscapeKind::curved: return t[0] * t[1] - 1.0;
    case LandscapeKind::singular: return t[0] * t[1];
    case LandscapeKind::leaky_relu: {
      const double u = t[0] + t[1];
      return (u > 0.0 ? u : kLeakySlope * u) - 2.0;
    }
  }
  GS_CHECK(false);
  return 0.0;
}

Vec2 ToyLandscape::residual_grad(const Vec2& t) const {
  switch (kind_) {
    case LandscapeKind::parabola: return {-2.0 * t[0], 1.0};
    case LandscapeKind::curved:
    case LandscapeKind::singular: return {t[1], t[0]};
    case LandscapeKind::leaky_relu: {
      const double slope = t[0] + t[1] > 0.0 ? 1.0 : kLeakySlope;
      return {slope, slope};
    }
  }
  GS_CHECK(false);
  return {};
}

Mat2 ToyLandscape::residual_hessian(const Vec2&) const {
  switch (kind_) {
    case LandscapeKind::parabola: return {{{-2.0, 0.0}, {0.0, 0.0}}};
    case LandscapeKind::curved:
    case LandscapeKind::singular: return {{{0.0, 1.0}, {1.0, 0.0}}};
    case LandscapeKind::leaky_relu: return {{{0.0, 0.0}, {0.0, 0.0}}};
  }
  GS_CHECK(false);
  return {};
}

Vec2 ToyLandscape::loss_grad(const Vec2& t) const {
  const double r = residual(t);
  const Vec2 g = residual_grad(t);
  return {2.0 * r * g[0], 2.0 * r * g[1]};
}

int ToyLandscape::branches() const {
  return kind_ == LandscapeKind::curved || kind_ == LandscapeKind::singular ? 2 : 1;
}

Vec2 ToyLandscape::curve(int b, double s) const {
  switch (kind_) {
    case LandscapeKind::parabola: return {s, s * s};
    case LandscapeKind::curved: {
      const double sign = b == 0 ? 1.0 : -1.0;
      return {sign * std::exp(s), sign * std::exp(-s)};
    }
    case LandscapeKind::singular: return b == 0 ? Vec2{s, 0.0} : Vec2{0.0, s};
    case LandscapeKind::leaky_relu: return {1.0 + s * kInvSqrt2, 1.0 - s * kInvSqrt2};
  }
  GS_CHECK(false);
  return {};
}

Vec2 ToyLandscape::curve_d1(int b, double s) const {
  switch (kind_) {
    case LandscapeKind::parabola: return {1.0, 2.0 * s};
    case LandscapeKind::curved: {
      const double sign = b == 0 ? 1.0 : -1.0;
      return {sign * std::exp(s), -sign * std::exp(-s)};
    }
    case LandscapeKind::singular: return b == 0 ? Vec2{1.0, 0.0} : Vec2{0.0, 1.0};
    case LandscapeKind::leaky_relu: return {kInvSqrt2, -kInvSqrt2};
  }
  GS_CHECK(false);
  return {};
}

Vec2 ToyLandscape::curve_d2(int b, double s) const {
  if (kind_ == LandscapeKind::parabola) return {0.0, 2.0};
  if (kind_ == LandscapeKind::curved) return curve(b, s);
  return {0.0, 0.0};
}

std::array<double, 2> ToyLandscape::search_interval(int b, const Vec2& t) const {
  // Each interval holds every s with |φ_b(s) − θ| <= D, D an upper bound of dist_Z(θ) (the distance to a known point
  // of Z), so it holds the projection whenever it lies on branch b.
  const double r = norm(t);
  switch (kind_) {
    case LandscapeKind::parabola: return {t[0] - r, t[0] + r};   // φ(0) = 0 ∈ Z and |φ(s) − θ| >= |s − θ1|
    case LandscapeKind::singular: return {t[b] - r, t[b] + r};
    case LandscapeKind::curved: {
      const double d = std::min(norm(sub(t, {1.0, 1.0})), norm(sub(t, {-1.0, -1.0})));
      return {-std::log(std::abs(t[1]) + d), std::log(std::abs(t[0]) + d)};
    }
    case LandscapeKind::leaky_relu: {
      const double d = norm(sub(t, {1.0, 1.0}));   // |φ(s) − (1, 1)| = |s|
      return {-2.0 * d, 2.0 * d};
    }
  }
  GS_CHECK(false);
  return {};
}

Projection ToyLandscape::project(const Vec2& t, int scan_points) const {
  GS_CHECK(scan_points >= 3);
  Projection best;
  best.dist = std::numeric_limits<double>::infinity();
  for (int b = 0; b < branches(); ++b) {
    const auto [lo0, hi0] = search_interval(b, t);
    if (!(lo0 <= hi0)) continue;
    // d/ds ½|φ(s) − θ|² = (φ − θ)·φ', and its derivative |φ'|² + (φ − θ)·φ''.
    auto g = [&](double s) { return dot(sub(curve(b, s), t), curve_d1(b, s)); };
    auto dist2 = [&](double s) { const Vec2 d = sub(curve(b, s), t); return dot(d, d); };
    const double h = (hi0 - lo0) / (scan_points - 1);
    int i_best = 0;
    double d_best = dist2(lo0);
    for (int i = 1; i < scan_points; ++i) {
      const double d = dist2(lo0 + h * i);
      if (d < d_best) d_best = d, i_best = i;
    }
    double lo = lo0 + h * std::max(i_best - 1, 0), hi = lo0 + h * std::min(i_best + 1, scan_points - 1);
    double s = lo0 + h * i_best;
    if (g(lo) <= 0.0 && g(hi) >= 0.0) {
      // Newton inside the bracket [lo, hi] (g(lo) <= 0 <= g(hi)); bisection when a step leaves it.
      for (int it = 0; it < 200; ++it) {
        const double gs = g(s);
        if (gs == 0.0) break;
        (gs < 0.0 ? lo : hi) = s;
        const double d1 = dot(curve_d1(b, s), curve_d1(b, s)) + dot(sub(curve(b, s), t), curve_d2(b, s));
        double next = d1 > 0.0 ? s - gs / d1 : 0.5 * (lo + hi);
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (std::abs(next - s) <= 4e-16 * (1.0 + std::abs(s))) {
          s = next;
          break;
        }
        s = next;
      }
    } else {
      // No sign change: the minimum is at an end of the search interval; golden-section search on the bracket.
      const double phi = 0.5 * (std::sqrt(5.0) - 1.0);
      for (int it = 0; it < 200 && hi - lo > 1e-15 * (1.0 + std::abs(lo)); ++it) {
        const double a = hi - phi * (hi - lo), c = lo + phi * (hi - lo);
        if (dist2(a) < dist2(c)) hi = c; else lo = a;
      }
      s = 0.5 * (lo + hi);
    }
    const double d = std::sqrt(dist2(s));
    if (d < best.dist) {
      best.dist = d;
      best.branch = b;
      best.s = s;
      best.point = curve(b, s);
      const Vec2 d1 = curve_d1(b, s);
      const double n1 = norm(d1);
      best.tangent = {d1[0] / n1, d1[1] / n1};
    }
  }
  GS_CHECK(best.branch >= 0);
  return best;
}

std::vector<Vec2> ToyLandscape::singular_points() const {
  if (kind_ == LandscapeKind::singular) return {Vec2{0.0, 0.0}};
  return {};
}

double ToyLandscape::orthogonality_constant(const Projection& p) const {
  const Vec2 g = residual_grad(p.point);
  const double gn = norm(g);
  if (gn == 0.0) return std::numeric_limits<double>::infinity();
  const Mat2 h = residual_hessian(p.point);
  const Vec2& t = p.tangent;
  const Vec2 n = {-t[1], t[0]};
  const Vec2 hn = {h[0][0] * n[0] + h[0][1] * n[1], h[1][0] * n[0] + h[1][1] * n[1]};
  return std::abs(dot(t, hn)) / gn;
}

double abs_cosine(const Vec2& a, const Vec2& b) {
  const double na = norm(a), nb = norm(b);
  if (na == 0.0 || nb == 0.0) return 0.0;
  return std::abs(dot(a, b)) / (na * nb);
}

}  // namespace grokscope::theory
