// Modular-arithmetic tables and deterministic splits.
#include "grokscope/data/modular.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "grokscope/core/error.h"
#include "grokscope/core/rng.h"
#include "grokscope/data/permutations.h"

namespace grokscope {

namespace {
struct OpName {
  ModOp op;
  const char* name;
};
constexpr std::array<OpName, 14> kOps = {{{ModOp::add, "add"},
                                         {ModOp::sub, "sub"},
                                         {ModOp::mul, "mul"},
                                         {ModOp::div, "div"},
                                         {ModOp::x2_plus_xy, "x2_plus_xy"},
                                         {ModOp::x3_plus_xy, "x3_plus_xy"},
                                         {ModOp::x2_plus_y2, "x2_plus_y2"},
                                         {ModOp::x2_plus_xy_plus_y2, "x2_plus_xy_plus_y2"},
                                         {ModOp::x3_plus_xy2_plus_y, "x3_plus_xy2_plus_y"},
                                         {ModOp::div_if_odd_else_sub, "div_if_odd_else_sub"},
                                         {ModOp::x2_plus_xy_plus_y2_plus_x, "x2_plus_xy_plus_y2_plus_x"},
                                         {ModOp::s5_mul, "s5_mul"},
                                         {ModOp::s5_conj, "s5_conj"},
                                         {ModOp::s5_xyx, "s5_xyx"}}};

int64_t mod(int64_t x, int64_t p) { return ((x % p) + p) % p; }
}  // namespace

std::optional<ModOp> parse_mod_op(std::string_view name) {
  for (const auto& entry : kOps)
    if (name == entry.name) return entry.op;
  return std::nullopt;
}

const char* to_string(ModOp op) {
  for (const auto& entry : kOps)
    if (entry.op == op) return entry.name;
  return "?";
}

std::vector<std::string> mod_op_names() {
  std::vector<std::string> names;
  for (const auto& entry : kOps) names.emplace_back(entry.name);
  return names;
}

bool is_symmetric(ModOp op) {
  return op == ModOp::add || op == ModOp::mul || op == ModOp::x2_plus_y2 || op == ModOp::x2_plus_xy_plus_y2;
}

bool needs_prime(ModOp op) { return op == ModOp::div || op == ModOp::div_if_odd_else_sub; }

bool is_permutation_op(ModOp op) { return op == ModOp::s5_mul || op == ModOp::s5_conj || op == ModOp::s5_xyx; }

bool has_residues(const TaskConfig& task) {
  if (task.kind != TaskKind::modular) return false;
  const auto op = parse_mod_op(task.op);
  return op && !is_permutation_op(*op);
}

bool is_prime(int64_t n) {
  if (n < 2) return false;
  for (int64_t d = 2; d * d <= n; ++d)
    if (n % d == 0) return false;
  return true;
}

int64_t mod_inverse(int64_t a, int64_t p) {
  // Fermat: a^(p-2) mod p.
  int64_t result = 1, base = mod(a, p), e = p - 2;
  GS_CHECK(base != 0);
  while (e > 0) {
    if (e & 1) result = result * base % p;
    base = base * base % p;
    e >>= 1;
  }
  return result;
}

int64_t apply_mod_op(ModOp op, int64_t a, int64_t b, int64_t p) {
  if (is_permutation_op(op)) GS_CHECK(p == s5::kOrder);
  a = mod(a, p);
  b = mod(b, p);
  switch (op) {
    case ModOp::add: return (a + b) % p;
    case ModOp::sub: return mod(a - b, p);
    case ModOp::mul: return a * b % p;
    case ModOp::div: return a * mod_inverse(b, p) % p;
    case ModOp::x2_plus_xy: return (a * a + a * b) % p;
    case ModOp::x3_plus_xy: return (a * a % p * a + a * b) % p;
    case ModOp::x2_plus_y2: return (a * a + b * b) % p;
    case ModOp::x2_plus_xy_plus_y2: return (a * a + a * b + b * b) % p;
    case ModOp::x3_plus_xy2_plus_y: return (a * a % p * a + a * (b * b % p) + b) % p;
    case ModOp::div_if_odd_else_sub: return b % 2 == 1 ? a * mod_inverse(b, p) % p : mod(a - b, p);
    case ModOp::x2_plus_xy_plus_y2_plus_x: return (a * a + a * b + b * b + a) % p;
    case ModOp::s5_mul: return s5::compose(static_cast<int>(a), static_cast<int>(b));
    case ModOp::s5_conj: {
      const int x = static_cast<int>(a);
      return s5::compose(s5::compose(x, static_cast<int>(b)), s5::inverse(x));
    }
    case ModOp::s5_xyx: {
      const int x = static_cast<int>(a);
      return s5::compose(s5::compose(x, static_cast<int>(b)), x);
    }
  }
  GS_CHECK(false);
  return 0;
}

ModularTable make_modular_table(ModOp op, int p, PairSet pairs) {
  GS_CHECK(p >= 2);
  ModularTable table;
  table.p = p;
  for (int a = 0; a < p; ++a) {
    for (int b = (pairs == PairSet::unordered ? a : 0); b < p; ++b) {
      if (op == ModOp::div && b == 0) continue;
      table.a.push_back(a);
      table.b.push_back(b);
      table.c.push_back(static_cast<int32_t>(apply_mod_op(op, a, b, p)));
    }
  }
  return table;
}

Split make_split(int64_t n_rows, int64_t n_train, uint64_t seed) {
  GS_CHECK(n_train >= 0 && n_train <= n_rows);
  std::vector<int64_t> order(static_cast<size_t>(n_rows));
  for (int64_t i = 0; i < n_rows; ++i) order[static_cast<size_t>(i)] = i;
  Rng rng(seed);
  rng.shuffle(order);
  Split split;
  split.train_idx.assign(order.begin(), order.begin() + n_train);
  split.test_idx.assign(order.begin() + n_train, order.end());
  std::sort(split.train_idx.begin(), split.train_idx.end());
  std::sort(split.test_idx.begin(), split.test_idx.end());
  return split;
}

int64_t resolve_n_train(const TaskConfig& task, int64_t n_rows) {
  if (task.n_train > 0) return task.n_train;
  // The tiny offset keeps e.g. 0.29 * 100 = 28.999999999999996 from flooring to 28.
  return static_cast<int64_t>(std::floor(task.train_fraction * static_cast<double>(n_rows) + 1e-9));
}

}  // namespace grokscope
