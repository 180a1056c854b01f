// Per-neuron Fourier structure and the gap rule for key frequencies, on matrices whose answer is known: neurons built
// from one frequency each (the grokked MLP's shape), Gaussian noise (no structure: no keys, nothing concentrated), an
// embedding built from a few frequencies, and the edge cases (zero neurons, zero norms, bad arguments).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "grokscope/metrics/fourier.h"
#include "grokscope/metrics/neuron_fourier.h"

namespace gm = grokscope::metrics;

namespace {

constexpr double kPi = 3.14159265358979323846;

// p x (slots * width): neuron j uses frequency freqs[j % size] with its own amplitude and phase in every slot, plus
// Gaussian noise of standard deviation `noise`.
Eigen::MatrixXd one_frequency_per_neuron(int p, int width, int slots, const std::vector<int>& freqs, double noise,
                                         unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 2 * kPi);
  Eigen::MatrixXd a(p, slots * width);
  for (int s = 0; s < slots; ++s)
    for (int j = 0; j < width; ++j) {
      const int k = freqs[static_cast<size_t>(j) % freqs.size()];
      const double phase = u(rng), amp = 1.0 + 0.5 * std::abs(g(rng));
      for (int x = 0; x < p; ++x) a(x, s * width + j) = amp * std::cos(2 * kPi * k * x / p + phase) + noise * g(rng);
    }
  return a;
}

Eigen::MatrixXd gaussian(int rows, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  Eigen::MatrixXd a(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) a(i, j) = g(rng);
  return a;
}

std::vector<double> to_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace

TEST(NeuronFourier, OneFrequencyPerNeuronIsFoundNeuronByNeuron) {
  const int p = 31, width = 40;
  const std::vector<int> freqs = {3, 7, 11};
  const Eigen::MatrixXd a = one_frequency_per_neuron(p, width, 2, freqs, 0.01);
  const auto n = gm::neuron_fourier(a, 2);
  ASSERT_EQ(n.dominant.size(), static_cast<size_t>(width));
  for (int j = 0; j < width; ++j) {
    EXPECT_EQ(n.dominant[static_cast<size_t>(j)], freqs[static_cast<size_t>(j) % 3]) << j;
    EXPECT_GT(n.top_share[static_cast<size_t>(j)], 0.99) << j;
    EXPECT_GT(n.ipr[static_cast<size_t>(j)], 0.98) << j;
  }
  const auto s = gm::summarize_neurons(n);
  EXPECT_EQ(s.keys, freqs);
  EXPECT_DOUBLE_EQ(s.concentrated_frac, 1.0);
  EXPECT_GT(s.ipr_mean, 0.98);
  // ... while the spectrum summed over the neurons is flat across those three frequencies: the aggregate Gini is
  // high (few frequencies) but the aggregate rule would call all three keys too; with many frequencies in use the
  // aggregate becomes flat, which is why the keys come from the neurons.
  const auto spread = gm::neuron_fourier(one_frequency_per_neuron(p, 60, 2, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                                                           13, 14, 15}, 0.01), 2);
  EXPECT_EQ(gm::summarize_neurons(spread).keys.size(), 15u);
  EXPECT_LT(gm::gini(gm::frequency_norms(one_frequency_per_neuron(p, 60, 2, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                                                         13, 14, 15}, 0.01)).norms), 0.1);
}

TEST(NeuronFourier, GaussianWeightsHaveNoStructure) {
  const int p = 97;
  const auto n = gm::neuron_fourier(gaussian(p, 2 * 256, 7), 2);
  const auto s = gm::summarize_neurons(n);
  EXPECT_TRUE(s.keys.empty());
  EXPECT_EQ(s.concentrated_frac, 0.0);
  // The IPR of a random spectrum over K = 48 frequencies is about (1 + 2/4)/K = 0.031: each e_jk is a chi^2 with 4
  // degrees of freedom (cos and sin in two slots), so E[e^2] / E[e]^2 = 1.5.
  EXPECT_GT(s.ipr_mean, 1.0 / 48);
  EXPECT_LT(s.ipr_mean, 0.06);
  for (double x : n.ipr) {
    EXPECT_GE(x, 1.0 / 48 - 1e-12);
    EXPECT_LE(x, 1.0);
  }
}

