// Helpers of the verdict tests: whether every verdict passed, and the verdict whose name starts with a prefix.
#pragma once

#include <string>
#include <vector>

#include "grokscope/reproduce/verdict.h"

namespace grokscope::reproduce::test {

inline bool all_pass(const std::vector<Verdict>& v) {
  for (const auto& x : v)
    if (!x.pass) return false;
  return !v.empty();
}

inline const Verdict* find(const std::vector<Verdict>& v, const std::string& prefix) {
  for (const auto& x : v)
    if (x.name.rfind(prefix, 0) == 0) return &x;
  return nullptr;
}

}  // namespace grokscope::reproduce::test
