// The population probe (see population.h).
#include "population.h"

#include <cmath>
#include <limits>

#include "grokscope/core/error.h"
#include "grokscope/nn/diagonal_net.h"
#include "grokscope/theory/gradient_flow.h"
#include "grokscope/theory/model_objective.h"

namespace grokscope::detail {

namespace {

// w = u^L - v^L of a parameter buffer, in double.
template <class T>
std::vector<double> effective_weight(const Model<T>& model, const T* params) {
  const auto* net = dynamic_cast<const DiagonalNet<T>*>(&model);
  GS_CHECK(net != nullptr);
  std::vector<T> w(static_cast<size_t>(net->dim()));
  net->effective_weight(params, w.data());
  return std::vector<double>(w.begin(), w.end());
}

double squared_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

}  // namespace

template <class T>
void PopulationProbe<T>::solve_flow(const ProbeContext<T>& ctx) {
  for (const auto& [name, values] : ctx.data.references)
    if (name == "w_star") w_star_ = values;
  GS_CHECK(w_star_.size() == static_cast<size_t>(ctx.model.input_dim()));
  const int64_t size = ctx.model.layout().total_size();
  theory::ModelObjective<T> objective(ctx.model, ctx.data.train, loss_, ctx.data.target);
  const typename theory::GradientFlow<T>::Gradient gradient = [&](const T* theta, T* grad) {
    return objective(theta, grad);
  };
  theory::GradientFlow<T> flow({}, size, theory::GradientFlowOptions{.rtol = 1e-8, .atol = 1e-12});
  std::vector<T> theta(ctx.params_init, ctx.params_init + size);
  const double loss0 = objective(theta.data(), nullptr);
  double loss = loss0;
  constexpr double kStopRelative = 1e-12, kLastTime = 16384.0;
  for (double t = 1.0; t <= kLastTime && loss > kStopRelative * loss0; t *= 2.0) {
    if (!flow.advance_to(theta.data(), gradient, t)) break;   // keeps the last accepted point
    const double now = objective(theta.data(), nullptr);
    const bool stalled = !(now < loss);   // no progress at all: the dtype's rounding floor (a saddle still progresses)
    loss = now;
    if (stalled) break;
  }
  w_gf_ = effective_weight(ctx.model, theta.data());
  loss_population_gf_ = squared_distance(w_gf_, w_star_);
  loss_train_gf_ = loss;
}

template <class T>
void PopulationProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  if (w_gf_.empty()) solve_flow(ctx);
  const std::vector<double> w = effective_weight(ctx.model, ctx.params);
  double gf_norm2 = 0.0;
  for (double v : w_gf_) gf_norm2 += v * v;
  out[0] = squared_distance(w, w_star_);
  out[1] = loss_population_gf_;
  out[2] = gf_norm2 > 0 ? std::sqrt(squared_distance(w, w_gf_) / gf_norm2) : std::numeric_limits<double>::quiet_NaN();
  out[3] = loss_train_gf_;
}

template class PopulationProbe<float>;
template class PopulationProbe<double>;

}  // namespace grokscope::detail
