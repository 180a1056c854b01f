// Hand-computed Adam (coupled L2) and AdamW (decoupled) steps in double on tiny vectors with two ranges that have
// different lr / weight decay. The reference is the textbook form lr * m_hat / (sqrt(v_hat) + eps), written here
// independently of src/optim/adam.cpp (which follows PyTorch's operation order); the two agree to rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grokscope/optim/adam.h"

namespace grokscope {
namespace {

// Buffer of 6: range A = [0, 3) lr 0.01 wd 0.1, range B = [3, 5) lr 0.003 wd 0.5; element 5 is in no range.
const std::vector<ParamRange> kRanges = {{.offset = 0, .size = 3, .lr = 0.01, .weight_decay = 0.1},
                                         {.offset = 3, .size = 2, .lr = 0.003, .weight_decay = 0.5}};
const std::vector<double> kInit = {0.5, -1.25, 2.0, 0.75, -0.3, 9.0};
const std::vector<std::vector<double>> kGrads = {{0.2, -0.4, 1.5, -0.6, 0.0, 7.0},
                                                 {-0.1, 0.3, 0.25, 0.5, 0.0, 7.0},
                                                 {0.05, 0.0, -1.0, 0.125, 0.4, 7.0}};

double lr_of(int i) { return i < 3 ? 0.01 : 0.003; }
double wd_of(int i) { return i < 3 ? 0.1 : 0.5; }

std::vector<double> reference(int i, const AdamOptions& o, const std::vector<double>& mults) {
  std::vector<double> out;
  double theta = kInit[i], m = 0, v = 0;
  for (size_t s = 0; s < mults.size(); ++s) {
    const double t = static_cast<double>(s + 1);
    const double lr = lr_of(i) * mults[s];
    double g = kGrads[s][i];
    if (o.decoupled) theta -= lr * wd_of(i) * theta;
    else g += wd_of(i) * theta;
    m = o.beta1 * m + (1 - o.beta1) * g;
    v = o.beta2 * v + (1 - o.beta2) * g * g;
    const double m_hat = m / (1 - std::pow(o.beta1, t));
    const double v_hat = v / (1 - std::pow(o.beta2, t));
    theta -= lr * m_hat / (std::sqrt(v_hat) + o.eps);
    out.push_back(theta);
  }
  return out;
}

void check_against_reference(const AdamOptions& o, const std::vector<double>& mults) {
  Adam<double> opt(kRanges, 6, o);
  std::vector<double> params = kInit;
  std::vector<std::vector<double>> expected(5);
  for (int i = 0; i < 5; ++i) expected[i] = reference(i, o, mults);
  for (size_t s = 0; s < mults.size(); ++s) {
    opt.step(params.data(), kGrads[s].data(), mults[s]);
    EXPECT_EQ(opt.steps_taken(), static_cast<int64_t>(s + 1));
    for (int i = 0; i < 5; ++i)
      EXPECT_NEAR(params[i], expected[i][s], 1e-14 * std::max(1.0, std::abs(expected[i][s])))
          << "step " << s << " element " << i;
    EXPECT_EQ(params[5], 9.0) << "element outside every range must not move";
    EXPECT_EQ(opt.exp_avg()[5], 0.0);
    EXPECT_EQ(opt.exp_avg_sq()[5], 0.0);
  }
}

TEST(AdamTest, FirstStepByHand) {
  // t = 1: m_hat = g, v_hat = g^2, so theta1 = theta0 - lr * g / (|g| + eps) with g = grad + wd * theta0.
  Adam<double> opt(kRanges, 6, {.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .decoupled = false});
  std::vector<double> p = kInit;
  opt.step(p.data(), kGrads[0].data(), 1.0);
  const double g0 = 0.2 + 0.1 * 0.5;  // 0.25
  EXPECT_NEAR(p[0], 0.5 - 0.01 * g0 / (g0 + 1e-8), 1e-16);
  EXPECT_NEAR(p[0], 0.49, 1e-9);
  const double g4 = 0.0 + 0.5 * -0.3;  // a zero gradient still decays through L2
  EXPECT_NEAR(p[4], -0.3 + 0.003 * 0.15 / (0.15 + 1e-8), 1e-16);
  EXPECT_NEAR(opt.exp_avg()[4], 0.1 * g4, 1e-17);
  EXPECT_NEAR(opt.exp_avg_sq()[4], 0.001 * g4 * g4, 1e-19);
}

TEST(AdamTest, CoupledL2ThreeSteps) { check_against_reference({.beta1 = 0.9, .beta2 = 0.999}, {1.0, 1.0, 1.0}); }

TEST(AdamTest, OtherBetasAndEps) {
  check_against_reference({.beta1 = 0.5, .beta2 = 0.9, .eps = 1e-3, .decoupled = false}, {1.0, 1.0, 1.0});
}

TEST(AdamWTest, FirstStepByHand) {
  Adam<double> opt(kRanges, 6, {.beta1 = 0.9, .beta2 = 0.98, .eps = 1e-8, .decoupled = true});
  std::vector<double> p = kInit;
  opt.step(p.data(), kGrads[0].data(), 1.0);
  // theta0 * (1 - lr*wd) - lr * g / (|g| + eps), with the raw gradient
  EXPECT_NEAR(p[0], 0.5 * (1 - 0.01 * 0.1) - 0.01 * 0.2 / (0.2 + 1e-8), 1e-16);
  EXPECT_NEAR(p[0], 0.4895, 1e-9);
  // zero gradient: only the decay acts (m = v = 0, update 0 / eps = 0)
  EXPECT_EQ(p[4], -0.3 * (1 - 0.003 * 0.5));
  EXPECT_EQ(opt.exp_avg()[4], 0.0);
}

TEST(AdamWTest, DecoupledThreeSteps) {
  check_against_reference({.beta1 = 0.9, .beta2 = 0.98, .decoupled = true}, {1.0, 1.0, 1.0});
}

TEST(AdamWTest, WarmupMultipliers) {
  check_against_reference({.beta1 = 0.9, .beta2 = 0.98, .decoupled = true}, {0.0, 0.5, 1.0});
}

TEST(AdamTest, ZeroMultiplierStepStillUpdatesMomentsAndStepCount) {
  for (bool decoupled : {false, true}) {
    SCOPED_TRACE(decoupled ? "AdamW" : "Adam");
    const AdamOptions o{.beta1 = 0.9, .beta2 = 0.98, .eps = 1e-8, .decoupled = decoupled};
    Adam<double> opt(kRanges, 6, o);
    std::vector<double> p = kInit;
    opt.step(p.data(), kGrads[0].data(), 0.0);
    EXPECT_EQ(opt.steps_taken(), 1);
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(p[i], kInit[i]) << i;  // lr 0: no decay, no update
      const double g = kGrads[0][i] + (decoupled ? 0.0 : wd_of(i) * kInit[i]);
      EXPECT_NEAR(opt.exp_avg()[i], 0.1 * g, 1e-16) << i;
      EXPECT_NEAR(opt.exp_avg_sq()[i], 0.02 * g * g, 1e-15) << i;
    }
    // The next step sees t = 2 and the moments of both gradients.
    check_against_reference(o, {0.0, 1.0, 1.0});
  }
}

TEST(AdamTest, FloatUsesDoubleDifferencesCastOnce) {
  // T(1 - beta1) is the float rounding of the double 1 - 0.9, not 1.0f - 0.9f (they differ).
  ASSERT_NE(static_cast<float>(1.0 - 0.9), 1.0f - 0.9f);
  Adam<float> opt({{.offset = 0, .size = 1, .lr = 0.01, .weight_decay = 0.0}}, 1, {.beta1 = 0.9, .beta2 = 0.999});
  float p = 1.0f;
  const float g = 0.3f;
  opt.step(&p, &g, 1.0);
  EXPECT_EQ(opt.exp_avg()[0], 0.0f * 0.9f + static_cast<float>(1.0 - 0.9) * g);
  EXPECT_EQ(opt.exp_avg_sq()[0], 0.0f * 0.999f + static_cast<float>(1.0 - 0.999) * g * g);
}

}  // namespace
}  // namespace grokscope
