// Parameter-group resolution (see optim/param_groups.h).
#include "grokscope/optim/param_groups.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "grokscope/core/error.h"

namespace grokscope {

std::vector<ParamRange> resolve_param_ranges(const ParamLayout& layout, const OptimConfig& config) {
  const auto groups = layout.group_names();
  for (const auto& [key, unused] : config.groups) {
    const bool is_group = std::find(groups.begin(), groups.end(), key) != groups.end();
    if (!is_group && layout.find(key) == nullptr) {
      std::vector<std::string> known;
      for (const auto& p : layout.params()) known.push_back(p.name);
      known.insert(known.end(), groups.begin(), groups.end());
      throw ConfigError("optim.groups." + key, "",
                        fmt::format("no parameter or group of this model has that name (known: {})",
                                    fmt::join(known, ", ")));
    }
  }
  std::vector<ParamRange> ranges;
  for (const auto& p : layout.params()) {
    ParamRange r{.offset = p.offset, .size = p.size(), .lr = config.lr, .weight_decay = config.weight_decay};
    for (const std::string& key : {p.group, p.name}) {  // later entries win
      auto it = config.groups.find(key);
      if (it == config.groups.end()) continue;
      if (it->second.lr) r.lr = *it->second.lr;
      if (it->second.weight_decay) r.weight_decay = *it->second.weight_decay;
    }
    ranges.push_back(r);
  }
  return ranges;
}

}  // namespace grokscope
