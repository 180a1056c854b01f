// Musat's toy landscapes (theory/toy_landscape.h, landscape_run.h): float64 finite-difference checks of ∇r, ∇²r and
// ∇L; the projection onto Z against a brute-force dense scan; the local constant C of Thm 4.14 against closed forms
// and against |cos| / dist measured at small distances; the GD run's rows and determinism.
#include "grokscope/theory/toy_landscape.h"

#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/core/error.h"
#include "grokscope/theory/landscape_run.h"

namespace grokscope::theory {
namespace {

const LandscapeKind kKinds[] = {LandscapeKind::parabola, LandscapeKind::curved, LandscapeKind::singular,
                                LandscapeKind::leaky_relu};
// Points away from the kink θ1 + θ2 = 0 of leaky_relu, on both of its sides.
const Vec2 kPoints[] = {{0.7, 1.3}, {-1.2, 0.4}, {2.1, -0.3}, {-0.8, -1.1}, {0.05, 3.0}, {1.5, 1.5}};

TEST(ToyLandscape, GradientsMatchFiniteDifferences) {
  const double h = 1e-6;
  for (LandscapeKind kind : kKinds) {
    const ToyLandscape land(kind);
    for (const Vec2& t : kPoints) {
      const Vec2 g = land.residual_grad(t), gl = land.loss_grad(t);
      const Mat2 hess = land.residual_hessian(t);
      for (int i = 0; i < 2; ++i) {
        Vec2 up = t, dn = t;
        up[i] += h;
        dn[i] -= h;
        const double fd_r = (land.residual(up) - land.residual(dn)) / (2 * h);
        const double fd_l = (land.loss(up) - land.loss(dn)) / (2 * h);
        EXPECT_NEAR(g[i], fd_r, 1e-8 * (1 + std::abs(fd_r))) << to_string(kind) << " dr/dθ" << i;
        EXPECT_NEAR(gl[i], fd_l, 1e-7 * (1 + std::abs(fd_l))) << to_string(kind) << " dL/dθ" << i;
        const Vec2 gu = land.residual_grad(up), gd = land.residual_grad(dn);
        for (int j = 0; j < 2; ++j)
          EXPECT_NEAR(hess[j][i], (gu[j] - gd[j]) / (2 * h), 1e-7) << to_string(kind) << " H" << j << i;
      }
    }
  }
}

TEST(ToyLandscape, CurvesLieOnZWithTheirDerivatives) {
  const double h = 1e-6;
  for (LandscapeKind kind : kKinds) {
    const ToyLandscape land(kind);
    for (int b = 0; b < land.branches(); ++b)
      for (double s : {-1.3, -0.2, 0.4, 1.7}) {
        EXPECT_NEAR(land.residual(land.curve(b, s)), 0.0, 1e-12) << to_string(kind) << " branch " << b;
        const Vec2 up = land.curve(b, s + h), dn = land.curve(b, s - h);
        const Vec2 d1 = land.curve_d1(b, s), d2 = land.curve_d2(b, s);
        const Vec2 u1 = land.curve_d1(b, s + h), n1 = land.curve_d1(b, s - h);
        for (int i = 0; i < 2; ++i) {
          EXPECT_NEAR(d1[i], (up[i] - dn[i]) / (2 * h), 1e-7);
          EXPECT_NEAR(d2[i], (u1[i] - n1[i]) / (2 * h), 1e-7);
        }
      }
  }
}

// Brute force: the smallest distance over 2e5 points per branch on a wide interval, refined by a finer scan around it.
double dense_distance(const ToyLandscape& land, const Vec2& t, double lo, double hi) {
  double best = INFINITY;
  for (int b = 0; b < land.branches(); ++b) {
    double a = lo, z = hi;
    for (int round = 0; round < 3; ++round) {
      const int n = 200000;
      const double step = (z - a) / n;
      double bs = a, bd = INFINITY;
      for (int i = 0; i <= n; ++i) {
        const Vec2 p = land.curve(b, a + step * i);
        const double d = std::hypot(p[0] - t[0], p[1] - t[1]);
        if (d < bd) bd = d, bs = a + step * i;
      }
      best = std::min(best, bd);
      a = bs - 2 * step;
      z = bs + 2 * step;
    }
  }
  return best;
}

TEST(ToyLandscape, ProjectionMatchesDenseScan) {
  for (LandscapeKind kind : kKinds) {
    const ToyLandscape land(kind);
    // Parameter ranges holding every projection of these points (exp(±4) for the hyperbola).
    const double lo = kind == LandscapeKind::leaky_relu ? -10 : -4, hi = -lo;
    for (const Vec2& t : kPoints) {
      const Projection p = land.project(t);
      const double brute = dense_distance(land, t, lo, hi);
      EXPECT_NEAR(p.dist, brute, 1e-9 * (1 + brute)) << to_string(kind) << " at " << t[0] << ", " << t[1];
      EXPECT_NEAR(land.residual(p.point), 0.0, 1e-12);
      // θ − p is normal to Z at p.
      EXPECT_NEAR((t[0] - p.point[0]) * p.tangent[0] + (t[1] - p.point[1]) * p.tangent[1], 0.0, 1e-12);
    }
  }
}

TEST(ToyLandscape, OrthogonalityConstantClosedFormsAndSmallDistances) {
  // Parabola at (s, s²): C = 4|s| / (1 + 4s²)^{3/2}; singular on the axis at (s, 0): C = 1/|s|; hyperbola at
  // (e^u, e^-u): C = |tanh 2u| / sqrt(2 cosh 2u); leaky_relu: 0.
  const ToyLandscape par(LandscapeKind::parabola), sing(LandscapeKind::singular), cur(LandscapeKind::curved),
      leaky(LandscapeKind::leaky_relu);
  const auto at = [](const ToyLandscape& land, int b, double s) {
    Projection p;
    p.point = land.curve(b, s);
    const Vec2 d = land.curve_d1(b, s);
    const double n = std::hypot(d[0], d[1]);
    p.tangent = {d[0] / n, d[1] / n};
    return p;
  };
  EXPECT_NEAR(par.orthogonality_constant(at(par, 0, 1.0)), 4.0 / std::pow(5.0, 1.5), 1e-14);
  EXPECT_NEAR(sing.orthogonality_constant(at(sing, 0, 0.25)), 4.0, 1e-14);
  EXPECT_TRUE(std::isinf(sing.orthogonality_constant(at(sing, 0, 0.0))));
  EXPECT_NEAR(cur.orthogonality_constant(at(cur, 0, 0.6)), std::tanh(1.2) / std::sqrt(2 * std::cosh(1.2)), 1e-14);
  EXPECT_EQ(leaky.orthogonality_constant(at(leaky, 0, 0.3)), 0.0);
  // |cos| / dist at θ = p + d n tends to C.
  for (const ToyLandscape* land : {&par, &cur, &sing}) {
    const Projection p = at(*land, 0, 0.7);
    const double c = land->orthogonality_constant(p);
    for (double d : {1e-4, -1e-4}) {
      const Vec2 t = {p.point[0] - d * p.tangent[1], p.point[1] + d * p.tangent[0]};
      const Projection q = land->project(t);
      EXPECT_NEAR(abs_cosine(land->loss_grad(t), q.tangent) / q.dist, c, 1e-3 * c) << to_string(land->kind());
    }
  }
}

struct Rows : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  double at(size_t r, const std::string& col) const {
    for (size_t c = 0; c < columns.size(); ++c)
      if (columns[c] == col) return rows[r][c];
    ADD_FAILURE() << "no column " << col;
    return NAN;
  }
};

TEST(LandscapeRun, RowsScheduleAndDeterminism) {
  LandscapeConfig c;
  c.kind = LandscapeKind::singular;
  c.steps = 3000;
  Rows a, b;
  const RunSummary s = simulate_landscape(c, a);
  simulate_landscape(c, b);
  ASSERT_EQ(s.status, RunStatus::completed);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.columns.size(), 3u + 3u * 8u);
  // Every step up to 1000, then steps growing by 1%, and the last step.
  EXPECT_EQ(a.at(1000, "step"), 1000.0);
  EXPECT_EQ(a.at(1001, "step"), 1010.0);
  EXPECT_EQ(a.rows.back()[0], 3000.0);
  // The diagonal start stays on the diagonal (its cos is 1/√2 throughout); its projection is the singular point's
  // neighbour: dist_sing = dist.
  const size_t last = a.rows.size() - 1;
  EXPECT_EQ(a.at(last, "theta1_s0"), a.at(last, "theta2_s0"));
  EXPECT_NEAR(a.at(last, "cos_s0"), std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(a.at(last, "dist_sing_s0"), a.at(last, "dist_s0"), 1e-12);
  // (2, 1) ends near (√3, 0) (θ1² − θ2² is conserved by the flow, nearly by GD at η = 0.01).
  EXPECT_NEAR(a.at(last, "theta1_s1"), std::sqrt(3.0), 0.02);
}

TEST(LandscapeRun, StepIsGdOnLPlusLambdaNormSquared) {
  // leaky_relu from (3, 1): r = 2, ∇L = 2 r (1, 1) = (4, 4); θ ← θ − η(∇L + 2λθ) with η = 0.1, λ = 0.5.
  LandscapeConfig c;
  c.kind = LandscapeKind::leaky_relu;
  c.starts = {3.0, 1.0};
  c.lr = 0.1;
  c.weight_decay = 0.5;
  c.steps = 1;
  Rows rows;
  simulate_landscape(c, rows);
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows.at(1, "theta1_s0"), 2.3);
  EXPECT_DOUBLE_EQ(rows.at(1, "theta2_s0"), 0.5);
  EXPECT_DOUBLE_EQ(rows.at(0, "loss_s0"), 4.0);
  EXPECT_NEAR(rows.at(0, "dist_s0"), std::sqrt(2.0), 1e-14);   // to the line θ1 + θ2 = 2
}

TEST(LandscapeRun, BadValuesAreConfigErrors) {
  LandscapeConfig c;
  c.starts = {1.0, 2.0, 3.0};
  EXPECT_THROW(validate(c), ConfigError);
  c.starts = {};
  c.lr = 0.0;
  EXPECT_THROW(validate(c), ConfigError);
  c.lr = 0.01;
  c.weight_decay = -1.0;
  EXPECT_THROW(validate(c), ConfigError);
  c.weight_decay = 0.0;
  c.steps = 0;
  EXPECT_THROW(validate(c), ConfigError);
}

}  // namespace
}  // namespace grokscope::theory
