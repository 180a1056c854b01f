// Elementwise activations: relu, leaky_relu, quadratic (z^2), identity, tanh.
// The derivatives read h where it determines them (relu, leaky_relu, tanh), so only quadratic needs z kept.
#include "grokscope/kernels/activation.h"

#include <cmath>

namespace grokscope::kernels {

template <class T>
void activation_forward(Activation act, T slope, const T* z, T* h, int64_t n) {
  switch (act) {
    case Activation::relu:
      for (int64_t i = 0; i < n; ++i) h[i] = z[i] > T(0) ? z[i] : T(0);
      return;
    case Activation::leaky_relu:
      for (int64_t i = 0; i < n; ++i) h[i] = z[i] > T(0) ? z[i] : slope * z[i];
      return;
    case Activation::quadratic:
      for (int64_t i = 0; i < n; ++i) h[i] = z[i] * z[i];
      return;
    case Activation::identity:
      if (h != z)
        for (int64_t i = 0; i < n; ++i) h[i] = z[i];
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) h[i] = std::tanh(z[i]);
      return;
  }
}

template <class T>
void activation_backward(Activation act, T slope, const T* z, const T* h, const T* dh, T* delta, int64_t n) {
  switch (act) {
    case Activation::relu:  // h > 0 exactly when z > 0
      for (int64_t i = 0; i < n; ++i) delta[i] = h[i] > T(0) ? dh[i] : T(0);
      return;
    case Activation::leaky_relu:  // h > 0 exactly when z > 0 (slope >= 0)
      for (int64_t i = 0; i < n; ++i) delta[i] = h[i] > T(0) ? dh[i] : slope * dh[i];
      return;
    case Activation::quadratic:
      for (int64_t i = 0; i < n; ++i) delta[i] = T(2) * z[i] * dh[i];
      return;
    case Activation::identity:
      if (delta != dh)
        for (int64_t i = 0; i < n; ++i) delta[i] = dh[i];
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) delta[i] = (T(1) - h[i] * h[i]) * dh[i];
      return;
  }
}

template void activation_forward<float>(Activation, float, const float*, float*, int64_t);
template void activation_forward<double>(Activation, double, const double*, double*, int64_t);
template void activation_backward<float>(Activation, float, const float*, const float*, const float*, float*, int64_t);
template void activation_backward<double>(Activation, double, const double*, const double*, const double*, double*,
                                          int64_t);

}  // namespace grokscope::kernels
