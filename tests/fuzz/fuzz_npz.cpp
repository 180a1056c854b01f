// libFuzzer target: the .npz / .npy reader (io/npz.h). The input is written to a file (read_npz reads a path) and
// read back. Malformed input must end in IoError; anything else (a crash, a sanitizer report, an allocation far
// larger than the file, another exception) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "grokscope/core/error.h"
#include "grokscope/io/npz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("grokscope-fuzz-" + std::to_string(getpid()) + ".npz")).string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)grokscope::read_npz(path);
  } catch (const grokscope::IoError&) {
  }
  return 0;
}
