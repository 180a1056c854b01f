// A dataset ready for training: inputs (token indices or dense rows), and targets (class labels, +-1 labels or real
// values). Large dense sets (e.g. 10^4 x 10^5 test inputs of the diagonal-net task) are not stored: a generator
// produces any range of rows on demand, deterministically, and the trainer evaluates them in chunks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "grokscope/core/npy_array.h"
#include "grokscope/data/input_batch.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

enum class TargetKind {
  classes,     // labels[i] in [0, n_classes): cross_entropy or mse against one-hot
  binary,      // labels[i] in {-1, +1}, one output: logistic
  regression,  // targets[i * output_dim + j]: squared
};

template <class T>
struct Dataset {
  int64_t n = 0;
  int dim = 0;                       // one-hot width (tokens) or dense input size
  int tokens_per_row = 0;            // > 0: token inputs; 0: dense inputs
  std::vector<int32_t> tokens;       // n x tokens_per_row
  std::vector<T> dense;              // n x dim, row-major; empty when `generate` is set
  // For dense sets too large to store: writes rows [first, first + count) into out (count x dim), and their
  // labels/targets into the given pointers (either may be null). Must be deterministic.
  std::function<void(int64_t first, int64_t count, T* out, int32_t* labels, T* targets)> generate;
  std::vector<int32_t> labels;       // classes / binary (empty when generated)
  std::vector<T> targets;            // regression, n x output_dim (empty when generated)

  bool generated() const { return static_cast<bool>(generate); }
  // The whole stored set as a batch (not for generated sets).
  InputBatch<T> batch() const {
    return InputBatch<T>{.n = n, .dim = dim, .tokens_per_row = tokens_per_row,
                         .tokens = tokens.empty() ? nullptr : tokens.data(),
                         .dense = dense.empty() ? nullptr : dense.data()};
  }
};

template <class T>
struct TaskData {
  Dataset<T> train, test;
  int input_dim = 0;
  int output_dim = 0;                // classes, 1 (binary), or regression outputs
  TargetKind target = TargetKind::classes;
  std::vector<NpyArray> arrays;      // written to split.npz / data.npz: indices, tables, teacher weights, ...
  // Task-specific reference quantities for metrics (e.g. the teacher w* of sparse_linear, X* of matrix
  // completion), by name; flat row-major.
  std::vector<std::pair<std::string, std::vector<double>>> references;
};

// Builds the data of any task kind (dispatches on config.kind). The config must have passed validate().
template <class T>
TaskData<T> make_task_data(const TaskConfig& config);

}  // namespace grokscope
