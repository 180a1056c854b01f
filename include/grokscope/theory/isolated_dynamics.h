// Musat's isolated dynamics of the embedding (science.md §3.4-3.5, §3.7, catalog MU-5; errata §7.2): the two-layer network
// Y_hat = sigma(X E) W on the unordered pairs of a + b mod p with the sum encoding (X_i = e_a + e_b, a = b gives
// 2 e_a; Y_i = e_c), where the readout W is never trained but recomputed as the minimum-norm interpolant of the
// training rows, and only the embedding E (p x d) moves:
//   H = sigma(X E) (n x d),  A = (H H^T)^{-1} (n x n),  W = H^T A Y  (d x p),  so H W = Y: train loss exactly 0
//   R(E)/lambda = ||E||_F^2 + ||W||_F^2 = ||E||_F^2 + Tr(Y^T A Y)      (Musat Eq. 19 divided by lambda)
//   dE/dt = -grad R = 2 lambda (X^T[(A Y Y^T A H) (.) sigma'(X E)] - E)  (the corrected sign of App. E, §3.5)
//   update   E <- E + eta * DeltaE,  DeltaE = X^T[(A Y Y^T A H) (.) sigma'(X E)] - E   (Eq. 20: time tau = 2 lambda t)
// A Y is solved with a Cholesky factorization of H H^T (no inverse is formed; A Y Y^T A H = (A Y) W^T). A factor
// that fails, or whose estimated condition number exceeds max_condition, ends the run with status `diverged` and a
// message naming the step and the estimate, instead of continuing with garbage.
// What it does not do: biases, other readouts (ridge lambda > 0), minibatches. All arithmetic is in double.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "grokscope/core/run_config.h"
#include "grokscope/core/run.h"

namespace grokscope::theory {

struct IsolatedConfig {
  int p = 37;                        // modulus (odd; >= 3)
  int width = 512;                   // d_h: hidden units (columns of E)
  std::string op = "add";            // a symmetric operation of data/modular.h
  double train_fraction = 0.7;       // of the p(p+1)/2 unordered pairs (floor), unless n_train > 0
  int64_t n_train = 0;
  uint64_t split_seed = 0;
  uint64_t seed = 0;                 // E(0)
  // E(0)_ju ~ N(0, init_std^2). The paper writes N(0, p^{-1/2}); we read the second argument as the standard
  // deviation (torch.normal(mean, std) convention): init_std <= 0 means p^{-1/2}. For variance p^{-1/2} pass
  // init_std = p^{-1/4}.
  double init_std = 0.0;
  Activation activation = Activation::relu;   // relu (sigma'(0) = 0, PyTorch's convention), leaky_relu, tanh
  double leaky_slope = 0.01;
  double lr = 1e-3;                  // eta in Eq.-20 time
  int64_t steps = 5000;
  int64_t eval_every = 10;           // a metrics row every eval_every steps, and at step 0 and the last step
  bool spectrum = true;              // min/max eigenvalue of H H^T at every row (O(n^3); off: NaN)
  double max_condition = 1e12;       // estimated cond(H H^T) above this ends the run (1/rcond of the Cholesky)
};

// Checks the values; throws ConfigError("isolated.<key>", ...) for a bad one.
void validate(const IsolatedConfig& config);

// The config.toml-equivalent RunConfig of the network whose embedding is simulated: task a + b mod p on unordered
// pairs with the sum encoding, model mlp with hidden = {width}, no biases, the activation, MSE loss summed over
// classes (Musat's L), optim sgd with lr = eta, train.steps = steps, train.seed = seed, f64. Training this config
// with GD is MU-4's experiment; the isolated dynamics are its lambda -> 0, readout-optimal limit.
RunConfig isolated_run_config(const IsolatedConfig& config);

// H H^T could not be factored, or is too ill-conditioned for its inverse to mean anything.
class IllConditioned : public std::runtime_error {
 public:
  IllConditioned(const std::string& what, double condition) : std::runtime_error(what), condition_(condition) {}
  double condition() const { return condition_; }

