// Private helpers shared by the optimizer implementations (not installed; include only from src/optim/*.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "grokscope/core/error.h"
#include "grokscope/optim/optimizer.h"

namespace grokscope::optim_detail {

// Range geometry is produced by resolve_param_ranges, so a bad one is a bug (GS_CHECK); learning rates and weight
// decays come from user config, so bad values are ConfigErrors (PyTorch's "Invalid learning rate" etc.).
inline void check_param_ranges(const std::vector<ParamRange>& ranges, int64_t total_size) {
  GS_CHECK(total_size >= 0);
  std::vector<std::pair<int64_t, int64_t>> spans;
  spans.reserve(ranges.size());
  for (const ParamRange& r : ranges) {
    GS_CHECK(r.offset >= 0 && r.size >= 0 && r.offset <= total_size && r.size <= total_size - r.offset);
    if (!(r.lr >= 0 && std::isfinite(r.lr)))
      throw ConfigError("optim.lr", fmt::format("{}", r.lr), "learning rate must be finite and >= 0");
    if (!(r.weight_decay >= 0 && std::isfinite(r.weight_decay)))
      throw ConfigError("optim.weight_decay", fmt::format("{}", r.weight_decay), "must be finite and >= 0");
    if (r.size > 0) spans.emplace_back(r.offset, r.offset + r.size);
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) GS_CHECK(spans[i - 1].second <= spans[i].first);  // disjoint
}

}  // namespace grokscope::optim_detail
