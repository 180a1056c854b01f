// Per-neuron Fourier structure of a modular-task first layer, and a scale-free rule for the key frequencies of a
// shared embedding (docs/diagnostics.md, "Per-neuron Fourier structure").
//
// In a grokked MLP on one-hot inputs each hidden neuron concentrates its input weights on one frequency, but
// different neurons use different frequencies (Nanda et al. 2023, Gromov 2023), so the spectrum summed over all
// neurons stays flat and its "key frequencies" are not the circuit. These measures look at each neuron alone.
//
// A is p x (slots * width), rows indexed by residue (metrics::input_slot_embeddings): neuron j's weights are columns
// j, width + j, ... (one per input slot). Its energy at frequency k = 1..floor(p/2) is
//   e_jk = sum_slots ( (cos_k^T a)^2 + (sin_k^T a)^2 )        (orthonormal basis rows, fourier.h; constant excluded)
// and with E_j = sum_k e_jk:
//   top share  s_j = max_k e_jk / E_j                       (1: a single frequency)
//   IPR        I_j = sum_k e_jk^2 / E_j^2                   (Gromov 2023's inverse participation ratio with r = 2 of
//                                                            the Fourier norms n_jk = sqrt(e_jk): sum n^4 / (sum n^2)^2;
//                                                            1/K for a flat spectrum, 1 for one frequency; Gaussian
//                                                            weights give about (1 + 1/slots)/K)
//   dominant   k_j = argmax_k e_jk
// A neuron without non-constant energy (E_j <= 1e-24 of its whole energy: round-off) has NaN share and IPR and
// dominant 0, and is left out of the means.
#pragma once

#include <vector>

#include "grokscope/metrics/matrix_input.h"

namespace grokscope::metrics {

struct NeuronFourier {
  std::vector<int> dominant;       // per neuron: k_j (1-based; 0 for a zero neuron)
  std::vector<double> top_share;   // per neuron: s_j
  std::vector<double> ipr;         // per neuron: I_j
  Eigen::VectorXd norms;           // per frequency k: sqrt(sum_j e_jk), the norms of frequency_norms(A) (fourier.h)
};
NeuronFourier neuron_fourier(MatrixRef a, int slots);

// Over the neurons with E_j > 0: mean IPR, the fraction whose top share is >= share ("concentrated"), and the key
// frequencies of the layer: the distinct dominant frequencies of the concentrated neurons, ascending (empty when no
// neuron is concentrated: no Fourier structure). NaN means when no neuron has energy.
struct NeuronFourierSummary {
  double ipr_mean = 0.0;
  double concentrated_frac = 0.0;
  std::vector<int> keys;
};
NeuronFourierSummary summarize_neurons(const NeuronFourier& n, double share = 0.9);

// Key frequencies of a shared embedding by a gap in the sorted norms (scale-free): with the frequency norms sorted
// descending, n_(1) >= ... >= n_(K), the largest ratio n_(i) / n_(i+1) over i = 1..K-1; the keys are the i
// frequencies above it (ascending) when that ratio is >= min_gap, else none. A zero norm below a positive one counts
// as an infinite ratio. A random Gaussian matrix has ratios near 1 and reports none; a matrix built from a few
// frequencies reports exactly those.
std::vector<int> key_frequencies_by_gap(const std::vector<double>& norms, double min_gap = 2.0);

}  // namespace grokscope::metrics
