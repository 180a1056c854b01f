// Helpers shared by the config tests: parse a TOML text, and check the one-line ConfigError it throws.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"

namespace grokscope::config_test {

inline RunConfig parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return parse_run_config(text, overrides, "test.toml");
}

// The ConfigError thrown by fn (a test failure if none is thrown).
inline ConfigError error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError, got another exception: " << e.what();
    return ConfigError("", "", "");
  }
  ADD_FAILURE() << "expected ConfigError, nothing was thrown";
  return ConfigError("", "", "");
}

// Expects a ConfigError whose message contains every one of parts.
inline void expect_error(const std::string& text, const std::vector<std::string>& overrides,
                  const std::vector<std::string>& parts) {
  const ConfigError e = error_of([&] { parse(text, overrides); });
  const std::string what = e.what();
  for (const auto& part : parts)
    EXPECT_NE(what.find(part), std::string::npos) << "message: " << what << "\nmissing: " << part;
  EXPECT_EQ(what.find('\n'), std::string::npos) << "message is not one line: " << what;
}

inline void expect_same(const RunConfig& a, const RunConfig& b) {
  EXPECT_EQ(to_json(a), to_json(b));
  EXPECT_EQ(to_toml(a), to_toml(b));
}

}  // namespace grokscope::config_test
