// Builds the model named by ModelConfig::kind for a task's input/output shape.
#pragma once

#include <memory>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/model.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

template <class T>
std::unique_ptr<Model<T>> make_model(const ModelConfig& config, const TaskData<T>& data);

// Sets the parameters from model.init_values (PyTorch order: each tensor row-major out x in, in layout order).
// Throws ConfigError when the count does not match.
template <class T>
void apply_init_values(const Model<T>& model, const std::vector<double>& values, T* params);

}  // namespace grokscope
