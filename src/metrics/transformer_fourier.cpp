// The Fourier spectra of a transformer's embedding and neuron-logit map (see metrics/transformer_fourier.h).

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (as in nn/loss.cpp); the pragma
// must precede the first Eigen include.
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/transformer_fourier.h"

#include "check.h"
#include "grokscope/metrics/neuron_fourier.h"

namespace grokscope::metrics {

namespace {
std::vector<double> as_vector(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }
}  // namespace

TransformerFourier transformer_fourier(MatrixRef w_e_residues, MatrixRef w_out, MatrixRef w_u, double min_gap) {
  const Eigen::Index p = w_u.cols();
  if (p < 2) detail::fail("transformer_fourier", "W_U has {} logit columns; p must be >= 2", p);
  if (w_e_residues.rows() != p)
    detail::fail("transformer_fourier", "W_E has {} residue rows but W_U has {} logits", w_e_residues.rows(), p);
  if (w_out.cols() != w_u.rows())
    detail::fail("transformer_fourier", "W_out is {}x{} but W_U has {} rows (d_model)", w_out.rows(), w_out.cols(),
                 w_u.rows());
  TransformerFourier f;
  f.embed = frequency_norms(w_e_residues);
  const Eigen::MatrixXd wl_t = w_u.transpose() * w_out.transpose();   // p x d_mlp
  f.logits = frequency_norms(wl_t);
  f.gini_embed = gini(f.embed.norms);
  f.gini_logits = gini(f.logits.norms);
  f.keys_embed = key_frequencies_by_gap(as_vector(f.embed.norms), min_gap);
  f.keys_logits = key_frequencies_by_gap(as_vector(f.logits.norms), min_gap);
  return f;
}

}  // namespace grokscope::metrics
