// The stop signals of interrupt.h: SIGINT (Ctrl-C), SIGTERM (`timeout`, `kill`, Slurm at a time limit or a
// preemption) and SIGHUP (a closed terminal) all ask for a clean stop; a second one of any of them ends the process.
#include "interrupt.h"

#include <csignal>

namespace grokscope::cli {

namespace {
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
  for (const int s : kStopSignals) std::signal(s, SIG_DFL);  // a second signal ends the process at once
}
}  // namespace

std::atomic<bool>& interrupt_flag() { return g_interrupted; }

CatchInterrupt::CatchInterrupt() {
  g_interrupted.store(false);
  for (const int s : kStopSignals) std::signal(s, on_interrupt);
}

CatchInterrupt::~CatchInterrupt() {
  for (const int s : kStopSignals) std::signal(s, SIG_DFL);
}

}  // namespace grokscope::cli
