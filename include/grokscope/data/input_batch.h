// The input rows a model reads: the vocabulary between datasets (data/) and models (nn/).
#pragma once

#include <cstdint>

namespace grokscope {

// A batch of inputs, non-owning.
//   tokens_per_row > 0: tokens[i * tokens_per_row + t] is the index of the t-th hot input of row i (in [0, dim));
//                       the encoded input row is the sum of those one-hot vectors.
//   tokens_per_row == 0: dense[i * dim + j], row-major n x dim.
template <class T>
struct InputBatch {
  int64_t n = 0;
  int dim = 0;
  int tokens_per_row = 0;
  const int32_t* tokens = nullptr;
  const T* dense = nullptr;
};

}  // namespace grokscope
