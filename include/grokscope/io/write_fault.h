// Fault injection for the writers of a run directory, for tests: every file write (write_file_atomic, write_npz,
// each metrics.csv / trajectory.csv row) first asks the hook, and a hook that returns a message makes that write fail
// with the IoError "cannot write PATH: MESSAGE", as a full disk, a removed directory or a missing permission would.
// Portable where a small tmpfs is not (mounting one needs privileges). No hook is set outside tests.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace grokscope {

using WriteFault = std::function<std::optional<std::string>(const std::filesystem::path& path)>;

// Installs the hook (an empty function removes it). Thread-safe; the hook itself may be called from several
// threads at once (a sweep's workers).
void set_write_fault(WriteFault hook);
// Throws IoError("cannot write PATH: MESSAGE") when the hook asks for a failure of this write.
void check_write_fault(const std::filesystem::path& path);

}  // namespace grokscope
