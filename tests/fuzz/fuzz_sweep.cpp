// libFuzzer target: the sweep file parser (sweep/spec.h) and the reproduction catalog's entry parser
// (reproduce/catalog.h), on the same text. Bad input must end in ConfigError or IoError; anything else is a finding.
// A spec that parses must also survive effective_fits and the JSON round trip the sweep index stores.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "grokscope/core/error.h"
#include "grokscope/reproduce/catalog.h"
#include "grokscope/sweep/spec.h"

namespace {
// One directory per process for the catalog file (load_catalog reads a directory).
const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("grokscope-fuzz-sweep-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const grokscope::sweep::SweepSpec spec = grokscope::sweep::parse_sweep_spec(text, "fuzz.toml");
    (void)spec.effective_fits();
    (void)grokscope::sweep::spec_from_json(grokscope::sweep::spec_to_json(spec));
  } catch (const grokscope::ConfigError&) {
  } catch (const grokscope::IoError&) {
  }
  try {
    {
      std::ofstream out(scratch_dir() / "FZ-1.toml", std::ios::binary | std::ios::trunc);
      out << text;
    }
    for (const auto& entry : grokscope::reproduce::load_catalog(scratch_dir()))
      for (const auto& scale : entry.scales) {
        (void)grokscope::reproduce::entry_sweep(entry, scale.name);
        (void)grokscope::reproduce::entry_check_params(entry, scale.name);
      }
  } catch (const grokscope::ConfigError&) {
  } catch (const grokscope::IoError&) {
  }
  return 0;
}
