// Matrix-factorization model: finite-difference gradient check in float64 (noisy init, repeated and diagonal cells)
// against the linear functional sum_i d_out_i f_i on both execution paths (row by row, dense), the two paths agree,
// outputs equal the end-to-end matrix W = U U^T - V V^T, and the zero-output identity init (Lyu's Assumption 3.2).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/core/rng.h"
#include "grokscope/nn/matrix_factorization.h"

namespace grokscope {
namespace {

constexpr int kDim = 5;

// Cells (i, j) with a diagonal cell, a repeated cell and a transposed pair, so the scatter-add accumulates.
std::vector<int32_t> cells() { return {0, 1, 2, 2, 0, 1, 4, 3, 3, 4, 1, 0, 2, 3}; }

double functional(const MatrixFactorization<double>& mf, const std::vector<double>& params,
                  const InputBatch<double>& x, const std::vector<double>& d_out, Workspace& ws) {
  const double* out = mf.forward(params.data(), x, ws);
  double s = 0.0;
  for (int64_t i = 0; i < x.n; ++i) s += d_out[static_cast<size_t>(i)] * out[i];
  return s;
}

class MatrixFactorizationGradient : public ::testing::TestWithParam<int> {};

TEST_P(MatrixFactorizationGradient, MatchesCentralDifferencesWithNoisyInit) {
  ModelConfig mc;
  mc.kind = ModelKind::matrix_factorization;
  mc.init_scale = 1.3;
  mc.init_noise = 0.4;
  MatrixFactorization<double> mf(mc, kDim);
  mf.set_dense(GetParam());
  ASSERT_EQ(mf.uses_dense(7), GetParam() == 1);
  ASSERT_EQ(mf.layout().total_size(), 2 * kDim * kDim);
  std::vector<double> params(static_cast<size_t>(mf.layout().total_size()));
  Rng rng(8);
  mf.init_params(params.data(), rng);
  const std::vector<int32_t> tok = cells();
  const int64_t n = static_cast<int64_t>(tok.size()) / 2;
  std::vector<double> d_out;
  for (int64_t i = 0; i < n; ++i) d_out.push_back(rng.normal());
  const InputBatch<double> x{.n = n, .dim = kDim, .tokens_per_row = 2, .tokens = tok.data()};
  auto ws = mf.make_workspace(n);

  mf.forward(params.data(), x, *ws);
  std::vector<double> d_copy = d_out;
  std::vector<double> grad(params.size(), std::nan(""));
  mf.backward(params.data(), x, d_copy.data(), grad.data(), *ws);

  const double h = 1e-6;
  double max_err = 0.0;
  for (size_t k = 0; k < params.size(); ++k) {
    std::vector<double> p = params;
    p[k] = params[k] + h;
    const double up = functional(mf, p, x, d_out, *ws);
    p[k] = params[k] - h;
    const double down = functional(mf, p, x, d_out, *ws);
    const double fd = (up - down) / (2 * h);
    ASSERT_TRUE(std::isfinite(grad[k])) << "parameter " << k;
    max_err = std::max(max_err, std::abs(fd - grad[k]) / std::max(1.0, std::abs(fd)));
  }
  EXPECT_LT(max_err, 1e-8);
}

std::string path_name(const ::testing::TestParamInfo<int>& p) { return p.param == 1 ? "dense" : "rows"; }

INSTANTIATE_TEST_SUITE_P(Paths, MatrixFactorizationGradient, ::testing::Values(0, 1), path_name);

// The dense path (two GEMMs forward; a symmetric scatter S and dU = S U, dV = -S V backward) computes the same
// outputs and gradient as the row-by-row path, up to summation order: 40% of a 13 x 13 matrix's cells drawn with
// repeats and diagonal cells. The automatic choice is dense from 1/6 of the cells.
TEST(MatrixFactorization, DenseAndRowPathsAgree) {
  constexpr int d = 13;
  ModelConfig mc;
  mc.init_scale = 0.9;
  mc.init_noise = 0.5;
  MatrixFactorization<double> mf(mc, d);
  EXPECT_FALSE(mf.uses_dense(d * d / 6 - 1));
  EXPECT_TRUE(mf.uses_dense((d * d + 5) / 6));
  std::vector<double> params(static_cast<size_t>(mf.layout().total_size()));
  Rng rng(21);
  mf.init_params(params.data(), rng);
  std::vector<int32_t> tok;
  std::vector<double> d_out;
  for (int r = 0; r < 68; ++r) {
    tok.push_back(static_cast<int32_t>(rng.uniform(0.0, d)));
    tok.push_back(r % 9 == 0 ? tok.back() : static_cast<int32_t>(rng.uniform(0.0, d)));
    d_out.push_back(rng.normal());
  }
  const int64_t n = static_cast<int64_t>(d_out.size());
  const InputBatch<double> x{.n = n, .dim = d, .tokens_per_row = 2, .tokens = tok.data()};
  std::vector<std::vector<double>> outs, grads;
  for (int mode : {0, 1}) {
    mf.set_dense(mode);
    auto ws = mf.make_workspace(n);
    const double* out = mf.forward(params.data(), x, *ws);
    outs.emplace_back(out, out + n);
    std::vector<double> g(params.size(), std::nan("")), dd = d_out;
    mf.backward(params.data(), x, dd.data(), g.data(), *ws);
    grads.push_back(g);
  }
  for (int64_t r = 0; r < n; ++r) EXPECT_NEAR(outs[0][static_cast<size_t>(r)], outs[1][static_cast<size_t>(r)], 1e-12);
  for (size_t k = 0; k < params.size(); ++k) EXPECT_NEAR(grads[0][k], grads[1][k], 1e-12) << k;
}

TEST(MatrixFactorization, OutputsAreEntriesOfEndToEndMatrix) {
  ModelConfig mc;
  mc.init_scale = 0.7;
  mc.init_noise = 0.3;
  const MatrixFactorization<double> mf(mc, kDim);
  std::vector<double> params(static_cast<size_t>(mf.layout().total_size()));
  Rng rng(3);
  mf.init_params(params.data(), rng);
  std::vector<double> W(kDim * kDim);
  mf.end_to_end(params.data(), W.data());
  // Naive U U^T - V V^T.
  const double* U = params.data();
  const double* V = params.data() + kDim * kDim;
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) {
      double s = 0.0;
      for (int k = 0; k < kDim; ++k) s += U[i * kDim + k] * U[j * kDim + k] - V[i * kDim + k] * V[j * kDim + k];
      EXPECT_NEAR(W[static_cast<size_t>(i * kDim + j)], s, 1e-12);
    }
  std::vector<int32_t> tok;
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) tok.insert(tok.end(), {i, j});
  const int64_t n = kDim * kDim;
  auto ws = mf.make_workspace(n);
  const double* out =
      mf.forward(params.data(), InputBatch<double>{.n = n, .dim = kDim, .tokens_per_row = 2, .tokens = tok.data()}, *ws);
  for (int64_t c = 0; c < n; ++c) EXPECT_NEAR(out[c], W[static_cast<size_t>(c)], 1e-12);
}

