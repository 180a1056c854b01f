// The training objective for any target kind: dispatches to the loss that matches the task's targets.
//   classes:    cross_entropy or mse (nn/loss.h)
//   binary:     logistic  l_i = softplus(-y_i f_i) = log(1 + e^{-y_i f_i}), loss = mean_i l_i; accuracy counts
//               y f > 0 as 1 and y f = 0 as 1/2 (Lyu's code); margin = min_i y_i f_i
//   regression: squared   loss = mean over samples and outputs of (f - y)^2 (PyTorch MSELoss); accuracy and
//               margin are NaN (undefined)
#pragma once

#include <cstdint>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/loss.h"

namespace grokscope {

template <class T>
BatchStats compute_objective(const LossConfig& loss, TargetKind target, const T* outputs, int64_t n, int output_dim,
                             const int32_t* labels, const T* targets, T* grad);

}  // namespace grokscope
