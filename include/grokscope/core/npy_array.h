// A named n-dimensional array as NumPy stores it (one entry of an .npz archive): the vocabulary in which runs hand
// over parameters and task data. Reading and writing .npz files is io/npz.h.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace grokscope {

struct NpyArray {
  std::string name;                 // entry name without ".npy"
  std::vector<int64_t> shape;       // C order; {} for a scalar (0-d array)
  std::variant<std::vector<float>, std::vector<double>, std::vector<int64_t>, std::vector<int32_t>> data;
  int64_t size() const;             // product of shape (1 for shape {})
};

}  // namespace grokscope