TEST(MatrixFactorization, IdentityInitWithoutNoiseGivesZeroOutputs) {
  ModelConfig mc;
  mc.init_scale = 10.0;  // LY-6: U = V = alpha I
  mc.init_noise = 0.0;
  const int d = 11;
  const MatrixFactorization<float> mf(mc, d);
  std::vector<float> params(static_cast<size_t>(mf.layout().total_size()));
  Rng rng(1);
  mf.init_params(params.data(), rng);
  for (int i = 0; i < d; ++i)
    for (int k = 0; k < d; ++k) {
      EXPECT_EQ(params[static_cast<size_t>(i * d + k)], i == k ? 10.0f : 0.0f);
      EXPECT_EQ(params[static_cast<size_t>(d * d + i * d + k)], i == k ? 10.0f : 0.0f);
    }
  std::vector<int32_t> tok;
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) tok.insert(tok.end(), {i, j});
  auto ws = mf.make_workspace(d * d);
  const float* out =
      mf.forward(params.data(), InputBatch<float>{.n = d * d, .dim = d, .tokens_per_row = 2, .tokens = tok.data()}, *ws);
  for (int c = 0; c < d * d; ++c) EXPECT_EQ(out[c], 0.0f);
  std::vector<float> W(static_cast<size_t>(d * d), 1.0f);
  mf.end_to_end(params.data(), W.data());
  for (float v : W) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(mf.homogeneity(), 2);
  EXPECT_EQ(mf.layout().find("U")->group, "factors");
}

TEST(MatrixFactorization, NoiseHasTheConfiguredSpread) {
  ModelConfig mc;
  mc.init_scale = 2.0;
  mc.init_noise = 0.05;
  const int d = 60;
  const MatrixFactorization<double> mf(mc, d);
  std::vector<double> params(static_cast<size_t>(mf.layout().total_size()));
  Rng rng(6);
  mf.init_params(params.data(), rng);
  double s2 = 0.0;
  for (int i = 0; i < 2 * d; ++i)
    for (int k = 0; k < d; ++k) {
      const double v = params[static_cast<size_t>(i * d + k)] - ((i % d) == k ? 2.0 : 0.0);
      s2 += v * v;
    }
  EXPECT_NEAR(std::sqrt(s2 / (2.0 * d * d)), 0.05, 0.003);
}

}  // namespace
}  // namespace grokscope
