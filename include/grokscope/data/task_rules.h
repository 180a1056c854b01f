// The rules a task configuration must satisfy (modulus and operation, table and split sizes, synthetic dimensions,
// matrix-completion and toy settings): each violation a ConfigError naming the key and the value. Called by
// validate() (train/config.h) before anything runs.
#pragma once

#include "grokscope/core/run_config.h"

namespace grokscope {

void validate_task(const TaskConfig& task);

}  // namespace grokscope
