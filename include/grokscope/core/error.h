// Errors of the grokscope library.
// ConfigError is for bad user input: its message names the offending key and value, so a front end can print it as
// one line and exit with status 2. Internal invariants use GS_CHECK, which throws std::logic_error with the location.
#pragma once

#include <stdexcept>
#include <string>

namespace grokscope {

// Bad user input (config key, command-line value, input file). what() is one line: "key = value: reason".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, std::string value, const std::string& reason)
      : std::runtime_error(format_message(key, value, reason)), key_(std::move(key)), value_(std::move(value)) {}

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }

 private:
  static std::string format_message(const std::string& key, const std::string& value, const std::string& reason) {
    if (value.empty()) return key + ": " + reason;
    return key + " = " + value + ": " + reason;
  }
  std::string key_;
  std::string value_;
};

// A failure of the environment (a file that cannot be written, a full disk).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace grokscope

#define GS_STRINGIFY_DETAIL(x) #x
#define GS_STRINGIFY(x) GS_STRINGIFY_DETAIL(x)
// Checked invariant (always on): a failure is a bug in grokscope, never a user error.
#define GS_CHECK(cond)                                                                                  \
  do {                                                                                                  \
    if (!(cond))                                                                                        \
      throw std::logic_error("internal check failed: " #cond " at " __FILE__ ":" GS_STRINGIFY(__LINE__)); \
  } while (0)
