// Distances from initialization (see metrics/kernel_distance.h).
#include "grokscope/metrics/kernel_distance.h"

#include <cmath>
#include <limits>

namespace grokscope::metrics {

template <class T>
InitDistance init_distance(const T* theta, const T* theta_init, int64_t n) {
  double xx = 0.0, yy = 0.0, xy = 0.0, dd = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = theta[i], y = theta_init[i], d = x - y;
    xx += x * x;
    yy += y * y;
    xy += x * y;
    dd += d * d;
  }
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  InitDistance r;
  r.norm = std::sqrt(xx);
  r.norm_init = std::sqrt(yy);
  r.dist = std::sqrt(dd);  // accumulated directly, not from the cosine: exact when theta is near theta_init
  r.dist_rel = r.norm_init > 0.0 ? r.dist / r.norm_init : nan;
  r.cos = (r.norm > 0.0 && r.norm_init > 0.0) ? xy / (r.norm * r.norm_init) : nan;
  return r;
}

template <class T>
double relative_distance(const T* theta, const T* theta_init, int64_t n) {
  return init_distance(theta, theta_init, n).dist_rel;
}

template <class T>
double cosine_similarity(const T* x, const T* y, int64_t n) {
  return init_distance(x, y, n).cos;
}

template InitDistance init_distance<float>(const float*, const float*, int64_t);
template InitDistance init_distance<double>(const double*, const double*, int64_t);
template double relative_distance<float>(const float*, const float*, int64_t);
template double relative_distance<double>(const double*, const double*, int64_t);
template double cosine_similarity<float>(const float*, const float*, int64_t);
template double cosine_similarity<double>(const double*, const double*, int64_t);

}  // namespace grokscope::metrics
