// Musat's norm-minimizing direction on the zero-loss set (§3.6, App. D, Eq. 28-29; catalog MU-4):
//   theta'  = proj_Z(theta), estimated by GD with heavy-ball momentum and no weight decay from theta
//             (v <- mu v + grad L, theta' <- theta' - lr v; App. D: 100 steps, lr 1, mu 0.9)
//   dist_Z  = ||theta - theta'||
//   J       = dF/dtheta at theta' ((n_train * outputs) x P, theory/kernel_predictor.h output_jacobian)
//   g~      = (I - J^+ J)(-theta)        the projection of -theta onto null(J) = T_{theta'} Z (Lemma C.1)
// J^+ J v is the projection onto the row space of J, computed from Householder QRs of J^T with a relative rank
// tolerance (no inverse of J J^T is formed, so a rank-deficient J is handled). g~ uses theta, not
// theta' (Eq. 28: argmin v^T theta over unit v in the tangent space at proj_Z(theta)). What it does not do:
// generated (on-demand) datasets; the exact orthogonal projection onto Z (GD only approximates it off linear models).
#pragma once

#include <Eigen/Core>
#include <Eigen/QR>
#include <cstdint>
#include <vector>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/model.h"
#include "grokscope/theory/model_objective.h"

namespace grokscope::theory {

struct ZeroLossOptions {
  int64_t steps = 100;       // GD steps of the projection (at most)
  double lr = 1.0;
  double momentum = 0.9;     // heavy ball, PyTorch SGD convention
  double tolerance = 0.0;    // stop once L(theta') < tolerance (0: always all steps)
  double rank_rtol = 1e-10;  // a QR pivot counts when |R_ii| > rank_rtol * |R_00|
};

template <class T>
struct ZeroLossProjection {
  std::vector<T> theta;      // theta' (P)
  double loss = 0.0;         // L(theta'), the objective's loss (no weight decay); non-finite if GD diverged
  int64_t steps = 0;         // GD steps taken
};

// GD with momentum on objective (no weight decay) from theta (n_params values).
template <class T>
ZeroLossProjection<T> project_to_zero_loss(ModelObjective<T>& objective, const T* theta, int64_t n_params,
                                           const ZeroLossOptions& options);

// P_T = I - J^+ J for a Jacobian J (rows x P): apply(v) is the component of v in null(J). Two stages: a blocked
// Householder QR J^T = Q1 R (fast, backward stable whatever the rank), then a column-pivoted QR of the k x rows
// factor R (k = min(rows, P)), R Pi = Q2 R2, whose pivots above rank_rtol times the largest give the rank r;
// range(J^T) = span of the first r columns of Q1 Q2.
class TangentProjector {
 public:
  explicit TangentProjector(const Eigen::MatrixXd& jacobian, double rank_rtol = 1e-10);
  Eigen::VectorXd apply(const Eigen::VectorXd& v) const;
  int64_t rank() const { return rank_; }

 private:
  Eigen::HouseholderQR<Eigen::MatrixXd> outer_;        // of J^T (P x rows)
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> inner_;  // of R (k x rows)
  Eigen::Index k_ = 0;
  int64_t rank_ = 0;
};

struct NormMinimizingDirection {
  Eigen::VectorXd direction;   // g~ (P); empty when the projection diverged
  double dist = 0.0;           // ||theta - theta'||
  double loss = 0.0;           // L(theta')
  int64_t steps = 0;           // projection steps taken
  int64_t rank = 0;            // numerical rank of J at theta'
};

// The whole estimate at theta on the stored training set train.
template <class T>
NormMinimizingDirection norm_minimizing_direction(const Model<T>& model, const Dataset<T>& train,
                                                  const LossConfig& loss, TargetKind target, const T* theta,
                                                  const ZeroLossOptions& options);

}  // namespace grokscope::theory
