// Constrained-norm training (Liu, Michaud, Tegmark 2023, "Omnigrok", §4 and Fig. 7b; papers.md §4.4): the
// parameters live on a sphere. Omnigrok's code (github.com/KindXiaoming/Omnigrok,
// mod-addition/grokking/modular-addition-grokking.ipynb, "Constrained Norm alpha = 0.8"; mnist-landscape.ipynb does
// the same) multiplies every parameter by alpha at initialization, records norm = sqrt(sum over model.parameters()
// of sum p^2) and after every optimizer.step() multiplies every parameter by norm / new_norm. It rescales all
// parameters (weights, biases, embeddings), so grokscope does too: optim.fixed_norm = c scales theta_init by c and
// holds ||theta_t|| = c ||theta_init|| (the whole flat parameter vector) after every step.
#pragma once

#include <cstdint>

namespace grokscope {

// sqrt(sum theta_i^2), summed in double (in buffer order).
template <class T>
double l2_norm(const T* params, int64_t n);

// theta *= target / ||theta|| (the factor rounded to T, as param.data *= norm / new_norm with a Python float).
// Returns false, leaving theta as it is, when ||theta|| is 0 or not finite (a diverging step: the trainer's next
// forward pass reports it).
template <class T>
bool rescale_to_norm(T* params, int64_t n, double target);

}  // namespace grokscope
