// A modular-arithmetic task ready for training: its table, split, and token-encoded train and test sets.
// Encodings (the one-hot vectors are never built; rows are token indices into the one-hot input):
//   concat: tokens (a, p + b) into 2p inputs (Lyu, Power, Nanda)
//   sum:    tokens (a, b) into p inputs; a == b gives a 2 at index a (Musat, Liu)
//   tokens: the sequence (a, b, =) with "=" = p, p + 1 token ids (the transformer of Nanda and Power)
#pragma once

#include <cstdint>
#include <vector>

#include "grokscope/data/modular.h"
#include "grokscope/core/npy_array.h"

namespace grokscope {

struct TokenDataset {
  int64_t n = 0;
  int dim = 0;                   // one-hot input width
  int tokens_per_row = 2;
  std::vector<int32_t> tokens;   // n x tokens_per_row
  std::vector<int32_t> labels;   // n, in [0, n_classes)
};

struct ModularTask {
  ModularTable table;
  Split split;
  TokenDataset train, test;
  int input_dim = 0;
  int n_classes = 0;
};

// Builds the task; the config must have passed validate().
ModularTask make_modular_task(const TaskConfig& config);

// split.npz contents: train_idx, test_idx (int64 row indices into the table) and the table columns a, b, c (int32).
std::vector<NpyArray> split_arrays(const ModularTask& task);

}  // namespace grokscope
