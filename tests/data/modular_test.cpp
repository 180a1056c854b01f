// Modular tables, ops and deterministic splits.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "grokscope/data/modular.h"
#include "grokscope/data/modular_dataset.h"

namespace grokscope {
namespace {

TEST(ModOps, EveryOpMatchesItsFormula) {
  const int64_t p = 13;
  for (int64_t a = 0; a < p; ++a) {
    for (int64_t b = 0; b < p; ++b) {
      auto m = [&](int64_t x) { return ((x % p) + p) % p; };
      EXPECT_EQ(apply_mod_op(ModOp::add, a, b, p), m(a + b));
      EXPECT_EQ(apply_mod_op(ModOp::sub, a, b, p), m(a - b));
      EXPECT_EQ(apply_mod_op(ModOp::mul, a, b, p), m(a * b));
      EXPECT_EQ(apply_mod_op(ModOp::x2_plus_xy, a, b, p), m(a * a + a * b));
      EXPECT_EQ(apply_mod_op(ModOp::x3_plus_xy, a, b, p), m(a * a * a + a * b));
      EXPECT_EQ(apply_mod_op(ModOp::x2_plus_y2, a, b, p), m(a * a + b * b));
      EXPECT_EQ(apply_mod_op(ModOp::x2_plus_xy_plus_y2, a, b, p), m(a * a + a * b + b * b));
      EXPECT_EQ(apply_mod_op(ModOp::x3_plus_xy2_plus_y, a, b, p), m(a * a * a + a * b * b + b));
      EXPECT_EQ(apply_mod_op(ModOp::x2_plus_xy_plus_y2_plus_x, a, b, p), m(a * a + a * b + b * b + a));
      const int64_t mixed = apply_mod_op(ModOp::div_if_odd_else_sub, a, b, p);
      if (b % 2 == 1) {
        EXPECT_EQ(m(mixed * b), a) << a << " / " << b;   // odd b: the quotient
      } else {
        EXPECT_EQ(mixed, m(a - b)) << a << " - " << b;
      }
      if (b != 0) {
        const int64_t c = apply_mod_op(ModOp::div, a, b, p);
        EXPECT_EQ(m(c * b), a) << a << " / " << b;  // c is the quotient: c * b == a (mod p)
      }
    }
  }
}

TEST(ModOps, NamesRoundTripAndSymmetryIsTrue) {
  for (const auto& name : mod_op_names()) {
    const auto op = parse_mod_op(name);
    ASSERT_TRUE(op.has_value()) << name;
    EXPECT_EQ(name, to_string(*op));
    bool symmetric = true;
    const int p = is_permutation_op(*op) ? 120 : 7;   // S5's ops: the first 7 permutations
    for (int a = 0; a < 7; ++a)
      for (int b = 1; b < 7; ++b) {
        if (*op != ModOp::div && apply_mod_op(*op, a, b, p) != apply_mod_op(*op, b, a, p)) symmetric = false;
      }
    if (*op != ModOp::div) {
      EXPECT_EQ(symmetric, is_symmetric(*op)) << name;
    }
  }
  EXPECT_FALSE(parse_mod_op("pow").has_value());
}

TEST(ModularTable, OrderedTableIsRowMajorAndDivSkipsZero) {
  const auto t = make_modular_table(ModOp::add, 5, PairSet::ordered);
  ASSERT_EQ(t.rows(), 25);
  for (int64_t r = 0; r < 25; ++r) {
    EXPECT_EQ(t.a[static_cast<size_t>(r)] * 5 + t.b[static_cast<size_t>(r)], r);
    EXPECT_EQ(t.c[static_cast<size_t>(r)], (t.a[static_cast<size_t>(r)] + t.b[static_cast<size_t>(r)]) % 5);
  }
  const auto d = make_modular_table(ModOp::div, 5, PairSet::ordered);
  EXPECT_EQ(d.rows(), 20);
  EXPECT_EQ(std::count(d.b.begin(), d.b.end(), 0), 0);
}

TEST(ModularTable, UnorderedTableHasPairsWithALessOrEqualB) {
  const auto t = make_modular_table(ModOp::add, 11, PairSet::unordered);
  EXPECT_EQ(t.rows(), 11 * 12 / 2);
  EXPECT_EQ(t.a[0], 0);
  EXPECT_EQ(t.b[0], 0);
  EXPECT_EQ(t.a[11], 1);  // (0,0)..(0,10), then (1,1)
  EXPECT_EQ(t.b[11], 1);
  for (int64_t r = 0; r < t.rows(); ++r) EXPECT_LE(t.a[static_cast<size_t>(r)], t.b[static_cast<size_t>(r)]);
}

TEST(Split, DeterministicDisjointCompleteAndSeedDependent) {
  const Split s1 = make_split(100, 37, 42);
  const Split s2 = make_split(100, 37, 42);
  const Split s3 = make_split(100, 37, 43);
  EXPECT_EQ(s1.train_idx, s2.train_idx);
  EXPECT_NE(s1.train_idx, s3.train_idx);
  EXPECT_EQ(s1.train_idx.size(), 37u);
  EXPECT_EQ(s1.test_idx.size(), 63u);
  std::set<int64_t> all(s1.train_idx.begin(), s1.train_idx.end());
  all.insert(s1.test_idx.begin(), s1.test_idx.end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_TRUE(std::is_sorted(s1.train_idx.begin(), s1.train_idx.end()));
}

TEST(Split, FractionFloorsLikeLyu) {
  TaskConfig t;
  t.train_fraction = 0.4;
  EXPECT_EQ(resolve_n_train(t, 97 * 97), 3763);  // floor(0.4 * 9409), Lyu's n_train
  t.train_fraction = 0.29;
  EXPECT_EQ(resolve_n_train(t, 100), 29);        // 0.29 * 100 = 28.999999999999996 in binary
  t.n_train = 10;
  EXPECT_EQ(resolve_n_train(t, 100), 10);
}

TEST(ModularDataset, EncodingsProduceTheRightTokens) {
  TaskConfig t;
  t.p = 7;
  t.train_fraction = 0.5;
  const ModularTask concat = make_modular_task(t);
  EXPECT_EQ(concat.input_dim, 14);
  for (int64_t i = 0; i < concat.train.n; ++i) {
    const auto row = static_cast<size_t>(concat.split.train_idx[static_cast<size_t>(i)]);
    EXPECT_EQ(concat.train.tokens[static_cast<size_t>(2 * i)], concat.table.a[row]);
    EXPECT_EQ(concat.train.tokens[static_cast<size_t>(2 * i + 1)], 7 + concat.table.b[row]);
    EXPECT_EQ(concat.train.labels[static_cast<size_t>(i)], concat.table.c[row]);
  }
  t.encoding = Encoding::sum;
  const ModularTask sum = make_modular_task(t);
  EXPECT_EQ(sum.input_dim, 7);
  EXPECT_EQ(sum.train.tokens[1], sum.table.b[static_cast<size_t>(sum.split.train_idx[0])]);
  EXPECT_EQ(concat.train.n + concat.test.n, 49);
}

}  // namespace
}  // namespace grokscope
