// Nanda et al.'s Fourier view of a transformer's weights on a + b mod p (science.md §4.2, §6; docs/diagnostics.md,
// "Transformer progress measures"): the per-frequency norms of the embedding W_E over its residue rows and of the
// neuron-logit map W_L = W_out W_U over its logit axis, their Gini coefficients and their key frequencies.
//
//   W_E residues  p x d       rows 0..p-1 of embed.W_E (the "=" row, id p, is not a residue and is left out)
//   W_L^T         p x d_mlp   (W_out W_U)^T = W_U^T W_out^T: row c holds what each MLP neuron adds to logit c
// For each of them the frequency norms n_k, k = 1..floor(p/2), are fourier.h's frequency_norms along the residue (or
// logit) axis: n_k^2 is the energy of the cos_k and sin_k components summed over the other axis. The constant
// component is left out of the Gini coefficient and of the keys (it carries no information about the input).
//   gini = gini(n_1..n_K)                                (fourier.h; 0 flat, 1 - 1/K a single frequency)
//   keys = key_frequencies_by_gap(n_1..n_K, min_gap)     (neuron_fourier.h: the frequencies above the largest ratio
//                                                          >= min_gap in the sorted norms; none for a flat spectrum)
// Nanda publishes no threshold for "nontrivial coefficients"; the gap rule is grokscope's, the same as the embedding
// MLP's. Bad shapes (W_E and W_U with different p, W_out and W_U with different d, p < 2) throw
// std::invalid_argument.
#pragma once

#include <vector>

#include "grokscope/metrics/fourier.h"
#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

struct TransformerFourier {
  FrequencyNorms embed;     // of W_E's residue rows
  FrequencyNorms logits;    // of W_L^T
  double gini_embed = 0.0;
  double gini_logits = 0.0;
  std::vector<int> keys_embed;
  std::vector<int> keys_logits;
};

// w_e_residues: p x d; w_out: d_mlp x d (blocks.{l}.mlp.W_out); w_u: d x p (unembed.W_U).
TransformerFourier transformer_fourier(MatrixRef w_e_residues, MatrixRef w_out, MatrixRef w_u, double min_gap = 2.0);

}  // namespace grokscope::metrics