 private:
  double condition_;
};

// The dynamics on a fixed data set: rows are pairs (a_i, b_i) with labels c_i.
class IsolatedDynamics {
 public:
  IsolatedDynamics(int p, Activation activation, double leaky_slope, std::vector<int32_t> a, std::vector<int32_t> b,
                   std::vector<int32_t> c, double max_condition = 1e12);

  struct State {
    Eigen::MatrixXd z;        // X E (n x d), pre-activations
    Eigen::MatrixXd h;        // sigma(X E) (n x d)
    Eigen::MatrixXd gram;     // H H^T (n x n), lower triangle only
    Eigen::MatrixXd ay;       // A Y (n x p), solved with the Cholesky factor of H H^T
    Eigen::MatrixXd w;        // readout W = H^T A Y (d x p)
    double condition = 0.0;   // estimated cond_1(H H^T) = 1 / rcond
  };
  // Everything the update needs at E (p x d). Throws IllConditioned (message names `step`) when the factorization
  // fails or the condition estimate exceeds max_condition.
  State state(const Eigen::MatrixXd& e, int64_t step = -1) const;
  // DeltaE = X^T[(A Y Y^T A H) (.) sigma'(X E)] - E (p x d) = -(1/2) grad_E (R/lambda).
  Eigen::MatrixXd direction(const Eigen::MatrixXd& e, const State& s) const;
  // R(E)/lambda = ||E||_F^2 + Tr(Y^T A Y)  (the finite-difference tests differentiate this).
  double objective(const Eigen::MatrixXd& e, const State& s) const;
  // sigma(X' E) W for other rows (pairs a', b'): n' x p outputs.
  Eigen::MatrixXd predict(const Eigen::MatrixXd& e, const Eigen::MatrixXd& w, const std::vector<int32_t>& a,
                          const std::vector<int32_t>& b) const;

  int64_t rows() const { return static_cast<int64_t>(a_.size()); }
  int p() const { return p_; }
  const std::vector<int32_t>& labels() const { return c_; }

 private:
  Eigen::MatrixXd gather(const Eigen::MatrixXd& e, const std::vector<int32_t>& a, const std::vector<int32_t>& b) const;
  Eigen::MatrixXd activate(const Eigen::MatrixXd& z) const;
  Eigen::MatrixXd derivative(const Eigen::MatrixXd& z) const;

  int p_;
  Activation activation_;
  double leaky_slope_;
  std::vector<int32_t> a_, b_, c_;
  double max_condition_;
};

// Runs the simulation of MU-5 and reports it like a training run: RunStart (columns, split.npz arrays, params_init
// as w1 = E^T (d x p) and w2 = W^T (p x d), PyTorch orientation of isolated_run_config's MLP), one on_eval row every
// eval_every steps, on_progress, on_finish with the final parameters. Columns:
//   step, time (eta * step: Eq.-20 time tau = 2 lambda t), loss_train, acc_train, loss_test, acc_test,
//   margin_test, norm_E, norm_W, objective (||E||^2 + ||W||^2), delta_norm (||DeltaE||_F),
//   cond_HHt (Cholesky estimate), min_eig_HHt, max_eig_HHt, dead_units (hidden units with sigma' = 0 on every
//   training row), fourier_gini_E, n_key_freqs, circle_rho_logdev, circle_cos_abs, circle_sim_offdiag,
//   circle_plane_offdiag (metrics/circle.h over all (p-1)/2 frequencies), circle_rho_logdev_key, circle_cos_abs_key
//   (over the key frequencies: Fourier norm >= max/4).
// Losses are Musat's: sum over the p outputs of the squared error, mean over rows. Clocks: t_fit at step 0 (train
// loss is 0 by construction, acc_train 1), t_gen at the first row with acc_test >= 0.99.
// An ill-conditioned H H^T ends the run with status diverged (message: step and condition estimate); the final
// parameters are the last good E. The observer's stop_requested() ends it with status stopped.
RunSummary simulate_isolated_dynamics(const IsolatedConfig& config, RunObserver& observer);

}  // namespace grokscope::theory
