// Nanda's Fourier view of a transformer's weights on synthetic W_E, W_out, W_U whose spectra are known: an embedding
// built from a few frequencies, an unembedding whose logit axis holds other frequencies (so W_L = W_out W_U has
// exactly those), Gaussian weights (no keys), and the shape checks.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "grokscope/metrics/fourier.h"
#include "grokscope/metrics/transformer_fourier.h"

namespace gm = grokscope::metrics;

namespace {

constexpr double kPi = 3.14159265358979323846;

Eigen::MatrixXd gaussian(int rows, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  Eigen::MatrixXd a(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) a(i, j) = g(rng);
  return a;
}

// p x d: column 2i is cos(w_k x), column 2i+1 sin(w_k x) for k = freqs[i], each with amplitude amps[i]; other
// columns 0. Frequency norm n_k = amp * sqrt(p / 2) * sqrt(2) = amp sqrt(p) (both cos and sin of norm^2 p/2).
Eigen::MatrixXd fourier_columns(int p, int d, const std::vector<int>& freqs, const std::vector<double>& amps) {
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(p, d);
  for (size_t i = 0; i < freqs.size(); ++i)
    for (int x = 0; x < p; ++x) {
      e(x, static_cast<Eigen::Index>(2 * i)) = amps[i] * std::cos(2 * kPi * freqs[i] * x / p);
      e(x, static_cast<Eigen::Index>(2 * i + 1)) = amps[i] * std::sin(2 * kPi * freqs[i] * x / p);
    }
  return e;
}

}  // namespace

TEST(TransformerFourier, KnownSpectraGiveTheirKeysNormsAndGini) {
  const int p = 31, d = 16, d_mlp = 24, K = p / 2;
  const Eigen::MatrixXd w_e = fourier_columns(p, d, {3, 7, 11}, {1.0, 1.0, 1.0});
  // W_U^T (p x d) carries frequencies {2, 5}: then W_L^T = W_U^T W_out^T has columns in their span.
  const Eigen::MatrixXd w_u_t = fourier_columns(p, d, {2, 5}, {2.0, 1.0});
  const Eigen::MatrixXd w_out = gaussian(d_mlp, d, 3);
  const gm::TransformerFourier f = gm::transformer_fourier(w_e, w_out, w_u_t.transpose());
  EXPECT_EQ(f.keys_embed, (std::vector<int>{3, 7, 11}));
  EXPECT_EQ(f.keys_logits, (std::vector<int>{2, 5}));
  ASSERT_EQ(f.embed.norms.size(), K);
  ASSERT_EQ(f.logits.norms.size(), K);
  for (int k = 1; k <= K; ++k) {
    const bool key = k == 3 || k == 7 || k == 11;
    EXPECT_NEAR(f.embed.norms(k - 1), key ? std::sqrt(double(p)) : 0.0, 1e-9) << k;
  }
  // m equal nonzero norms among K: Gini = 1 - m / K exactly.
  EXPECT_NEAR(f.gini_embed, 1.0 - 3.0 / K, 1e-12);
  // W_L's spectrum: zero outside {2, 5}; its Gini is that of the two-entry vector computed by gini().
  Eigen::VectorXd expected_norms = Eigen::VectorXd::Zero(K);
  const Eigen::MatrixXd wl_t = w_u_t * w_out.transpose();
  for (int k : {2, 5}) {
    Eigen::VectorXd c(p), s(p);
    for (int x = 0; x < p; ++x) {
      c(x) = std::cos(2 * kPi * k * x / p);
      s(x) = std::sin(2 * kPi * k * x / p);
    }
    c.normalize();
    s.normalize();
    expected_norms(k - 1) = std::sqrt((c.transpose() * wl_t).squaredNorm() + (s.transpose() * wl_t).squaredNorm());
  }
  for (int k = 1; k <= K; ++k) EXPECT_NEAR(f.logits.norms(k - 1), expected_norms(k - 1), 1e-9) << k;
  EXPECT_NEAR(f.gini_logits, gm::gini(expected_norms), 1e-12);
  EXPECT_GT(f.gini_logits, 1.0 - 2.0 / K);   // at least as concentrated as two equal frequencies
  // The constant component is left out of the Gini and of the keys: adding a constant row offset changes nothing.
  Eigen::MatrixXd shifted = w_e;
  shifted.rowwise() += Eigen::RowVectorXd::Constant(d, 5.0);
  const gm::TransformerFourier g = gm::transformer_fourier(shifted, w_out, w_u_t.transpose());
  EXPECT_NEAR(g.gini_embed, f.gini_embed, 1e-12);
  EXPECT_EQ(g.keys_embed, f.keys_embed);
  EXPECT_GT(g.embed.constant, 1.0);
}

TEST(TransformerFourier, GaussianWeightsHaveNoKeysAndALowGini) {
  const int p = 53, d = 32, d_mlp = 64;
  const gm::TransformerFourier f =
      gm::transformer_fourier(gaussian(p, d, 1), gaussian(d_mlp, d, 2), gaussian(d, p, 3));
  EXPECT_TRUE(f.keys_embed.empty());
  EXPECT_TRUE(f.keys_logits.empty());
  EXPECT_LT(f.gini_embed, 0.25);
  EXPECT_LT(f.gini_logits, 0.25);
  EXPECT_GE(f.gini_embed, 0.0);
}

TEST(TransformerFourier, MismatchedShapesThrow) {
  EXPECT_THROW(gm::transformer_fourier(gaussian(7, 4, 1), gaussian(5, 4, 2), gaussian(4, 8, 3)),
               std::invalid_argument);   // W_E has 7 residues, W_U 8 logits
  EXPECT_THROW(gm::transformer_fourier(gaussian(7, 4, 1), gaussian(5, 3, 2), gaussian(4, 7, 3)),
               std::invalid_argument);   // W_out's d is 3, W_U's 4
  EXPECT_THROW(gm::transformer_fourier(gaussian(1, 4, 1), gaussian(5, 4, 2), gaussian(4, 1, 3)),
               std::invalid_argument);   // p = 1
}
