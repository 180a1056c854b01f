// Max-margin linear classifiers with COIN-OR CLP (see theory/max_margin.h).
#include "grokscope/theory/max_margin.h"

#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>
#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace grokscope::theory {

namespace {

constexpr double kSeparableRtol = 1e-9;   // LP: t* / max |z_ij| below this: not separable
constexpr double kSeparableRtol2 = 1e-9;  // QP: gamma^2 / max ||z_i||^2 below this (the solver's resolution)
constexpr double kSolverTolerance = 1e-10;  // CLP's primal and dual tolerances (default 1e-7: errors of 1e-6)
constexpr double kConstraintRtol = 1e-6;  // min_i <z_i, w*> must be >= 1 - this

std::string clp_status(const ClpSimplex& m) {
  static const char* names[] = {"optimal", "primal infeasible", "dual infeasible (unbounded)",
                                "stopped on iterations or time", "stopped on difficulties", "stopped by handler"};
  const int s = m.status();
  return s >= 0 && s <= 5 ? fmt::format("{} (status {}, secondary {})", names[s], s, m.secondaryStatus())
                          : fmt::format("status {}", s);
}

int64_t count_support(const Eigen::VectorXd& dual) {
  const double tol = 1e-6 / static_cast<double>(std::max<Eigen::Index>(dual.size(), 1));
  return static_cast<int64_t>((dual.array() > tol).count());
}

// beta* = argmin beta^T G beta on the simplex (G scaled by 1 / max diag), by CLP.
Eigen::VectorXd simplex_qp(const Eigen::MatrixXd& gram) {
  const int n = static_cast<int>(gram.rows());
  const double scale = gram.diagonal().maxCoeff();
  ClpSimplex m;
  m.setLogLevel(0);
  // One row: sum beta = 1; columns beta_i in [0, inf), no linear cost.
  std::vector<int> row(static_cast<size_t>(n), 0), length(static_cast<size_t>(n), 1);
  std::vector<CoinBigIndex> start(static_cast<size_t>(n) + 1);
  std::iota(start.begin(), start.end(), 0);
  std::vector<double> ones(static_cast<size_t>(n), 1.0), lower(static_cast<size_t>(n), 0.0),
      upper(static_cast<size_t>(n), COIN_DBL_MAX), cost(static_cast<size_t>(n), 0.0);
  const CoinPackedMatrix a(true, 1, n, n, ones.data(), row.data(), start.data(), length.data());
  const double one = 1.0;
  m.loadProblem(a, lower.data(), upper.data(), cost.data(), &one, &one);
  // Objective 1/2 beta^T (G / scale) beta: CLP takes the lower triangle (row >= column) of each column.
  std::vector<CoinBigIndex> q_start{0};
  std::vector<int> q_row;
  std::vector<double> q_value;
  for (int j = 0; j < n; ++j) {
    for (int i = j; i < n; ++i)
      if (gram(i, j) != 0.0) {
        q_row.push_back(i);
        q_value.push_back(gram(i, j) / scale);
      }
    q_start.push_back(static_cast<CoinBigIndex>(q_row.size()));
  }
  m.loadQuadraticObjective(n, q_start.data(), q_row.data(), q_value.data());
  m.setPrimalTolerance(kSolverTolerance);
  m.setDualTolerance(kSolverTolerance);
  m.primal();   // CLP's primal simplex, which takes the quadratic objective
  if (m.status() != 0) throw MarginError("[max_l2_margin] CLP QP failed: " + clp_status(m));
  Eigen::VectorXd beta(n);
  for (int i = 0; i < n; ++i) beta[i] = std::max(0.0, m.primalColumnSolution()[i]);
  if (!(beta.sum() > 0.0)) throw MarginError("[max_l2_margin] CLP returned no point of the simplex");
  return beta / beta.sum();
}

}  // namespace

