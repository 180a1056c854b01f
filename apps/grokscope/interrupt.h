// Ctrl-C, SIGTERM or SIGHUP during a long command (train, sweep, reproduce, theory): while a CatchInterrupt is alive,
// the first such signal only sets interrupt_flag(), so the command can stop cleanly and keep what it has (a run ends
// with status "stopped", its parameters and summary written; a sweep leaves the run unfinished and resumes it); a
// second one ends the process at once (the handler restores the default actions).
#pragma once

#include <atomic>

namespace grokscope::cli {

std::atomic<bool>& interrupt_flag();

class CatchInterrupt {
 public:
  CatchInterrupt();   // clears the flag and installs the handler
  ~CatchInterrupt();  // restores the default action; the flag keeps its value
  CatchInterrupt(const CatchInterrupt&) = delete;
  CatchInterrupt& operator=(const CatchInterrupt&) = delete;
};

}  // namespace grokscope::cli
