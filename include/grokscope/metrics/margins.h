// Logit margins (science.md §6; Lyu et al. 2024 homogeneity framework, Tan et al. logit gaps Gamma_{a,m}):
//   q_i   = z_{i, y_i} - max_{j != y_i} z_{i,j}            (multiclass logit margin of row i)
//   q_min = min_i q_i                                     (column margin_train, computed by nn/loss.h too)
//   normalized margin  q_min / ||theta||_2^L              (column nmargin_train) for an L-homogeneous model
//                      (Model::homogeneity(); L = 2 for the two-layer ReLU MLP with first-layer bias only)
// Under the rich-regime bias (Lyu Thm 3.5) the normalized margin rises toward a KKT value of max-margin problem (R1).
#pragma once

#include <cstdint>

namespace grokscope::metrics {

// q_min over the n rows of a row-major n x n_classes logit buffer (labels in [0, n_classes)); +inf if n = 0.
template <class T>
double min_logit_margin(const T* logits, int64_t n, int n_classes, const int32_t* labels);

// q_min / theta_norm^homogeneity. Throws std::invalid_argument if homogeneity < 1 (the model is not homogeneous:
// the ratio is not scale-free). NaN if theta_norm <= 0.
double normalized_margin(double q_min, double theta_norm, int homogeneity);

}  // namespace grokscope::metrics