MaxMargin max_l2_margin_dual(const Eigen::MatrixXd& gram) {
  const Eigen::Index n = gram.rows();
  if (n == 0 || gram.cols() != n)
    throw MarginError(
        fmt::format("[max_l2_margin] needs a square Gram matrix with >= 1 row, got {} x {}", n, gram.cols()));
  if (!gram.allFinite()) throw MarginError("[max_l2_margin] the Gram matrix has non-finite entries");
  const double scale = gram.diagonal().maxCoeff();
  if (!(scale > 0.0)) throw MarginError("[max_l2_margin] data not separable: every row is zero");
  MaxMargin r;
  r.dual = simplex_qp(gram);
  const double gamma2 = r.dual.dot(gram * r.dual);   // ||u||^2
  if (!(gamma2 > kSeparableRtol2 * scale))
    throw MarginError(fmt::format("[max_l2_margin] data not separable: the min-norm point of conv{{y_i x_i}} has "
                                  "norm {:.3g} (largest row norm {:.3g})", std::sqrt(std::max(gamma2, 0.0)),
                                  std::sqrt(scale)));
  // <z_i, u> = (G beta)_i >= ||u||^2 at the optimum (KKT of the simplex QP); w = u / ||u||^2 feasible with
  // ||w|| = 1 / ||u|| also certifies optimality (weak duality: ||w'|| >= 1 / ||u|| for every feasible w').
  const double worst = (gram * r.dual).minCoeff() / gamma2;
  if (!(worst >= 1.0 - kConstraintRtol))   // NaN too
    throw MarginError(fmt::format("[max_l2_margin] the solver's solution breaks a margin constraint: "
                                  "min_i <z_i, w> = {:.9g} < 1 (data not separable, or too close to it for the "
                                  "solver)", worst));
  r.margin = std::sqrt(gamma2);
  r.support = count_support(r.dual);
  r.rounds = 1;
  return r;
}

MaxMargin max_l2_margin(const Eigen::MatrixXd& z) {
  MaxMargin r = max_l2_margin_dual(z * z.transpose());
  r.weights = z.transpose() * r.dual / (r.margin * r.margin);
  return r;
}

namespace {

// The LP of max_l1_margin over a working set of coordinates: rows 0..n-1 are <z_i, w+ - w-> - t >= 0, row n is
// sum(w+ + w-) <= 1; column 0 is t (free, cost -1: CLP minimizes), then w+_j, w-_j for each coordinate j added.
class L1MarginLp {
 public:
  explicit L1MarginLp(const Eigen::MatrixXd& z) : z_(z), n_(static_cast<int>(z.rows())) {
    model_.setLogLevel(0);
    const auto rows_total = static_cast<size_t>(n_) + 1;
    std::vector<double> row_lower(rows_total, 0.0), row_upper(rows_total, COIN_DBL_MAX);
    row_lower.back() = -COIN_DBL_MAX;
    row_upper.back() = 1.0;
    std::vector<int> rows(static_cast<size_t>(n_));
    std::iota(rows.begin(), rows.end(), 0);
    const std::vector<double> minus_one(static_cast<size_t>(n_), -1.0);
    const CoinBigIndex start[2] = {0, n_};
    const int length = n_;
    const CoinPackedMatrix a(true, n_ + 1, 1, n_, minus_one.data(), rows.data(), start, &length);
    const double lower = -COIN_DBL_MAX, upper = COIN_DBL_MAX, cost = -1.0;
    model_.loadProblem(a, &lower, &upper, &cost, row_lower.data(), row_upper.data());
  }

  void add(const std::vector<Eigen::Index>& coords) {
    std::vector<CoinBigIndex> start{0};
    std::vector<int> rows;
    std::vector<double> values;
    for (const Eigen::Index j : coords)
      for (const double sign : {1.0, -1.0}) {
        for (int i = 0; i < n_; ++i) {
          rows.push_back(i);
          values.push_back(sign * z_(i, j));
        }
        rows.push_back(n_);
        values.push_back(1.0);
        start.push_back(static_cast<CoinBigIndex>(rows.size()));
      }
    const size_t cols = 2 * coords.size();
    const std::vector<double> lower(cols, 0.0), upper(cols, COIN_DBL_MAX), cost(cols, 0.0);
    model_.addColumns(static_cast<int>(cols), lower.data(), upper.data(), cost.data(), start.data(), rows.data(),
                      values.data());
    coords_.insert(coords_.end(), coords.begin(), coords.end());
  }

