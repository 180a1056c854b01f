// Validation of a run configuration (the vocabulary is core/run_config.h): every rule a config must satisfy before
// anything runs, each violation a ConfigError naming the key and the value.
#pragma once

#include "grokscope/core/run_config.h"

namespace grokscope {

// Checks every value for consistency (ranges, p prime where the op needs it, ...). Throws ConfigError naming the key.
void validate(const RunConfig& config);

}  // namespace grokscope
