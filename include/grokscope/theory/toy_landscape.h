// Musat's two-parameter toy landscapes (Fig. 3-4, Thm 4.14; MU-3), with their zero-loss sets in closed form. Every
// landscape is the squared residual of one scalar output, L(θ) = r(θ)², θ = (θ1, θ2), so ∇L = 2 r ∇r, and its
// zero-loss set Z = {r = 0} is a union of parametrized curves φ(s) (branches), which makes dist_Z and proj_Z exact
// (a 1-D minimization over s: a coarse scan, then a safeguarded Newton iteration to round-off). Not a training
// model: nothing here knows about data or the trainer (theory/landscape_run.h runs GD on them).
//   parabola     r = θ2 − θ1²                    Z: φ(s) = (s, s²)                        (Fig. 4; smooth, curved)
//   curved       r = θ1 θ2 − 1  (f = w2 w1 x, x = y = 1)   Z: ±(e^s, e^−s), a hyperbola   (Fig. 3 left)
//   singular     r = θ1 θ2      (the same net, y = 0)       Z: the two axes, singular at 0 (Fig. 3 centre)
//   leaky_relu   r = leaky(θ1 + θ2) − 2, leaky(u) = u (u > 0), u/10 (u <= 0)  Z: the line θ1 + θ2 = 2 (Fig. 3 right)
#pragma once

#include <array>
#include <string>
#include <vector>

namespace grokscope::theory {

using Vec2 = std::array<double, 2>;
using Mat2 = std::array<std::array<double, 2>, 2>;   // row-major, symmetric here

enum class LandscapeKind { parabola, curved, singular, leaky_relu };
const std::vector<std::string>& landscape_names();            // in enum order
bool parse_landscape_kind(const std::string& name, LandscapeKind& out);
const char* to_string(LandscapeKind kind);

// A point of Z nearest to θ, and the geometry there.
struct Projection {
  Vec2 point{};       // proj_Z(θ)
  Vec2 tangent{};     // unit tangent φ'(s*) / |φ'(s*)|
  double dist = 0.0;  // |θ − proj_Z(θ)|
  int branch = -1;    // which curve of Z
  double s = 0.0;     // its parameter
};

class ToyLandscape {
 public:
  explicit ToyLandscape(LandscapeKind kind) : kind_(kind) {}
  LandscapeKind kind() const { return kind_; }

  double residual(const Vec2& t) const;        // r(θ)
  Vec2 residual_grad(const Vec2& t) const;     // ∇r(θ)
  Mat2 residual_hessian(const Vec2& t) const;  // ∇²r(θ) (0 off the kink of leaky_relu)
  double loss(const Vec2& t) const { const double r = residual(t); return r * r; }
  Vec2 loss_grad(const Vec2& t) const;         // 2 r ∇r

  // Branches of Z: φ_b(s), φ_b'(s), φ_b''(s), and the interval of s that can hold the projection of θ.
  int branches() const;
  Vec2 curve(int b, double s) const;
  Vec2 curve_d1(int b, double s) const;
  Vec2 curve_d2(int b, double s) const;
  std::array<double, 2> search_interval(int b, const Vec2& t) const;

  // The nearest point of Z (ties: the lowest branch, then the first scan point). scan_points per branch.
  Projection project(const Vec2& t, int scan_points = 400) const;

  // The singular points of Z (∇r = 0 on Z: rank ∇F < 1, Def. 4.9): the origin for `singular`, none otherwise.
  std::vector<Vec2> singular_points() const;

  // The local constant of Thm 4.14 at a non-singular p ∈ Z: near p, |cos(∇L(θ), T_p)| = C(p) dist + O(dist²) with
  //   C(p) = |tᵀ ∇²r(p) n| / |∇r(p)|      (t, n: unit tangent and normal at p),
  // since ∇L = 2 r ∇r and ∇r(p + d n) = ∇r(p) + d ∇²r(p) n + O(d²) with ∇r(p) ⊥ t. +inf where ∇r(p) = 0.
  double orthogonality_constant(const Projection& p) const;

 private:
  LandscapeKind kind_;
};

// |cos| of the angle between a and b (0 when either is 0).
double abs_cosine(const Vec2& a, const Vec2& b);

}  // namespace grokscope::theory
