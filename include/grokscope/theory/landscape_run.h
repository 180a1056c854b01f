// Gradient descent on Musat's toy landscapes (MU-3, Thm 4.14; theory/toy_landscape.h), reported like a training
// run: `grokscope theory landscape` and sweeps with instrument = "landscape" (docs/theory.md). Several trajectories
// (starts) of one landscape advance in lockstep, one column group per start, so that the gradient's angle to the
// zero-loss set can be followed against the distance to it. Does not parse files (io/theory_config.h does).
#pragma once

#include <cstdint>
#include <vector>

#include "grokscope/theory/toy_landscape.h"
#include "grokscope/core/run_config.h"
#include "grokscope/core/run.h"

namespace grokscope::theory {

struct LandscapeConfig {
  LandscapeKind kind = LandscapeKind::parabola;
  // θ(0) of each trajectory, flat: (θ1, θ2) of start 0, then start 1, ...; empty: default_landscape_starts(kind).
  std::vector<double> starts;
  double lr = 0.01;             // η of θ ← θ − η (∇L + 2λθ)
  double weight_decay = 0.0;    // Musat's λ of L_λ = L + λ‖θ‖² (Thm 4.14 is about ∇L: MU-3 uses λ = 0)
  int64_t steps = 1000000;
};

// Throws ConfigError naming the key (landscape.<key>) for an invalid value.
void validate(const LandscapeConfig& config);

// The starts used when none are given (docs/theory.md):
//   parabola     (1, 1) + d n for d = −1, 0.5, 1, n = (−2, 1)/√5 the unit normal at (1, 1): three points with the
//                same projection (1, 1) (Fig. 4), one on the convex side and two inside the parabola
//   curved       (3, 1), (0.5, 0.2), (−2, −1): off the symmetric diagonal (where ∇L is exactly normal) on both branches
//   singular     (1, 1) (GD stays on the diagonal and creeps to the singular point 0), (2, 1) (θ1² − θ2² is
//                conserved by the flow: it ends near (√3, 0) on a smooth branch), (1.05, 1) (ends near (0.32, 0))
//   leaky_relu   (−2, −1), (−1, 1), (3, 1)
std::vector<Vec2> default_landscape_starts(LandscapeKind kind);
std::vector<Vec2> landscape_starts(const LandscapeConfig& config);   // the given starts, or the defaults

// The run config written as config.toml of a landscape run: only its optimizer part means something (sgd, lr,
// weight decay 2λ in PyTorch's convention, steps, f64); the landscape itself is theory.toml.
RunConfig landscape_run_config(const LandscapeConfig& config);

// Runs plain GD from every start for `steps` steps and reports: RunStart (columns, params_init "theta" (starts x 2)),
// a metrics row at every step up to 1000 and then at steps growing by 1% (about 230 rows per decade) and at the
// last step, on_finish with the final "theta". Columns: step, time (η step), loss_train (the largest L over the
// starts), then for each start k:
//   loss_s<k>       L(θ)
//   theta1_s<k>, theta2_s<k>
//   dist_s<k>       dist_Z(θ) (exact: theory::ToyLandscape::project)
//   cos_s<k>        |cos(∇L(θ), T_{proj_Z θ})|, the quantity Thm 4.14 bounds by C dist_Z
//   ratio_s<k>      cos / dist
//   c_pred_s<k>     the local constant C(proj_Z θ) = lim cos / dist (ToyLandscape::orthogonality_constant)
//   dist_sing_s<k>  distance of proj_Z θ to the nearest singular point of Z (NaN when Z has none)
// No clocks. A non-finite θ ends the run with status diverged; stop_requested() with status stopped.
RunSummary simulate_landscape(const LandscapeConfig& config, RunObserver& observer);

}  // namespace grokscope::theory
