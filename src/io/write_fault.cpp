// The write-fault hook of tests (see io/write_fault.h).
#include "grokscope/io/write_fault.h"

#include <fmt/format.h>

#include <memory>
#include <mutex>

#include "grokscope/core/error.h"

namespace grokscope {

namespace {
std::mutex& hook_mutex() {
  static std::mutex m;
  return m;
}
std::shared_ptr<const WriteFault>& hook() {
  static std::shared_ptr<const WriteFault> h;
  return h;
}
}  // namespace

void set_write_fault(WriteFault h) {
  const std::lock_guard lock(hook_mutex());
  hook() = h ? std::make_shared<const WriteFault>(std::move(h)) : nullptr;
}

void check_write_fault(const std::filesystem::path& path) {
  std::shared_ptr<const WriteFault> h;
  {
    const std::lock_guard lock(hook_mutex());
    h = hook();
  }
  if (!h) return;
  if (const auto message = (*h)(path)) throw IoError(fmt::format("cannot write {}: {}", path.string(), *message));
}

}  // namespace grokscope
