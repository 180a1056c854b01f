// NpyArray (core/npy_array.h).
#include "grokscope/core/npy_array.h"

namespace grokscope {

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (const int64_t dim : shape) n *= dim;
  return n;
}

}  // namespace grokscope
