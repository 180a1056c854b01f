// Losses on a batch of outputs (n x C logits) with integer class labels; one-hot targets are never built.
//   cross_entropy: l_i = logsumexp(z_i) - z_{i,y_i}, loss = mean_i l_i (computed as (m - z_y) + log(sum_j e^{z_j - m}),
//                  and as log1p(sum_{j != y} e^{z_j - m}) when y is the argmax, so tiny losses keep full precision)
//   mse, mean:        loss = sum_{i,c} (z_ic - [c == y_i])^2 / (n C)   (PyTorch nn.MSELoss())
//   mse, sum_classes: loss = sum_{i,c} (z_ic - [c == y_i])^2 / n
// The same pass gives accuracy (argmax, first index on ties) and the minimum logit margin z_y - max_{j != y} z_j.
#pragma once

#include <cstdint>

#include "grokscope/core/run_config.h"

namespace grokscope {

struct BatchStats {
  double loss = 0.0;        // mean loss as defined above
  double correct = 0.0;     // rows whose argmax is the label (binary tasks: y f > 0 counts 1, y f = 0 counts 1/2)
  double min_margin = 0.0;  // min over rows of z_y - max_{j != y} z_j
  int64_t n = 0;
  double accuracy() const { return n > 0 ? correct / static_cast<double>(n) : 0.0; }
  // Combines the stats of two disjoint chunks (loss and accuracy weighted by rows).
  void merge(const BatchStats& other);
};

// grad (n x C) receives dloss/dlogits when not null.
template <class T>
BatchStats classification_loss(const LossConfig& loss, const T* logits, int64_t n, int n_classes,
                               const int32_t* labels, T* grad);

}  // namespace grokscope
