// libFuzzer target: the run config parser (io/config_toml.h) and validation. The input is TOML text, optionally
// followed by a NUL byte and `--set` overrides, one per line. Bad input must end in ConfigError or IoError; anything
// else (a crash, a sanitizer report, another exception) is a finding. A config that parses and validates must also
// survive estimate_memory and round-trip through to_toml with the same config hash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/train/config.h"
#include "grokscope/train/memory_estimate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);
  std::vector<std::string> overrides;
  if (nul != std::string_view::npos) {
    std::string_view rest = input.substr(nul + 1);
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      overrides.emplace_back(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
  }
  grokscope::RunConfig config;
  try {
    config = grokscope::parse_run_config(text, overrides, "fuzz.toml");
    grokscope::validate(config);
  } catch (const grokscope::ConfigError&) {
    return 0;
  } catch (const grokscope::IoError&) {
    return 0;
  }
  (void)grokscope::estimate_memory(config);
  const grokscope::RunConfig again = grokscope::parse_run_config(grokscope::to_toml(config), {}, "round-trip");
  if (grokscope::config_hash(again) != grokscope::config_hash(config)) std::abort();   // to_toml lost something
  return 0;
}
