// Private helper of the optimizers (include only from src/optim/*.cpp): elementwise updates split over grokscope's
// thread team by fixed index slices of the flat buffer. Every element gets the same operations whatever the slice,
// so the result does not depend on the number of threads. Allocates nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "grokscope/kernels/parallel.h"
#include "grokscope/optim/optimizer.h"

namespace grokscope::optim_detail {

// Buffers smaller than this are updated on the calling thread (a parallel region costs a few microseconds).
constexpr int64_t kMinParallelElements = int64_t{1} << 15;

// Calls fn(range, lo, hi) for every part [lo, hi) of a range that lies in the calling thread's slice.
template <class F>
void for_each_range_slice(const std::vector<ParamRange>& ranges, int64_t total_size, F&& fn) {
  const int threads = total_size >= kMinParallelElements ? kernels::num_threads() : 1;
  kernels::parallel(threads, [&](int t, int nt) {
    const auto [lo, hi] = kernels::partition(total_size, t, nt, 256);
    for (const ParamRange& r : ranges) {
      const int64_t a = std::max(lo, r.offset), b = std::min(hi, r.offset + r.size);
      if (a < b) fn(r, a, b);
    }
  });
}

}  // namespace grokscope::optim_detail
