// Verdict check of Musat's simulated isolated dynamics (MU-5, science.md §3.7, Fig. 6): the embedding E moves under
// Eq. 20 while the readout is the minimum-norm interpolant, so the training loss is exactly zero throughout; the test
// accuracy stays at chance at first and reaches 100% around tau = eta * step = 2 (the paper: chance for 500 steps of
// eta = 1e-3, perfect after ~2000); the Fourier features of E become circles of equal radius (rho), with orthogonal
// real and imaginary parts (cos), each frequency on its own hidden units (similarity across frequencies falls).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"
#include "grokscope/core/rng.h"
#include "grokscope/metrics/circle.h"

namespace grokscope::reproduce {

CircleBaseline random_circle_baseline(int p, int d, int draws, uint64_t seed) {
  CircleBaseline b{0.0, 0.0, 0.0, draws};
  if (p < 3 || d < 1 || draws < 1) return CircleBaseline{};
  Rng rng(seed);
  std::vector<int> all((p - 1) / 2);
  for (size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int>(k) + 1;
  Eigen::MatrixXd e(p, d);
  for (int t = 0; t < draws; ++t) {
    for (int i = 0; i < p; ++i)
      for (int j = 0; j < d; ++j) e(i, j) = rng.normal();
    const metrics::CircleSummary c = metrics::summarize_circles(metrics::circle_diagnostics(e), all);
    b.rho_logdev += c.rho_logdev / draws;
    b.cos_abs += c.cos_abs / draws;
    b.sim_offdiag += c.sim_offdiag / draws;
  }
  return b;
}

std::vector<Verdict> mu5_verdicts(const Mu5Series& s, const CircleBaseline& random, double max_train_loss,
                                  double chance_until, double chance_factor, double min_gen_time, double max_gen_time,
                                  double circle_ratio) {
  std::vector<Verdict> out;
  const std::string& tag = s.label;
  const size_t n = std::min({s.time.size(), s.loss_train.size(), s.acc_test.size()});
  if (n < 3) {
    out.push_back(missing("zero_train_loss " + tag, "train loss exactly zero", "no metrics.csv"));
    return out;
  }
  double worst_loss = 0.0, early_acc = 0.0;
  for (size_t i = 0; i < n; ++i) {
    worst_loss = std::max(worst_loss, std::isfinite(s.loss_train[i]) ? s.loss_train[i] : HUGE_VAL);
    if (s.time[i] <= chance_until) early_acc = std::max(early_acc, s.acc_test[i]);
  }
  out.push_back(at_most("zero_train_loss " + tag,
                        "the min-norm readout interpolates: train loss is zero (to rounding) at every evaluation",
                        worst_loss, max_train_loss, "max train loss"));
  out.push_back(at_most("chance_early " + tag,
                        fmt::format("test accuracy stays near chance ({}) up to tau = {} (the paper: 500 steps of "
                                    "eta = 1e-3)", num(s.chance), num(chance_until)),
                        early_acc, chance_factor * s.chance,
                        fmt::format("max test accuracy (bound {} x chance)", num(chance_factor))));
  const int64_t i_gen = first_crossing(std::vector<double>(s.acc_test.begin(), s.acc_test.begin() +
                                                                                   static_cast<std::ptrdiff_t>(n)),
                                       0.99, false);
  const double t_gen = i_gen < 0 ? kNaN : s.time[static_cast<size_t>(i_gen)];
  out.push_back(Verdict{"generalizes " + tag,
                        fmt::format("test accuracy reaches 99% at tau in [{}, {}] (the paper: ~2)", num(min_gen_time),
                                    num(max_gen_time)),
                        fmt::format("tau = {} (step {})", num(t_gen),
                                    num(i_gen < 0 ? kNaN : s.step[static_cast<size_t>(i_gen)])),
                        t_gen >= min_gen_time && t_gen <= max_gen_time, t_gen, kNaN});
  const struct {
    const char* name;
    const char* what;
    const std::vector<double>& v;
    double random;
  } circles[] = {{"circles_equalize", "the Re/Im norm ratio of each key Fourier feature tends to 1 (circle_rho_logdev_key)",
                  s.rho_logdev_key, random.rho_logdev},
                 {"circles_orthogonalize", "Re and Im of each key Fourier feature become orthogonal (circle_cos_abs_key)",
                  s.cos_abs_key, random.cos_abs},
                 {"circles_separate", "different frequencies use different hidden units (circle_sim_offdiag)",
                  s.sim_offdiag, random.sim_offdiag}};
  for (const auto& c : circles) {
    const double end = c.v.empty() ? kNaN : c.v.back(), start = c.v.empty() ? kNaN : c.v.front();
    out.push_back(at_most(std::string(c.name) + " " + tag,
                          fmt::format("{}: end / random-embedding level <= {} (mean of {} Gaussian draws of the same "
                                      "shape)", c.what, num(circle_ratio), random.draws),
                          end / c.random, circle_ratio,
                          fmt::format("{} at the end / {} random (start {}), ratio", num(end), num(c.random),
                                      num(start))));
  }
  return out;
}

namespace detail {

namespace {
// The width of the isolated dynamics' embedding (model.hidden[0] of the run's config; 0 when absent).
int hidden_width(const RunData& run) {
  const auto& c = run.record.config;
  if (!c.contains("model") || !c["model"].contains("hidden") || !c["model"]["hidden"].is_array() ||
      c["model"]["hidden"].empty() || !c["model"]["hidden"][0].is_number())
    return 0;
  return c["model"]["hidden"][0].get<int>();
}
}  // namespace

CheckOutput check_mu5(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  std::string acc = "set xlabel 'tau = eta * step'\nset ylabel 'test accuracy'\nset yrange [0:1.05]\n"
                    "set key bottom right\nplot ";
  std::string circ = "set logscale y\nset xlabel 'tau = eta * step'\nset ylabel 'circle diagnostic'\n"
                     "set key bottom left\nplot ";
  bool any = false;
  for (size_t k = 0; k < in.runs.size(); ++k) {
    const auto& run = in.runs[k];
    Mu5Series s;
    s.label = run_label(run);
    s.step = run.column("step");
    s.time = run.column("time");
    s.loss_train = run.column("loss_train");
    s.acc_test = run.column("acc_test");
    s.rho_logdev_key = run.column("circle_rho_logdev_key");
    s.cos_abs_key = run.column("circle_cos_abs_key");
    s.sim_offdiag = run.column("circle_sim_offdiag");
    s.chance = 1.0 / run.config_number("task.p");
    const CircleBaseline random = random_circle_baseline(
        static_cast<int>(run.config_number("task.p")), hidden_width(run),
        static_cast<int>(in.param("baseline_draws", 20)), 20261207);
    if (k == 0)
      out.measured.push_back(fmt::format("random embedding of the same shape ({} draws): |log rho| {}, |cos| {}, "
                                         "similarity across frequencies {}",
                                         random.draws, num(random.rho_logdev), num(random.cos_abs),
                                         num(random.sim_offdiag)));
    const auto v = mu5_verdicts(s, random, in.param("max_train_loss", 1e-15), in.param("chance_until", 0.5),
                                in.param("chance_factor", 3), in.param("min_gen_time", 1.0),
                                in.param("max_gen_time", 3.0), in.param("circle_ratio", 0.5));
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    auto acc_at = [&](double tau) {   // the first evaluation at or after time tau
      for (size_t i = 0; i < s.time.size() && i < s.acc_test.size(); ++i)
        if (s.time[i] >= tau - 1e-12) return s.acc_test[i];
      return kNaN;
    };
    if (!s.acc_test.empty())
      out.measured.push_back(fmt::format("{}: test accuracy at tau = 0 / 1 / 1.5 / 2 / 3: {} / {} / {} / {} / {}",
                                         s.label, num(acc_at(0)), num(acc_at(1)), num(acc_at(1.5)), num(acc_at(2)),
                                         num(acc_at(3))));
    if (!figs || s.acc_test.empty()) continue;
    const std::string file = fmt::format("mu5_{}.dat", k);
    figs->data(file, columns_text({"time", "acc_test", "rho_logdev_key", "cos_abs_key", "sim_offdiag"},
                                  {s.time, s.acc_test, s.rho_logdev_key, s.cos_abs_key, s.sim_offdiag}));
    const std::string sep = any ? ", " : "";
    acc += fmt::format("{}'{}' using 1:2 with lines lt {} lw 2 title '{}'", sep, file, k + 1, s.label);
    circ += fmt::format("{}'{}' using 1:3 with lines lt {} title '{} |log rho| key', '' using 1:4 with lines lt {} dt 2 "
                        "title '{} |cos| key', '' using 1:5 with lines lt {} dt 3 title '{} similarity'",
                        sep, file, k + 1, s.label, k + 1, s.label, k + 1, s.label);
    any = true;
  }
  if (figs && any) {
    figs->figure("mu5_accuracy", "MU-5: test accuracy of the isolated dynamics (train loss exactly 0 throughout)",
                 acc + "\n");
    figs->figure("mu5_circles", "MU-5: Fourier circle diagnostics of E: equal radii (|log rho|, key frequencies), "
                                "orthogonal Re/Im (|cos|, key frequencies), separate units per frequency (similarity, "
                                "all); a random embedding of the same shape starts at the level of the first points",
                 circ + "\n");
  }
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
