// Gate flips and pre-activation margins on hand-made patterns.
#include "grokscope/metrics/gates.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace grokscope::metrics {
namespace {

std::vector<double> alternating(int count) {
  std::vector<double> pre(count);
  for (int j = 0; j < count; ++j) pre[j] = (j % 3 == 0) ? -0.5 - j : 0.25 + j;
  return pre;
}

TEST(Gates, NoChangeNoFlips) {
  const std::vector<double> pre = alternating(130);
  GateTracker t(130);
  EXPECT_TRUE(std::isnan(t.update(pre.data())));
  EXPECT_TRUE(t.has_previous());
  EXPECT_EQ(t.update(pre.data()), 0.0);
  EXPECT_EQ(t.last_flips(), 0);
  EXPECT_EQ(flip_fraction(pre.data(), pre.data(), 130), 0.0);
  // Changing magnitudes without crossing zero flips nothing.
  std::vector<double> scaled = pre;
  for (double& v : scaled) v *= 3.0;
  EXPECT_EQ(t.update(scaled.data()), 0.0);
}

TEST(Gates, ExactCountsForAHandMadeChange) {
  const int count = 130;  // three words, the last one partial
  const std::vector<double> pre = alternating(count);
  std::vector<double> next = pre;
  for (int j : {0, 63, 64, 129}) next[j] = -next[j];  // four sign changes across word boundaries
  next[1] = 0.0;                                      // active -> exactly 0: inactive (gate is pre > 0), a flip
  GateTracker t(count);
  t.update(pre.data());
  EXPECT_DOUBLE_EQ(t.update(next.data()), 5.0 / count);
  EXPECT_EQ(t.last_flips(), 5);
  EXPECT_DOUBLE_EQ(flip_fraction(pre.data(), next.data(), count), 5.0 / count);
  // The reference moved to `next`: going back flips the same five gates.
  EXPECT_DOUBLE_EQ(t.update(pre.data()), 5.0 / count);
  // 0 -> -0 and -0 -> 0 are not flips; 0 -> 1e-30 is.
  std::vector<float> a = {0.f, -0.f, 0.f, 2.f}, b = {-0.f, 0.f, 1e-30f, 3.f};
  EXPECT_DOUBLE_EQ(flip_fraction(a.data(), b.data(), 4), 0.25);
  GateTracker tf(4);
  tf.update(a.data());
  EXPECT_DOUBLE_EQ(tf.update(b.data()), 0.25);
}

TEST(Gates, PackedBits) {
  const std::vector<double> pre = {1.0, -1.0, 2.0, std::nan(""), 0.0};
  std::vector<uint64_t> bits(gate_words(5), ~uint64_t{0});
  pack_gates(pre.data(), 5, bits.data());
  EXPECT_EQ(bits[0], 0b00101u);  // NaN and 0 are inactive; unused high bits are cleared
  EXPECT_EQ(gate_words(0), 0);
  EXPECT_EQ(gate_words(64), 1);
  EXPECT_EQ(gate_words(65), 2);
  const std::vector<uint64_t> x = {0xFFu, 0x1u}, y = {0x0Fu, 0x0u};
  EXPECT_EQ(count_flips(x.data(), y.data(), 65), 5);
  GateTracker empty(0);
  empty.update(pre.data());
  EXPECT_TRUE(std::isnan(empty.update(pre.data())));
}

TEST(Gates, MinAbsPreactivation) {
  const std::vector<double> pre = {-3.0, 0.5, -0.25, 2.0, std::nan("")};
  EXPECT_EQ(min_abs_preactivation(pre.data(), 5), 0.25);
  const std::vector<float> pf = {4.f, -1e-3f};
  EXPECT_DOUBLE_EQ(min_abs_preactivation(pf.data(), 2), static_cast<double>(1e-3f));
  EXPECT_TRUE(std::isinf(min_abs_preactivation(pf.data(), 0)));
}

}  // namespace
}  // namespace grokscope::metrics
