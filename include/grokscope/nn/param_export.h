// Converts the flat parameter buffer into named arrays in PyTorch nn.Linear orientation (w: out x in, b: 1-D),
// for params_init.npz / params_final.npz, and back (for loading saved parameters).
#pragma once

#include <vector>

#include "grokscope/core/npy_array.h"
#include "grokscope/nn/param_layout.h"

namespace grokscope {

template <class T>
std::vector<NpyArray> export_params(const ParamLayout& layout, const T* params);

// Inverse of export_params: fills params from arrays named as in the layout. Throws ConfigError on a missing
// array or a shape mismatch (naming both).
template <class T>
void import_params(const ParamLayout& layout, const std::vector<NpyArray>& arrays, T* params);

}  // namespace grokscope
