// Private helpers of the synthetic-data generators (src/data/synthetic*.cpp): stream ids, default resolution and
// argument checks. Not a public header.
#pragma once

#include <fmt/format.h>

#include <climits>
#include <cstdint>
#include <string>

#include "grokscope/core/error.h"

namespace grokscope::synthetic_detail {

// Independent random streams of one task seed (see row_seed): ground truth, train rows, test rows.
inline constexpr uint64_t stream_truth = 1, stream_train = 2, stream_test = 3;

// value if set (> 0), else the default; negative values are a config error naming key.
inline int64_t or_default(const char* key, int64_t value, int64_t fallback) {
  if (value < 0) throw ConfigError(key, std::to_string(value), "must be >= 0 (0 = the task's default)");
  return value > 0 ? value : fallback;
}

// A dimension that must fit an int (InputBatch::dim) and be >= 1.
inline int checked_dim(const char* key, int64_t d) {
  if (d < 1 || d > INT_MAX) throw ConfigError(key, std::to_string(d), fmt::format("must be in [1, {}]", INT_MAX));
  return static_cast<int>(d);
}

}  // namespace grokscope::synthetic_detail
