// Input checks of the metric functions: a violated precondition throws std::invalid_argument whose message starts
// with the function name, e.g. "[metrics::end_to_end] layer 2 is 3x5 but layer 1 has 4 outputs".
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace grokscope::metrics::detail {

template <class... Args>
[[noreturn]] void fail(const char* fn, fmt::format_string<Args...> format, Args&&... args) {
  throw std::invalid_argument(fmt::format("[metrics::{}] ", fn) + fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace grokscope::metrics::detail