  // tight: CLP's primal and dual tolerances at kSolverTolerance (slow from a cold start on these degenerate LPs,
  // a few pivots from the optimal basis of the default tolerances).
  void solve(bool tight) {
    if (tight) {
      model_.setPrimalTolerance(kSolverTolerance);
      model_.setDualTolerance(kSolverTolerance);
    }
    model_.primal();
    if (model_.status() != 0) throw MarginError("[max_l1_margin] CLP LP failed: " + clp_status(model_));
  }
  double t() const { return model_.primalColumnSolution()[0]; }
  // The duals of the margin rows (n) and mu = -(dual of the norm row), so that a coordinate j prices in (improves
  // the LP) when |(Z^T pi)_j| > mu.
  Eigen::VectorXd margin_duals() const { return Eigen::Map<const Eigen::VectorXd>(model_.dualRowSolution(), n_); }
  double mu() const { return -model_.dualRowSolution()[n_]; }
  Eigen::VectorXd weights() const {
    Eigen::VectorXd w = Eigen::VectorXd::Zero(z_.cols());
    const double* x = model_.primalColumnSolution();
    for (size_t k = 0; k < coords_.size(); ++k) w[coords_[k]] += x[1 + 2 * k] - x[2 + 2 * k];
    return w;
  }

 private:
  const Eigen::MatrixXd& z_;
  int n_;
  ClpSimplex model_;
  std::vector<Eigen::Index> coords_;
};

// The coordinates (not yet in the working set) with the largest score, at most count, score > threshold.
std::vector<Eigen::Index> largest(const Eigen::VectorXd& score, const std::vector<char>& in_set, double threshold,
                                  size_t count) {
  std::vector<Eigen::Index> out;
  for (Eigen::Index j = 0; j < score.size(); ++j)
    if (!in_set[static_cast<size_t>(j)] && score[j] > threshold) out.push_back(j);
  const auto by_score = [&](Eigen::Index a, Eigen::Index b) {
    return score[a] > score[b] || (score[a] == score[b] && a < b);
  };
  if (out.size() > count) {
    std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(count), out.end(), by_score);
    out.resize(count);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

MaxMargin max_l1_margin(const Eigen::MatrixXd& z) {
  const Eigen::Index n = z.rows(), d = z.cols();
  if (n == 0 || d == 0) throw MarginError(fmt::format("[max_l1_margin] needs data, got {} x {}", n, d));
  if (!z.allFinite()) throw MarginError("[max_l1_margin] the data has non-finite entries");
  const double scale = z.cwiseAbs().maxCoeff();
  if (!(scale > 0.0)) throw MarginError("[max_l1_margin] data not separable: every row is zero");
  L1MarginLp lp(z);
  std::vector<char> in_set(static_cast<size_t>(d), 0);
  auto add = [&](const std::vector<Eigen::Index>& coords) {
    for (const Eigen::Index j : coords) in_set[static_cast<size_t>(j)] = 1;
    lp.add(coords);
  };
  // Start from the n coordinates most correlated with the labels; then add the most violated coordinates, at most
  // as many as the working set holds (so a hard instance needs O(log d) rounds).
  const Eigen::VectorXd correlation = (z.transpose() * Eigen::VectorXd::Ones(n)).cwiseAbs();
  add(largest(correlation, in_set, -1.0, static_cast<size_t>(n)));
  size_t in_count = static_cast<size_t>(std::min(n, d));
  MaxMargin r;
  bool tight = false;
  for (;;) {
    lp.solve(tight);
    ++r.rounds;
    const double mu = lp.mu();
    const Eigen::VectorXd g = (z.transpose() * lp.margin_duals()).cwiseAbs();
    const std::vector<Eigen::Index> enter =
        largest(g, in_set, mu + kSeparableRtol * scale, std::max(in_count, static_cast<size_t>(n)));
    if (enter.empty()) {
      if (tight) break;
      tight = true;   // optimal at CLP's default tolerances: polish, then price again
      continue;
    }
    add(enter);
    in_count += enter.size();
  }
  const double t = lp.t();
  if (!(t > kSeparableRtol * scale))
    throw MarginError(fmt::format("[max_l1_margin] data not separable: the largest L1-normalized margin is {:.3g} "
                                  "(largest |x_ij| {:.3g})", t, scale));
  r.weights = lp.weights() / t;
  r.dual = lp.margin_duals();
  const double worst = (z * r.weights).minCoeff();
  if (!(worst >= 1.0 - kConstraintRtol))   // NaN too
    throw MarginError(fmt::format("[max_l1_margin] the solver's solution breaks a margin constraint: "
                                  "min_i <z_i, w> = {:.9f} < 1", worst));
  r.margin = 1.0 / r.weights.lpNorm<1>();
  r.support = count_support(r.dual);
  const double big = r.weights.cwiseAbs().maxCoeff();
  r.nonzeros = static_cast<int64_t>((r.weights.array().abs() > 1e-9 * big).count());
  return r;
}

}  // namespace grokscope::theory
