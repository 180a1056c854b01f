// A training clock and the evaluation point it is read from: the vocabulary of run summaries (core/run.h) and of
// the online clock detection (metrics/clocks.h).
#pragma once

#include <cstdint>
#include <string>

namespace grokscope {

struct Clock {
  std::string name;          // "t_fit", "t_gen", "t_cls"
  double eps = 0.0;          // t_cls only
  bool fired = false;
  int64_t step = -1;         // first evaluated step at which the condition held
  double time = 0.0;         // continuous time (sum of learning rates) at that step
  int64_t bracket_lo = -1;   // the evaluation before it (the clock lies in (bracket_lo, step])
  std::string reason;        // why it never fired (filled by finish())
};

struct EvalPoint {
  int64_t step = 0;
  double time = 0.0;
  double loss_train = 0.0;
  double acc_train = 0.0;
  double acc_test = 0.0;
  double loss_test = 0.0;
};

}  // namespace grokscope
