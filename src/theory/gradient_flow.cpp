// Dormand-Prince 5(4) gradient flow (see theory/gradient_flow.h). Coefficients: Dormand & Prince (1980), as tabulated
// in Hairer, Norsett & Wanner, Table II.5.2; the error weights e = b5 - b4.
#include "grokscope/theory/gradient_flow.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "grokscope/core/error.h"

namespace grokscope::theory {

namespace {

constexpr int kStages = 7;
// a[s][j], j < s: stage s (0-based) is evaluated at y + dt sum_j a[s][j] k_j. Row 6 equals the 5th-order weights b.
constexpr double kA[kStages][kStages] = {
    {0, 0, 0, 0, 0, 0, 0},
    {1.0 / 5, 0, 0, 0, 0, 0, 0},
    {3.0 / 40, 9.0 / 40, 0, 0, 0, 0, 0},
    {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0, 0},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0, 0},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0, 0},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0},
};
// e = b5 - b4 (the local error estimate is dt sum_j e_j k_j).
constexpr double kE[kStages] = {71.0 / 57600,     0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200,
                                22.0 / 525,       -1.0 / 40};
// Dense output (Hairer, Norsett & Wanner II.6, their code DOPRI5): the 5th term of the continuous extension is
// dt sum_j d_j k_j.
constexpr double kD[kStages] = {-12715105075.0 / 11282082432, 0, 87487479700.0 / 32700410799,
                                -10690763975.0 / 1880347072,  701980252875.0 / 199316789632,
                                -1453857185.0 / 822651844,    69997945.0 / 29380423};

// Scaled norm of a vector given entry by entry: RMS or max of v_i / s_i.
template <class F>
double scaled_norm(int64_t n, bool max_norm, F&& ratio) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double r = ratio(i);
    if (max_norm)
      acc = std::max(acc, std::abs(r));
    else
      acc += r * r;
    if (std::isnan(r)) return std::numeric_limits<double>::infinity();
  }
  if (max_norm || n == 0) return acc;
  return std::sqrt(acc / static_cast<double>(n));
}

}  // namespace

template <class T>
GradientFlow<T>::GradientFlow(std::vector<ParamRange> ranges, int64_t size, const GradientFlowOptions& options)
    : options_(options), size_(size) {
  if (size <= 0) throw std::invalid_argument(fmt::format("[gradient_flow] size must be positive, got {}", size));
  if (!(options.rtol >= 0.0) || !(options.atol >= 0.0) || options.rtol + options.atol <= 0.0)
    throw std::invalid_argument(fmt::format("[gradient_flow] tolerances must be >= 0 and not both 0 (rtol {}, atol {})",
                                            options.rtol, options.atol));
  if (!(options.dt_initial >= 0.0) || !(options.dt_max > 0.0) || !(options.dt_min >= 0.0) ||
      !(options.dt_floor >= 0.0) || options.dt_floor > options.dt_max)
    throw std::invalid_argument(
        fmt::format("[gradient_flow] need dt_initial >= 0, dt_max > 0, dt_min >= 0, 0 <= dt_floor <= dt_max (got {}, "
                    "{}, {}, {})",
                    options.dt_initial, options.dt_max, options.dt_min, options.dt_floor));
  if (!(options.fac_min > 0.0 && options.fac_min < 1.0 && options.fac_max > 1.0 && options.safety > 0.0 &&
        options.safety <= 1.0))
    throw std::invalid_argument("[gradient_flow] need 0 < fac_min < 1 < fac_max and 0 < safety <= 1");
  const auto n = static_cast<size_t>(size);
  decay_.assign(n, 0.0);
  for (const ParamRange& r : ranges) {
    if (r.offset < 0 || r.size < 0 || r.offset + r.size > size)
      throw std::invalid_argument(fmt::format("[gradient_flow] range [{}, {}) outside the buffer of {} entries",
                                              r.offset, r.offset + r.size, size));
    std::fill(decay_.begin() + r.offset, decay_.begin() + r.offset + r.size, r.weight_decay);
  }
  y_.assign(n, 0.0);
  y_new_.assign(n, 0.0);
  k_.assign(kStages, std::vector<double>(n, 0.0));
  point_.assign(n, T(0));
  grad_.assign(n, T(0));
}

template <class T>
GradientFlow<T>::GradientFlow(std::vector<ParamRange> ranges, int64_t size, double rtol, double atol,
                              double dt_initial, double dt_max)
    : GradientFlow(std::move(ranges), size,
                   GradientFlowOptions{.rtol = rtol, .atol = atol, .dt_initial = dt_initial, .dt_max = dt_max}) {}

