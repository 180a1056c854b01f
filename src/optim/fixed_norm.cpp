// Omnigrok's constrained-norm projection; see optim/fixed_norm.h.
#include "grokscope/optim/fixed_norm.h"

#include <cmath>

namespace grokscope {

template <class T>
double l2_norm(const T* params, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(params[i]) * static_cast<double>(params[i]);
  return std::sqrt(sum);
}

template <class T>
bool rescale_to_norm(T* params, int64_t n, double target) {
  const double norm = l2_norm(params, n);
  if (!(norm > 0 && std::isfinite(norm))) return false;
  const T factor = static_cast<T>(target / norm);
  for (int64_t i = 0; i < n; ++i) params[i] *= factor;
  return true;
}

template double l2_norm<float>(const float*, int64_t);
template double l2_norm<double>(const double*, int64_t);
template bool rescale_to_norm<float>(float*, int64_t, double);
template bool rescale_to_norm<double>(double*, int64_t, double);

}  // namespace grokscope
