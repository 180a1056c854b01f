// S_5 (data/permutations.h) and Power's S5 operations (data/modular.h): the lexicographic indexing, the group laws,
// hand-checked products, and the tables of Power's code (tests/fixtures/s5_golden.json, written by
// tests/fixtures/make_s5_golden.py from numpy and sympy exactly as github.com/openai/grok computes them).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "grokscope/data/modular.h"
#include "grokscope/data/permutations.h"

namespace grokscope {
namespace {

TEST(S5, IndexingIsLexicographic) {
  EXPECT_EQ(s5::element(0), (s5::Perm{0, 1, 2, 3, 4}));
  EXPECT_EQ(s5::element(1), (s5::Perm{0, 1, 2, 4, 3}));
  EXPECT_EQ(s5::element(6), (s5::Perm{0, 2, 1, 3, 4}));
  EXPECT_EQ(s5::element(24), (s5::Perm{1, 0, 2, 3, 4}));
  EXPECT_EQ(s5::element(119), (s5::Perm{4, 3, 2, 1, 0}));
  std::set<s5::Perm> seen;
  for (int k = 0; k < s5::kOrder; ++k) {
    const s5::Perm p = s5::element(k);
    EXPECT_EQ(s5::index_of(p), k);
    if (k > 0) {
      EXPECT_LT(s5::element(k - 1), p) << k;
    }
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 120u);
}

TEST(S5, GroupLaws) {
  const int e = s5::identity();
  for (int x = 0; x < s5::kOrder; ++x) {
    EXPECT_EQ(s5::compose(e, x), x);
    EXPECT_EQ(s5::compose(x, e), x);
    EXPECT_EQ(s5::compose(x, s5::inverse(x)), e);
    EXPECT_EQ(s5::compose(s5::inverse(x), x), e);
    for (int y = 0; y < s5::kOrder; ++y) {
      const int xy = s5::compose(x, y);
      for (int z = 0; z < s5::kOrder; ++z) ASSERT_EQ(s5::compose(xy, z), s5::compose(x, s5::compose(y, z)));
    }
  }
  // Not abelian: the transpositions (0 1) = 24 and (1 2) = 6 do not commute.
  EXPECT_NE(s5::compose(24, 6), s5::compose(6, 24));
}

// By hand, with x * y applying x first: (0 1) then (1 2) sends 0 -> 1 -> 2, 1 -> 0, 2 -> 1: (2, 0, 1, 3, 4) = 48;
// the other order (1, 2, 0, 3, 4) = 30. With x = (1, 2, 0, 3, 4) (30) and y = (0 1) (24): x y x^-1 sends
// i -> x^-1(y(x(i))) = (2, 1, 0, 3, 4) = 54 and x y x sends i -> x(y(x(i))) = (1, 0, 2, 3, 4) = 24.
TEST(S5, HandCheckedProducts) {
  EXPECT_EQ(apply_mod_op(ModOp::s5_mul, 24, 6, 120), 48);
  EXPECT_EQ(apply_mod_op(ModOp::s5_mul, 6, 24, 120), 30);
  EXPECT_EQ(apply_mod_op(ModOp::s5_conj, 30, 24, 120), 54);
  EXPECT_EQ(apply_mod_op(ModOp::s5_xyx, 30, 24, 120), 24);
  EXPECT_EQ(s5::inverse(30), s5::index_of({2, 0, 1, 3, 4}));
  for (int x = 0; x < s5::kOrder; ++x) {
    EXPECT_EQ(apply_mod_op(ModOp::s5_conj, x, 0, 120), 0);          // x e x^-1 = e
    EXPECT_EQ(apply_mod_op(ModOp::s5_xyx, x, s5::inverse(x), 120), x);   // x x^-1 x = x
  }
}

TEST(S5, TablesMatchPowersCode) {
  std::ifstream in(std::string(GROKSCOPE_FIXTURES) + "/s5_golden.json");
  ASSERT_TRUE(in) << "cannot open s5_golden.json";
  const nlohmann::json g = nlohmann::json::parse(in);
  const std::vector<int> rows = g.at("rows");
  for (const auto& [name, table] : g.at("tables").items()) {
    const auto op = parse_mod_op(name);
    ASSERT_TRUE(op.has_value()) << name;
    ASSERT_EQ(table.size(), rows.size());
    for (size_t r = 0; r < rows.size(); ++r)
      for (int b = 0; b < 120; ++b)
        ASSERT_EQ(apply_mod_op(*op, rows[r], b, 120), table.at(r).at(static_cast<size_t>(b)).get<int>())
            << name << "(" << rows[r] << ", " << b << ")";
  }
}

TEST(S5, TableOfEveryPairWithPEqual120) {
  const auto t = make_modular_table(ModOp::s5_mul, 120, PairSet::ordered);
  ASSERT_EQ(t.rows(), 14400);
  EXPECT_EQ(t.c[24 * 120 + 6], 48);
  EXPECT_FALSE(is_symmetric(ModOp::s5_mul));
  EXPECT_TRUE(is_permutation_op(ModOp::s5_xyx));
  EXPECT_FALSE(is_permutation_op(ModOp::add));
  TaskConfig task;
  task.op = "s5_conj";
  task.p = 120;
  EXPECT_FALSE(has_residues(task));
  task.op = "div_if_odd_else_sub";
  task.p = 97;
  EXPECT_TRUE(has_residues(task));
}

}  // namespace
}  // namespace grokscope
