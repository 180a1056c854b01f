// Verdicts over seeds (reproduce/seeds.h): the median seed decides, the value is the median, the worst seed is named,
// a verdict missing on a seed fails there.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/seeds.h"

namespace grokscope::reproduce {
namespace {

Verdict v(const std::string& name, bool pass, double value, const std::string& measured = "m") {
  return Verdict{name, "prediction of " + name, measured, pass, value, 1.0};
}

TEST(SeedVerdicts, MajorityOfSeedsDecidesAndTheValueIsTheMedian) {
  const auto out = combine_seed_verdicts({0, 1, 2}, {{v("a", true, 3.0), v("b", true, 1.0)},
                                                     {v("a", false, 0.5, "seed one low"), v("b", false, 2.0)},
                                                     {v("a", true, 2.0), v("b", false, 5.0)}});
  ASSERT_EQ(out.size(), 2u);
  const Verdict& a = out[0].combined;
  EXPECT_EQ(a.name, "a");
  EXPECT_TRUE(a.pass);                 // 2 of 3
  EXPECT_DOUBLE_EQ(a.value, 2.0);      // median of 3, 0.5, 2
  EXPECT_DOUBLE_EQ(a.expected, 1.0);
  EXPECT_EQ(a.prediction, "prediction of a");
  EXPECT_NE(a.measured.find("2/3 seeds pass"), std::string::npos) << a.measured;
  EXPECT_NE(a.measured.find("min 0.5, max 3"), std::string::npos) << a.measured;
  EXPECT_NE(a.measured.find("worst seed 1: seed one low"), std::string::npos) << a.measured;
  ASSERT_EQ(out[0].seeds.size(), 3u);
  EXPECT_FALSE(out[0].seeds[1].pass);
  EXPECT_EQ(out[0].seeds[2].seed, 2);
  EXPECT_FALSE(out[1].combined.pass);  // 1 of 3
}

TEST(SeedVerdicts, HalfOfAnEvenCountIsNotEnough) {
  const auto out = combine_seed_verdicts({0, 1}, {{v("a", true, 1.0)}, {v("a", false, 3.0)}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].combined.pass);
  EXPECT_DOUBLE_EQ(out[0].combined.value, 2.0);
}

TEST(SeedVerdicts, AVerdictMissingOnASeedFailsThere) {
  const auto out = combine_seed_verdicts({4, 7, 9}, {{v("a", true, 1.0), v("only_first", true, 1.0)},
                                                     {v("a", true, 1.0)},
                                                     {v("a", true, 1.0)}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].combined.pass);
  EXPECT_EQ(out[1].combined.name, "only_first");
  EXPECT_FALSE(out[1].combined.pass);
  EXPECT_EQ(out[1].seeds[1].seed, 7);
  EXPECT_EQ(out[1].seeds[1].measured, "not produced on this seed");
}

TEST(SeedVerdicts, RunNamesAreDroppedFromVerdictNames) {
  EXPECT_EQ(without_run_names("generalizes seed=1_399e1440", {"seed=1_399e1440"}), "generalizes");
  EXPECT_EQ(without_run_names("zero_train_loss ", {}), "zero_train_loss");
  EXPECT_EQ(without_run_names("decay lambda=0.6", {"seed=0_abc"}), "decay lambda=0.6");
}

TEST(SeedVerdicts, MedianIgnoresNaN) {
  EXPECT_DOUBLE_EQ(median_of({3.0, NAN, 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median_of({4.0, 1.0}), 2.5);
  EXPECT_TRUE(std::isnan(median_of({NAN})));
}

}  // namespace
}  // namespace grokscope::reproduce
