// Logit margins (see metrics/margins.h).
#include "grokscope/metrics/margins.h"

#include <cmath>
#include <limits>

#include "check.h"

namespace grokscope::metrics {

template <class T>
double min_logit_margin(const T* logits, int64_t n, int n_classes, const int32_t* labels) {
  if (n_classes < 2) detail::fail("min_logit_margin", "n_classes = {} must be >= 2", n_classes);
  double q_min = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    const T* z = logits + i * n_classes;
    const int32_t y = labels[i];
    if (y < 0 || y >= n_classes) detail::fail("min_logit_margin", "label {} of row {} is outside 0..{}", y, i,
                                               n_classes - 1);
    double other = -std::numeric_limits<double>::infinity();
    for (int j = 0; j < n_classes; ++j)
      if (j != y && static_cast<double>(z[j]) > other) other = z[j];
    const double q = static_cast<double>(z[y]) - other;
    if (q < q_min || std::isnan(q)) q_min = q;
    if (std::isnan(q_min)) return q_min;
  }
  return q_min;
}

double normalized_margin(double q_min, double theta_norm, int homogeneity) {
  if (homogeneity < 1)
    detail::fail("normalized_margin", "homogeneity = {} must be >= 1 (the model is not homogeneous)", homogeneity);
  if (!(theta_norm > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return q_min / std::pow(theta_norm, homogeneity);
}

template double min_logit_margin<float>(const float*, int64_t, int, const int32_t*);
template double min_logit_margin<double>(const double*, int64_t, int, const int32_t*);

}  // namespace grokscope::metrics
