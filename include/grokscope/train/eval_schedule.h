// Which steps are evaluated. Step 0 (the initialization) and the last step are always evaluated.
//   log:    round(10^(j / points_per_decade)) for j = 0, 1, ... (dense early, sparse late; duplicates merged)
//   linear: every `every` steps
#pragma once

#include <cstdint>
#include <vector>

#include "grokscope/train/config.h"

namespace grokscope {

class EvalSchedule {
 public:
  EvalSchedule(const EvalConfig& config, int64_t total_steps);
  bool is_eval_step(int64_t step) const;
  // All evaluated steps in increasing order (for a linear schedule this is computed on demand).
  std::vector<int64_t> steps() const;

 private:
  EvalScheduleKind kind_;
  int64_t every_ = 1;
  int64_t total_ = 0;
  std::vector<int64_t> log_steps_;  // sorted, log schedule only
};

}  // namespace grokscope