template <class T>
bool GradientFlow<T>::evaluate(const Gradient& grad, int stage) {
  ++evaluations_;
  stage_loss_ = grad(point_.data(), grad_.data());
  double* k = k_[static_cast<size_t>(stage)].data();
  const T* g = grad_.data();
  const T* x = point_.data();
  const double* lam = decay_.data();
  bool finite = std::isfinite(stage_loss_);
  double check = 0.0;
  for (int64_t i = 0; i < size_; ++i) {
    k[i] = -(static_cast<double>(g[i]) + lam[i] * static_cast<double>(x[i]));
    check += k[i] * 0.0;   // NaN or Inf anywhere makes check NaN
  }
  return finite && !std::isnan(check);
}

template <class T>
bool GradientFlow<T>::sync_state(const T* theta) {
  bool same = have_k1_;
  for (int64_t i = 0; same && i < size_; ++i) same = theta[i] == static_cast<T>(y_[static_cast<size_t>(i)]);
  if (same) return true;
  for (int64_t i = 0; i < size_; ++i) y_[static_cast<size_t>(i)] = static_cast<double>(theta[i]);
  have_k1_ = false;
  return false;
}

template <class T>
double GradientFlow<T>::fail(const std::string& why) {
  failure_ = fmt::format("[gradient_flow] {} at t = {:.17g} (after {} accepted steps)", why, time(), accepted_);
  return 0.0;
}

template <class T>
void GradientFlow<T>::add_time(double dt) {
  const double t = time_ + dt;
  time_comp_ += std::abs(time_) >= std::abs(dt) ? (time_ - t) + dt : (dt - t) + time_;
  time_ = t;
}

// Hairer, Norsett & Wanner II.4: h0 = 0.01 ||y0|| / ||f0||, one Euler step to estimate the second derivative,
// h1 = (0.01 / max(||f0||, ||f'||))^(1/5); the start is min(100 h0, h1).
template <class T>
double GradientFlow<T>::initial_step(const Gradient& grad) {
  const int64_t n = size_;
  const bool mx = options_.max_norm;
  const double* y = y_.data();
  const double* f0 = k_[0].data();
  auto sc = [&](int64_t i) { return options_.atol + options_.rtol * std::abs(y[i]); };
  const double d0 = scaled_norm(n, mx, [&](int64_t i) { return y[i] / sc(i); });
  const double d1 = scaled_norm(n, mx, [&](int64_t i) { return f0[i] / sc(i); });
  double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  h0 = std::min(h0, options_.dt_max);
  for (int64_t i = 0; i < n; ++i) point_[static_cast<size_t>(i)] = static_cast<T>(y[i] + h0 * f0[i]);
  if (!evaluate(grad, 1)) return h0;
  const double* f1 = k_[1].data();
  const double d2 = scaled_norm(n, mx, [&](int64_t i) { return (f1[i] - f0[i]) / sc(i); }) / h0;
  const double dm = std::max(d1, d2);
  const double h1 = dm <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dm, 0.2);
  return std::min(100.0 * h0, h1);
}

