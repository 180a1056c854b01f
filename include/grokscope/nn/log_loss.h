// Cross-entropy in log space, for the loss-scaled schedule (Lyu et al. App. B.1): the loss L falls below 1e-300,
// so L, dL/dlogits and 1/L are not representable but log L and dL/dlogits / L are. Per sample, with
// a_i = log sum_{j != y_i} e^{z_ij - z_iy} (a log-sum-exp, finite for any finite logits):
//   l_i = softplus(a_i) = log(1 + e^{a_i}),   log l_i = log softplus(a_i)  (~ a_i - e^{a_i}/2 when l_i underflows)
//   log L = logsumexp_i(log l_i) - log n
//   d(log L)/dz_ij = (softmax_ij - [j == y_i]) / (n L): for j != y_i e^{z_ij - z_iy - l_i - log n - log L},
//                    for j == y_i -e^{a_i - l_i - log n - log L}
// Everything is computed in double from the logits. It does not cover mse or the binary/regression losses.
#pragma once

#include <cstdint>

#include "grokscope/nn/loss.h"

namespace grokscope {

// log(softplus(a)) = log(log(1 + e^a)), accurate for every a (finite when softplus(a) underflows).
double log_softplus(double a);

// Returns accuracy and margin as classification_loss does, and loss = exp(log L) (0 once it underflows); writes
// log L to *log_loss. grad (n x C), when not null, receives d(log L)/dlogits = (dL/dlogits) / L.
template <class T>
BatchStats cross_entropy_log_loss(const T* logits, int64_t n, int n_classes, const int32_t* labels, T* grad,
                                  double* log_loss);

}  // namespace grokscope