TEST(NeuronFourier, NeuronEnergiesSumToTheLayersSpectrum) {
  const Eigen::MatrixXd a = gaussian(31, 2 * 20, 9);
  const Eigen::VectorXd direct = gm::frequency_norms(a).norms;
  const Eigen::VectorXd summed = gm::neuron_fourier(a, 2).norms;
  ASSERT_EQ(summed.size(), direct.size());
  for (Eigen::Index k = 0; k < direct.size(); ++k) EXPECT_NEAR(summed(k), direct(k), 1e-12 * direct(k)) << k;
}

TEST(NeuronFourier, ZeroNeuronsAreLeftOutAndBadArgumentsThrow) {
  Eigen::MatrixXd a = one_frequency_per_neuron(13, 4, 1, {2}, 0.0);
  a.col(1).setConstant(3.0);   // only the constant: no non-constant energy
  const auto n = gm::neuron_fourier(a, 1);
  EXPECT_EQ(n.dominant[1], 0);
  EXPECT_TRUE(std::isnan(n.ipr[1]));
  const auto s = gm::summarize_neurons(n);
  EXPECT_DOUBLE_EQ(s.concentrated_frac, 1.0);   // the 3 live neurons
  EXPECT_EQ(s.keys, std::vector<int>{2});
  EXPECT_TRUE(std::isnan(gm::summarize_neurons(gm::neuron_fourier(Eigen::MatrixXd::Zero(13, 4), 2)).ipr_mean));
  EXPECT_THROW(gm::neuron_fourier(Eigen::MatrixXd::Zero(13, 5), 2), std::invalid_argument);
  EXPECT_THROW(gm::summarize_neurons(n, 0.0), std::invalid_argument);
}

TEST(KeyFrequenciesByGap, AFewFrequenciesAreFoundAndNoiseGivesNone) {
  const int p = 97, d = 128;
  std::mt19937 rng(3);
  std::normal_distribution<double> g(0.0, 1.0);
  Eigen::MatrixXd e = 0.01 * gaussian(p, d, 5);
  for (int k : {4, 17, 30})
    for (int j = 0; j < d; ++j) {
      const double c = g(rng), s = g(rng);
      for (int x = 0; x < p; ++x) e(x, j) += c * std::cos(2 * kPi * k * x / p) + s * std::sin(2 * kPi * k * x / p);
    }
  EXPECT_EQ(gm::key_frequencies_by_gap(to_vector(gm::frequency_norms(e).norms)), (std::vector<int>{4, 17, 30}));
  for (unsigned seed : {11u, 12u, 13u, 14u, 15u})
    EXPECT_TRUE(gm::key_frequencies_by_gap(to_vector(gm::frequency_norms(gaussian(p, d, seed)).norms)).empty())
        << seed;
  // The old aggregate rule (norm >= max / 4) calls every frequency of a random matrix a key.
  EXPECT_EQ(gm::key_frequencies(gm::frequency_norms(gaussian(p, d, 11)).norms).size(), 48u);
}

TEST(KeyFrequenciesByGap, EdgeCases) {
  EXPECT_TRUE(gm::key_frequencies_by_gap({}).empty());
  EXPECT_TRUE(gm::key_frequencies_by_gap({0.0, 0.0, 0.0}).empty());
  EXPECT_EQ(gm::key_frequencies_by_gap({0.0, 5.0, 0.0}), std::vector<int>{2});   // a zero below a positive norm
  EXPECT_TRUE(gm::key_frequencies_by_gap({1.0, 1.5, 1.2}).empty());
  EXPECT_EQ(gm::key_frequencies_by_gap({1.0, 3.0, 1.2}, 2.0), std::vector<int>{2});
  EXPECT_THROW(gm::key_frequencies_by_gap({1.0, 2.0}, 1.0), std::invalid_argument);
  EXPECT_THROW(gm::key_frequencies_by_gap({1.0, -2.0}), std::invalid_argument);
}