template <class T>
double GradientFlow<T>::advance(T* theta, const Gradient& grad, double dt_limit) {
  GS_CHECK(dt_limit > 0.0);
  failure_.clear();
  dense_ = false;
  const int64_t n = size_;
  if (!sync_state(theta)) {
    std::copy(theta, theta + n, point_.begin());
    if (!evaluate(grad, 0)) {
      loss_ = stage_loss_;
      return fail(fmt::format("the loss or its gradient is not finite at the current point (loss {})", stage_loss_));
    }
    loss_ = stage_loss_;
    have_k1_ = true;
  }
  double dt = dt_next_ > 0.0 ? dt_next_ : (options_.dt_initial > 0.0 ? options_.dt_initial : initial_step(grad));
  dt = std::max(std::min(dt, options_.dt_max), options_.dt_floor);
  bool rejected_before = false;
  const double* y = y_.data();
  const double* k[kStages];
  for (int j = 0; j < kStages; ++j) k[j] = k_[static_cast<size_t>(j)].data();
  for (;;) {
    const bool clipped = dt_limit < dt;
    const double h = clipped ? dt_limit : dt;
    // Stages 2..7; stage 7 is evaluated at the 5th-order solution y_new (first same as last).
    bool finite = true;
    for (int s = 1; s < kStages && finite; ++s) {
      double* out = s == kStages - 1 ? y_new_.data() : nullptr;
      for (int64_t i = 0; i < n; ++i) {
        double acc = 0.0;
        for (int j = 0; j < s; ++j) acc += kA[s][j] * k[j][i];
        const double v = y[i] + h * acc;
        if (out) out[i] = v;
        point_[static_cast<size_t>(i)] = static_cast<T>(v);
      }
      finite = evaluate(grad, s);
    }
    double err = std::numeric_limits<double>::infinity();
    if (finite) {
      const double* yn = y_new_.data();
      err = scaled_norm(n, options_.max_norm, [&](int64_t i) {
        double e = 0.0;
        for (int j = 0; j < kStages; ++j) e += kE[j] * k[j][i];
        return h * e / (options_.atol + options_.rtol * std::max(std::abs(y[i]), std::abs(yn[i])));
      });
    }
    const bool at_floor = options_.dt_floor > 0.0 && h <= options_.dt_floor;
    if (err <= 1.0 || (at_floor && finite)) {
      if (err > 1.0) ++forced_;
      std::swap(y_, y_new_);
      std::swap(k_[0], k_[kStages - 1]);
      loss_ = stage_loss_;
      for (int64_t i = 0; i < n; ++i) theta[i] = static_cast<T>(y_[static_cast<size_t>(i)]);
      step_start_ = time();
      dense_ = true;
      add_time(h);
      ++accepted_;
      last_dt_ = h;
      last_error_ = err;
      double fac = err > 0.0 ? options_.safety * std::pow(err, -0.2) : options_.fac_max;
      fac = std::clamp(fac, options_.fac_min, rejected_before ? 1.0 : options_.fac_max);
      const double proposal = std::min(h * fac, options_.dt_max);
      // A step shortened to land on dt_limit says nothing against the longer step that was proposed.
      dt_next_ = clipped ? std::max(proposal, dt) : proposal;
      dt_next_ = std::max(dt_next_, options_.dt_floor);
      return h;
    }
    ++rejected_;
    rejected_before = true;
    const double fac = std::isfinite(err) ? std::max(options_.fac_min, options_.safety * std::pow(err, -0.2))
                                          : options_.fac_min;
    dt = h * std::min(fac, 0.9);
    if (options_.dt_floor > 0.0) {
      if (at_floor)
        return fail(fmt::format("a step of dt {:.3g} <= dt_floor had a non-finite loss or gradient", h));
      dt = std::max(dt, options_.dt_floor);
      continue;
    }
    const double floor = std::max(options_.dt_min, 1e-15 * (1.0 + std::abs(time())));
    if (dt < floor)
      return fail(fmt::format("the step size fell to {:.3g} (error estimate {:.3g} at dt {:.3g}{})", dt, err, h,
                              std::isfinite(err) ? "" : ": a stage had a non-finite loss or gradient"));
  }
}

template <class T>
bool GradientFlow<T>::advance_to(T* theta, const Gradient& grad, double t_end) {
  while (time() < t_end) {
    const double remaining = t_end - time();
    const double dt = advance(theta, grad, remaining);
    if (dt <= 0.0) return false;
    if (dt == remaining) set_time(t_end);
  }
  return true;
}

// After an accepted step y_new_ holds the previous state y0, y_ the new one y1, k_[6] the slope at y0 and k_[0] the
// one at y1 (the swap of first-same-as-last), k_[1..5] the stages 2..6. With s = (t - t0) / dt:
//   y(s) = y0 + s (r2 + (1 - s) (r3 + s (r4 + (1 - s) r5))),  r2 = y1 - y0,  r3 = dt k1 - r2,
//   r4 = r2 - dt k7 - r3,  r5 = dt sum_j d_j k_j.
template <class T>
bool GradientFlow<T>::interpolate(double t, T* out) const {
  if (!dense_ || last_dt_ <= 0.0) return false;
  const double h = last_dt_;
  double s = (t - step_start_) / h;
  if (!(s >= -1e-12 && s <= 1.0 + 1e-12)) return false;
  s = std::clamp(s, 0.0, 1.0);
  const double s1 = 1.0 - s;
  const double* y0 = y_new_.data();
  const double* y1 = y_.data();
  const double* k[kStages] = {k_[6].data(), k_[1].data(), k_[2].data(), k_[3].data(),
                              k_[4].data(), k_[5].data(), k_[0].data()};
  for (int64_t i = 0; i < size_; ++i) {
    const double r2 = y1[i] - y0[i];
    const double r3 = h * k[0][i] - r2;
    const double r4 = r2 - h * k[6][i] - r3;
    double d = 0.0;
    for (int j = 0; j < kStages; ++j) d += kD[j] * k[j][i];
    out[i] = static_cast<T>(y0[i] + s * (r2 + s1 * (r3 + s * (r4 + s1 * h * d))));
  }
  return true;
}

template class GradientFlow<float>;
template class GradientFlow<double>;

}  // namespace grokscope::theory
