// Resolves per-parameter learning rate and weight decay from OptimConfig::groups: an entry keyed by the parameter's
// name wins over one keyed by its group name, which wins over the global optim.lr / optim.weight_decay.
#pragma once

#include <vector>

#include "grokscope/nn/param_layout.h"
#include "grokscope/optim/optimizer.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

// Throws ConfigError("optim.groups.<key>", ...) for a key that names no parameter and no group.
std::vector<ParamRange> resolve_param_ranges(const ParamLayout& layout, const OptimConfig& config);

}  // namespace grokscope
