// Flat parameter buffer layout.
#include "grokscope/nn/param_layout.h"

#include <algorithm>

#include "grokscope/core/error.h"

namespace grokscope {

const ParamInfo& ParamLayout::add(std::string name, std::string group, int64_t rows, int64_t cols, bool transposed,
                                  bool is_bias) {
  GS_CHECK(find(name) == nullptr);
  GS_CHECK(rows >= 0 && cols >= 0);
  ParamInfo info;
  info.name = std::move(name);
  info.group = std::move(group);
  info.rows = rows;
  info.cols = cols;
  info.offset = total_;
  info.transposed = transposed;
  info.is_bias = is_bias;
  total_ += info.size();
  params_.push_back(std::move(info));
  return params_.back();
}

const ParamInfo& ParamLayout::add_shaped(std::string name, std::string group, std::vector<int64_t> shape,
                                         bool is_bias) {
  GS_CHECK(!shape.empty());
  int64_t cols = 1;
  for (size_t i = 1; i < shape.size(); ++i) cols *= shape[i];
  add(std::move(name), std::move(group), shape[0], cols, false, is_bias);
  params_.back().shape = std::move(shape);
  return params_.back();
}

const ParamInfo* ParamLayout::find(const std::string& name) const {
  for (const auto& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> ParamLayout::group_names() const {
  std::vector<std::string> names;
  for (const auto& p : params_)
    if (std::find(names.begin(), names.end(), p.group) == names.end()) names.push_back(p.group);
  return names;
}

}  // namespace grokscope
