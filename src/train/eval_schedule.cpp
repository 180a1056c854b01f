// Evaluation schedule (see train/eval_schedule.h).
#include "grokscope/train/eval_schedule.h"

#include <algorithm>
#include <cmath>

namespace grokscope {

EvalSchedule::EvalSchedule(const EvalConfig& config, int64_t total_steps)
    : kind_(config.schedule), every_(std::max<int64_t>(1, config.every)), total_(total_steps) {
  if (kind_ != EvalScheduleKind::log) return;
  log_steps_.push_back(0);
  const double ppd = std::max(1, config.points_per_decade);
  for (int64_t j = 0;; ++j) {
    const auto step = static_cast<int64_t>(std::llround(std::pow(10.0, static_cast<double>(j) / ppd)));
    if (step > total_) break;
    if (step != log_steps_.back()) log_steps_.push_back(step);
  }
  if (log_steps_.back() != total_) log_steps_.push_back(total_);
}

bool EvalSchedule::is_eval_step(int64_t step) const {
  if (step == 0 || step == total_) return true;
  if (kind_ == EvalScheduleKind::linear) return step % every_ == 0;
  return std::binary_search(log_steps_.begin(), log_steps_.end(), step);
}

std::vector<int64_t> EvalSchedule::steps() const {
  if (kind_ == EvalScheduleKind::log) return log_steps_;
  std::vector<int64_t> out;
  for (int64_t s = 0; s < total_; s += every_) out.push_back(s);
  out.push_back(total_);
  return out;
}

}  // namespace grokscope
