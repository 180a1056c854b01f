// Hand-computed SGD steps (torch.optim.SGD semantics, dampening 0) in double on tiny vectors with two ranges that
// have different lr / weight decay. Expected values come from plain scalar arithmetic written here independently of
// src/optim/sgd.cpp, plus a few literal numbers worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grokscope/optim/sgd.h"

namespace grokscope {
namespace {

// Buffer of 6: range A = [0, 3) lr 0.1 wd 0.01, range B = [3, 5) lr 0.05 wd 0.2; element 5 is in no range.
const std::vector<ParamRange> kRanges = {{.offset = 0, .size = 3, .lr = 0.1, .weight_decay = 0.01},
                                         {.offset = 3, .size = 2, .lr = 0.05, .weight_decay = 0.2}};
const std::vector<double> kInit = {0.5, -1.25, 2.0, 0.75, -0.3, 9.0};
const std::vector<std::vector<double>> kGrads = {{0.2, -0.4, 1.5, -0.6, 0.1, 7.0},
                                                 {-0.1, 0.3, 0.25, 0.5, -0.2, 7.0},
                                                 {0.05, 0.0, -1.0, 0.125, 0.4, 7.0}};

double lr_of(int i) { return i < 3 ? 0.1 : 0.05; }
double wd_of(int i) { return i < 3 ? 0.01 : 0.2; }

// Reference trajectory of one element: textbook SGD with heavy-ball / Nesterov momentum.
std::vector<double> reference(int i, double momentum, bool nesterov, const std::vector<double>& mults) {
  std::vector<double> out;
  double theta = kInit[i];
  double velocity = 0;
  for (size_t s = 0; s < mults.size(); ++s) {
    const double d = kGrads[s][i] + wd_of(i) * theta;
    velocity = s == 0 ? d : momentum * velocity + d;
    double direction = d;
    if (momentum != 0) direction = nesterov ? d + momentum * velocity : velocity;
    theta -= lr_of(i) * mults[s] * direction;
    out.push_back(theta);
  }
  return out;
}

void check_against_reference(double momentum, bool nesterov, const std::vector<double>& mults) {
  Sgd<double> opt(kRanges, 6, momentum, nesterov);
  std::vector<double> params = kInit;
  std::vector<std::vector<double>> expected(6);
  for (int i = 0; i < 5; ++i) expected[i] = reference(i, momentum, nesterov, mults);
  for (size_t s = 0; s < mults.size(); ++s) {
    opt.step(params.data(), kGrads[s].data(), mults[s]);
    EXPECT_EQ(opt.steps_taken(), static_cast<int64_t>(s + 1));
    for (int i = 0; i < 5; ++i)
      EXPECT_NEAR(params[i], expected[i][s], 1e-14 * std::max(1.0, std::abs(expected[i][s])))
          << "step " << s << " element " << i;
    EXPECT_EQ(params[5], 9.0) << "element outside every range must not move";
  }
}

TEST(SgdTest, PlainFirstStepByHand) {
  Sgd<double> opt(kRanges, 6);
  std::vector<double> p = kInit;
  opt.step(p.data(), kGrads[0].data(), 1.0);
  // theta - lr * (g + wd * theta)
  EXPECT_DOUBLE_EQ(p[0], 0.5 - 0.1 * (0.2 + 0.01 * 0.5));      // 0.4795
  EXPECT_DOUBLE_EQ(p[0], 0.4795);
  EXPECT_DOUBLE_EQ(p[2], 2.0 - 0.1 * (1.5 + 0.02));             // 1.848
  EXPECT_DOUBLE_EQ(p[2], 1.848);
  EXPECT_DOUBLE_EQ(p[3], 0.75 - 0.05 * (-0.6 + 0.2 * 0.75));    // 0.7725
  EXPECT_DOUBLE_EQ(p[3], 0.7725);
  EXPECT_DOUBLE_EQ(p[4], -0.3 - 0.05 * (0.1 - 0.06));           // -0.302
  EXPECT_DOUBLE_EQ(p[4], -0.302);
  EXPECT_EQ(p[5], 9.0);
  EXPECT_TRUE(opt.momentum_buffer().empty());
}

TEST(SgdTest, PlainThreeSteps) { check_against_reference(0.0, false, {1.0, 1.0, 1.0}); }

TEST(SgdTest, MomentumThreeSteps) { check_against_reference(0.9, false, {1.0, 1.0, 1.0}); }

TEST(SgdTest, NesterovThreeSteps) { check_against_reference(0.9, true, {1.0, 1.0, 1.0}); }

TEST(SgdTest, LrMultiplierScalesEachRange) { check_against_reference(0.9, true, {0.0, 0.5, 1.0}); }

TEST(SgdTest, MomentumBufferIsGradientAtFirstStepAndThenAccumulates) {
  Sgd<double> opt(kRanges, 6, 0.9);
  std::vector<double> p = kInit;
  opt.step(p.data(), kGrads[0].data(), 0.0);  // a zero-lr first step still fills the buffer with g + wd*theta
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(p[i], kInit[i]);
    EXPECT_DOUBLE_EQ(opt.momentum_buffer()[i], kGrads[0][i] + wd_of(i) * kInit[i]);
  }
  opt.step(p.data(), kGrads[1].data(), 1.0);
  // element 0 by hand: buf1 = 0.2 + 0.005 = 0.205; buf2 = 0.9 * 0.205 + (-0.1 + 0.01 * 0.5) = 0.0895
  EXPECT_DOUBLE_EQ(opt.momentum_buffer()[0], 0.0895);
  EXPECT_DOUBLE_EQ(p[0], 0.5 - 0.1 * 0.0895);
}

TEST(SgdTest, NesterovSecondStepByHand) {
  Sgd<double> opt(kRanges, 6, 0.5, true);
  std::vector<double> p = kInit;
  opt.step(p.data(), kGrads[0].data(), 1.0);
  // element 3 (range B): d1 = -0.6 + 0.2*0.75 = -0.45; buf1 = d1; step = d1 + 0.5*buf1 = -0.675
  EXPECT_DOUBLE_EQ(p[3], 0.75 - 0.05 * -0.675);  // 0.78375
  opt.step(p.data(), kGrads[1].data(), 1.0);
  // d2 = 0.5 + 0.2*0.78375 = 0.65675; buf2 = 0.5*(-0.45) + 0.65675 = 0.43175; step = 0.65675 + 0.5*0.43175
  EXPECT_NEAR(p[3], 0.78375 - 0.05 * (0.65675 + 0.5 * 0.43175), 1e-15);
}

TEST(SgdTest, ZeroWeightDecayLeavesGradientUntouched) {
  Sgd<double> opt({{.offset = 0, .size = 2, .lr = 1.0, .weight_decay = 0.0}}, 2);
  std::vector<double> p = {3.0, -2.0};
  const std::vector<double> g = {0.25, 0.5};
  opt.step(p.data(), g.data(), 1.0);
  EXPECT_EQ(p[0], 2.75);
  EXPECT_EQ(p[1], -2.5);
}

TEST(SgdTest, FloatUsesFloatCastScalars) {
  // T(-lr) and T(wd) are the float roundings of the double values, as PyTorch casts Python scalars.
  Sgd<float> opt({{.offset = 0, .size = 1, .lr = 0.1, .weight_decay = 0.01}}, 1);
  float p = 0.5f;
  const float g = 0.2f;
  opt.step(&p, &g, 1.0);
  const float d = g + 0.01f * 0.5f;
  EXPECT_EQ(p, 0.5f + (-0.1f) * d);
}

}  // namespace
}  // namespace grokscope
