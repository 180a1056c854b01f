// Elementwise activations and their derivatives, in place over contiguous arrays.
#pragma once

#include <cstdint>

#include "grokscope/core/run_config.h"

namespace grokscope::kernels {

inline bool activation_needs_z(Activation act) { return act == Activation::quadratic; }

// h[i] = sigma(z[i]).
template <class T>
void activation_forward(Activation act, T leaky_slope, const T* z, T* h, int64_t n);

// delta[i] = dh[i] * sigma'(z[i]), computed from h = sigma(z) except for quadratic (relu and leaky_relu test h > 0,
// which is z > 0 for a slope >= 0; tanh uses 1 - h^2; identity needs neither). z may be null unless
// activation_needs_z(act). delta may alias dh.
template <class T>
void activation_backward(Activation act, T leaky_slope, const T* z, const T* h, const T* dh, T* delta, int64_t n);

}  // namespace grokscope::kernels
