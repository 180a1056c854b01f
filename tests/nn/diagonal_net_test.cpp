// Diagonal linear net: finite-difference gradient checks in float64 (depth 1 to 3) against the linear functional
// sum_i d_out_i f_i, the symmetric initialization (||theta_0|| = alpha, f = 0), explicit init values, and
// float/double agreement of the forward pass.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/core/rng.h"
#include "grokscope/nn/diagonal_net.h"

namespace grokscope {
namespace {

struct DenseProblem {
  int64_t n = 5;
  int d = 7;
  std::vector<double> x;      // (n x d)
  std::vector<double> d_out;  // (n) coefficients of the linear functional of the outputs
};

DenseProblem make_problem(uint64_t seed) {
  DenseProblem pr;
  Rng rng(seed);
  for (int64_t k = 0; k < pr.n * pr.d; ++k) pr.x.push_back(rng.normal());
  for (int64_t i = 0; i < pr.n; ++i) pr.d_out.push_back(rng.normal());
  return pr;
}

double functional(const DiagonalNet<double>& net, const std::vector<double>& params, const InputBatch<double>& x,
                  const std::vector<double>& d_out, Workspace& ws) {
  const double* out = net.forward(params.data(), x, ws);
  double s = 0.0;
  for (int64_t i = 0; i < x.n; ++i) s += d_out[static_cast<size_t>(i)] * out[i];
  return s;
}

class DiagonalGradient : public ::testing::TestWithParam<int> {};

TEST_P(DiagonalGradient, MatchesCentralDifferences) {
  ModelConfig mc;
  mc.kind = ModelKind::diagonal;
  mc.depth = GetParam();
  const DenseProblem pr = make_problem(17);
  const DiagonalNet<double> net(mc, pr.d);
  ASSERT_EQ(net.layout().total_size(), 2 * pr.d);
  std::vector<double> params(static_cast<size_t>(net.layout().total_size()));
  Rng rng(4);
  for (auto& v : params) v = rng.uniform(-1.5, 1.5);  // u != v, both signs: every power term matters
  const InputBatch<double> x{.n = pr.n, .dim = pr.d, .dense = pr.x.data()};
  auto ws = net.make_workspace(pr.n);

  net.forward(params.data(), x, *ws);
  std::vector<double> d_out = pr.d_out;  // backward may overwrite it
  std::vector<double> grad(params.size(), std::nan(""));
  net.backward(params.data(), x, d_out.data(), grad.data(), *ws);

  const double h = 1e-6;
  double max_err = 0.0;
  for (size_t k = 0; k < params.size(); ++k) {
    std::vector<double> p = params;
    p[k] = params[k] + h;
    const double up = functional(net, p, x, pr.d_out, *ws);
    p[k] = params[k] - h;
    const double down = functional(net, p, x, pr.d_out, *ws);
    const double fd = (up - down) / (2 * h);
    ASSERT_TRUE(std::isfinite(grad[k])) << "parameter " << k;
    max_err = std::max(max_err, std::abs(fd - grad[k]) / std::max(1.0, std::abs(fd)));
  }
  EXPECT_LT(max_err, 1e-8);
}

std::string depth_name(const ::testing::TestParamInfo<int>& param_info) {
  return "depth" + std::to_string(param_info.param);
}

INSTANTIATE_TEST_SUITE_P(Depths, DiagonalGradient, ::testing::Values(1, 2, 3), depth_name);

TEST(DiagonalNet, ForwardIsInnerProductWithEffectiveWeight) {
  ModelConfig mc;
  mc.depth = 3;
  const DenseProblem pr = make_problem(2);
  const DiagonalNet<double> net(mc, pr.d);
  std::vector<double> params(static_cast<size_t>(2 * pr.d));
  Rng rng(9);
  for (auto& v : params) v = rng.normal();
  std::vector<double> w(static_cast<size_t>(pr.d));
  net.effective_weight(params.data(), w.data());
  for (int k = 0; k < pr.d; ++k)
    EXPECT_NEAR(w[static_cast<size_t>(k)],
                std::pow(params[static_cast<size_t>(k)], 3) - std::pow(params[static_cast<size_t>(pr.d + k)], 3),
                1e-12);
  auto ws = net.make_workspace(pr.n);
  const double* out = net.forward(params.data(), InputBatch<double>{.n = pr.n, .dim = pr.d, .dense = pr.x.data()}, *ws);
  for (int64_t i = 0; i < pr.n; ++i) {
    double s = 0.0;
    for (int k = 0; k < pr.d; ++k) s += pr.x[static_cast<size_t>(i * pr.d + k)] * w[static_cast<size_t>(k)];
    EXPECT_NEAR(out[i], s, 1e-12);
  }
}

TEST(DiagonalNet, InitHasNormAlphaAndZeroOutput) {
  ModelConfig mc;
  mc.init_scale = 128.0;
  mc.depth = 2;
  const int d = 1000;
  const DiagonalNet<double> net(mc, d);
  std::vector<double> params(static_cast<size_t>(2 * d));
  Rng rng(1);
  net.init_params(params.data(), rng);
  double norm2 = 0.0;
  for (double v : params) {
    EXPECT_DOUBLE_EQ(v, 128.0 / std::sqrt(2.0 * d));
    norm2 += v * v;
  }
  EXPECT_NEAR(std::sqrt(norm2), 128.0, 1e-9);
  std::vector<double> x(static_cast<size_t>(3 * d), 1.0);
  auto ws = net.make_workspace(3);
  const double* out = net.forward(params.data(), InputBatch<double>{.n = 3, .dim = d, .dense = x.data()}, *ws);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[i], 0.0);
  EXPECT_EQ(net.homogeneity(), 2);
  EXPECT_EQ(net.output_dim(), 1);
  EXPECT_EQ(net.layout().find("u")->group, "diagonal");
  EXPECT_EQ(net.layout().find("v")->offset, d);
}

TEST(DiagonalNet, InitValuesOverrideAndAreChecked) {
  ModelConfig mc;
  mc.init_values = {1, 2, 3, 4};
  const DiagonalNet<float> net(mc, 2);
  std::vector<float> params(4);
  Rng rng(1);
  net.init_params(params.data(), rng);
  EXPECT_EQ(params, (std::vector<float>{1, 2, 3, 4}));
  mc.init_values = {1, 2, 3};
  EXPECT_THROW(DiagonalNet<float>(mc, 2).init_params(params.data(), rng), ConfigError);
  mc.depth = 0;
  EXPECT_THROW(DiagonalNet<float>(mc, 2), ConfigError);
}

TEST(DiagonalNet, FloatForwardAndBackwardMatchDoubleOnWideInput) {
  ModelConfig mc;
  mc.depth = 2;
  const int d = 3000;
  const int64_t n = 9;
  Rng rng(21);
  std::vector<double> xd(static_cast<size_t>(n * d)), pd(static_cast<size_t>(2 * d)), dod(static_cast<size_t>(n));
  for (auto& v : xd) v = rng.uniform() < 0.5 ? -1.0 : 1.0;
  for (auto& v : pd) v = rng.uniform(0.0, 0.1);
  for (auto& v : dod) v = rng.normal();
  const std::vector<float> xf(xd.begin(), xd.end()), pf(pd.begin(), pd.end());
  std::vector<float> dof(dod.begin(), dod.end());
  const DiagonalNet<double> nd(mc, d);
  const DiagonalNet<float> nf(mc, d);
  auto wsd = nd.make_workspace(n);
  auto wsf = nf.make_workspace(n);
  const double* od = nd.forward(pd.data(), InputBatch<double>{.n = n, .dim = d, .dense = xd.data()}, *wsd);
  const float* of = nf.forward(pf.data(), InputBatch<float>{.n = n, .dim = d, .dense = xf.data()}, *wsf);
  for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(of[i], od[i], 1e-4 * (1 + std::abs(od[i])));
  std::vector<double> gd(pd.size());
  std::vector<float> gf(pf.size());
  nd.backward(pd.data(), InputBatch<double>{.n = n, .dim = d, .dense = xd.data()}, dod.data(), gd.data(), *wsd);
  nf.backward(pf.data(), InputBatch<float>{.n = n, .dim = d, .dense = xf.data()}, dof.data(), gf.data(), *wsf);
  for (size_t k = 0; k < gd.size(); ++k) EXPECT_NEAR(gf[k], gd[k], 1e-4 * (1 + std::abs(gd[k])));
}

}  // namespace
}  // namespace grokscope
