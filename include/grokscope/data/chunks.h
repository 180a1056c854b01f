// Row chunks of a dataset, stored or generated: for_each_chunk(set, rows, visit) calls visit(first, batch, labels)
// for consecutive ranges of at most `rows` rows (a stored set: views into its buffers; a generated set: rows drawn
// into one reused buffer). For code that needs every row of a set, such as the 10^4 x 10^5 test inputs of the
// diagonal-net task, without storing it. Not a minibatch sampler (train/batches.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "grokscope/data/dataset.h"

namespace grokscope {

// visit(int64_t first, const InputBatch<T>& rows, const int32_t* labels): labels are the rows' labels (nullptr when
// the set has none, e.g. regression).
template <class T, class Visit>
void for_each_chunk(const Dataset<T>& set, int64_t rows, Visit visit) {
  rows = std::max<int64_t>(rows, 1);
  const auto tpr = static_cast<size_t>(set.tokens_per_row);
  std::vector<T> dense;
  std::vector<int32_t> labels;
  if (set.generated()) {
    dense.resize(static_cast<size_t>(std::min(rows, set.n) * set.dim));
    labels.resize(static_cast<size_t>(std::min(rows, set.n)));
  }
  for (int64_t first = 0; first < set.n; first += rows) {
    const int64_t n = std::min(rows, set.n - first);
    InputBatch<T> x{.n = n, .dim = set.dim, .tokens_per_row = set.tokens_per_row, .tokens = nullptr, .dense = nullptr};
    const int32_t* y = nullptr;
    if (set.generated()) {
      set.generate(first, n, dense.data(), labels.data(), nullptr);
      x.dense = dense.data();
      y = labels.data();
    } else {
      const auto f = static_cast<size_t>(first);
      if (!set.tokens.empty()) x.tokens = set.tokens.data() + f * tpr;
      if (!set.dense.empty()) x.dense = set.dense.data() + f * static_cast<size_t>(set.dim);
      if (!set.labels.empty()) y = set.labels.data() + f;
    }
    visit(first, x, y);
  }
}

}  // namespace grokscope
