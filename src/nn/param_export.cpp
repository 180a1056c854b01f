// Flat buffer <-> named PyTorch-oriented arrays.
#include "grokscope/nn/param_export.h"

#include <fmt/format.h>

#include "grokscope/core/error.h"

namespace grokscope {

template <class T>
std::vector<NpyArray> export_params(const ParamLayout& layout, const T* params) {
  std::vector<NpyArray> out;
  for (const auto& p : layout.params()) {
    std::vector<T> values(static_cast<size_t>(p.size()));
    const T* src = params + p.offset;
    if (p.transposed) {
      for (int64_t o = 0; o < p.rows; ++o)
        for (int64_t i = 0; i < p.cols; ++i) values[static_cast<size_t>(o * p.cols + i)] = src[i * p.rows + o];
    } else {
      std::copy(src, src + p.size(), values.begin());
    }
    std::vector<int64_t> shape = !p.shape.empty() ? p.shape
                                 : p.is_bias      ? std::vector<int64_t>{p.rows}
                                                  : std::vector<int64_t>{p.rows, p.cols};
    out.push_back(NpyArray{p.name, std::move(shape), std::move(values)});
  }
  return out;
}

template <class T>
void import_params(const ParamLayout& layout, const std::vector<NpyArray>& arrays, T* params) {
  for (const auto& p : layout.params()) {
    const NpyArray* found = nullptr;
    for (const auto& a : arrays)
      if (a.name == p.name) found = &a;
    if (!found) throw ConfigError("params", p.name, "array missing from the parameter file");
    if (found->size() != p.size())
      throw ConfigError("params", p.name,
                        fmt::format("has {} values, the model expects {}x{}", found->size(), p.rows, p.cols));
    std::vector<double> values(static_cast<size_t>(p.size()));
    std::visit([&](const auto& v) { std::copy(v.begin(), v.end(), values.begin()); }, found->data);
    T* dst = params + p.offset;
    for (int64_t o = 0; o < p.rows; ++o)
      for (int64_t i = 0; i < p.cols; ++i) {
        const double v = values[static_cast<size_t>(o * p.cols + i)];
        dst[p.transposed ? i * p.rows + o : o * p.cols + i] = static_cast<T>(v);
      }
  }
}

template std::vector<NpyArray> export_params<float>(const ParamLayout&, const float*);
template std::vector<NpyArray> export_params<double>(const ParamLayout&, const double*);
template void import_params<float>(const ParamLayout&, const std::vector<NpyArray>&, float*);
template void import_params<double>(const ParamLayout&, const std::vector<NpyArray>&, double*);

}  // namespace grokscope
