// Elementwise activations and their derivatives, in place over contiguous arrays.
#pragma once

#include <cstdint>

#include "grokscope/train/config.h"

namespace grokscope::kernels {

// h[i] = sigma(z[i]).
template <class T>
void activation_forward(Activation act, T leaky_slope, const T* z, T* h, int64_t n);

// delta[i] = dh[i] * sigma'(z[i]) (h = sigma(z) is passed for activations whose derivative is cheaper from h).
template <class T>
void activation_backward(Activation act, T leaky_slope, const T* z, const T* h, const T* dh, T* delta, int64_t n);

}  // namespace grokscope::kernels
