// Shared pieces of the config validators (train/config.cpp, data/task_rules.cpp): values formatted as a config file
// would write them, and range checks that throw ConfigError(key, value, reason) with a one-line message.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "grokscope/core/error.h"

namespace grokscope::config_check {

// Values as they would be written in a config file (floats always with a '.' or exponent: 1.0, 1e-08, inf).
inline std::string num(double v) {
  std::string s = fmt::format("{}", v);
  if (std::isfinite(v) && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}
inline std::string num(int64_t v) { return std::to_string(v); }
inline std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <class T>
std::string list(const std::vector<T>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    if constexpr (std::is_floating_point_v<T>)
      out += num(values[i]);
    else
      out += std::to_string(values[i]);
  }
  return out + "]";
}

inline std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

[[noreturn]] inline void fail(const std::string& key, const std::string& value, const std::string& reason) {
  throw ConfigError(key, value, reason);
}

// Checks written so that NaN fails every one of them.
inline void require_positive(const std::string& key, double v) {
  if (!(v > 0) || !std::isfinite(v)) fail(key, num(v), "must be a finite number > 0");
}
inline void require_nonnegative(const std::string& key, double v) {
  if (!(v >= 0) || !std::isfinite(v)) fail(key, num(v), "must be a finite number >= 0");
}
inline void require_nonnegative(const std::string& key, int64_t v) {
  if (v < 0) fail(key, num(v), "must be >= 0");
}

}  // namespace grokscope::config_check
