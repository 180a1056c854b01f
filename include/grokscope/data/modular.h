// Binary operations over Z_p (and over S_5) and their tables: the data of the modular-arithmetic grokking tasks,
// every operation of Power et al. 2022 (papers.md §4.1):
//   add, sub, mul, div (x/y, y != 0), div_if_odd_else_sub (x/y if y is odd, else x - y; y as its residue in [0, p)),
//   x2_plus_xy, x3_plus_xy, x2_plus_y2, x2_plus_xy_plus_y2, x2_plus_xy_plus_y2_plus_x, x3_plus_xy2_plus_y (mod p),
//   s5_mul (x*y), s5_conj (x*y*x^-1), s5_xyx (x*y*x) in S_5: elements are the 120 permutations in the lexicographic
//   order of data/permutations.h (so task.p must be 120), products as Power's code (x*y applies x first).
// A table enumerates the (a, b) pairs of the task in a fixed order; row indices of a split refer to that order:
//   ordered pairs:   every (a, b) with a, b in [0, p), row-major (a*p + b); for div, b = 0 is left out.
//   unordered pairs: every (a, b) with a <= b, in the order (0,0), (0,1), ..., (0,p-1), (1,1), ... (symmetric ops only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grokscope/core/run_config.h"

namespace grokscope {

enum class ModOp {
  add, sub, mul, div, x2_plus_xy, x3_plus_xy, x2_plus_y2, x2_plus_xy_plus_y2, x3_plus_xy2_plus_y, div_if_odd_else_sub,
  x2_plus_xy_plus_y2_plus_x, s5_mul, s5_conj, s5_xyx
};

std::optional<ModOp> parse_mod_op(std::string_view name);
const char* to_string(ModOp op);
std::vector<std::string> mod_op_names();
bool is_symmetric(ModOp op);        // op(a, b) == op(b, a) for all a, b
bool needs_prime(ModOp op);         // div, div_if_odd_else_sub need a field (every b != 0 invertible)
bool is_permutation_op(ModOp op);   // s5_*: the elements are S_5's, not residues (no Z_p structure; p = 120)
// True for a modular task whose elements are residues mod p (the Fourier probes' Z_p); false for S_5 and unknown ops.
bool has_residues(const TaskConfig& task);
bool is_prime(int64_t n);
int64_t mod_inverse(int64_t a, int64_t p);   // requires p prime, a not divisible by p
int64_t apply_mod_op(ModOp op, int64_t a, int64_t b, int64_t p);   // result in [0, p); s5_*: p = 120

struct ModularTable {
  int p = 0;
  std::vector<int32_t> a, b, c;     // one entry per row: c = op(a, b) mod p
  int64_t rows() const { return static_cast<int64_t>(a.size()); }
};

ModularTable make_modular_table(ModOp op, int p, PairSet pairs);

struct Split {
  std::vector<int64_t> train_idx;   // sorted row indices into the table
  std::vector<int64_t> test_idx;    // sorted, the complement of train_idx
};

// A uniformly random subset of n_train rows, determined by seed alone.
Split make_split(int64_t n_rows, int64_t n_train, uint64_t seed);

// n_train from a TaskConfig: n_train if set, else floor(train_fraction * n_rows).
int64_t resolve_n_train(const TaskConfig& task, int64_t n_rows);

}  // namespace grokscope
