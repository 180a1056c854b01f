#include "interrupt.h"

#include <csignal>

namespace grokscope::cli {

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}
}  // namespace

std::atomic<bool>& interrupt_flag() { return g_interrupted; }

CatchInterrupt::CatchInterrupt() {
  g_interrupted.store(false);
  std::signal(SIGINT, on_interrupt);
}

CatchInterrupt::~CatchInterrupt() { std::signal(SIGINT, SIG_DFL); }

}  // namespace grokscope::cli
