// Internal to the trainer: the early-stop rule (train.early_stop, train.early_stop_margin).
// The run stops once every online clock (t_fit, t_gen, every t_cls) has fired and the fit and generalization
// conditions have held at every evaluation since some step h, at the first step s >= max(h + 1, (1 + margin) h).
// The representation clock t_rep is computed after the run (clock_analysis.h) and is not part of the rule.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "grokscope/core/clock.h"
#include "grokscope/core/run_config.h"
#include "grokscope/metrics/clocks.h"

namespace grokscope::detail {

class EarlyStopRule {
 public:
  explicit EarlyStopRule(const TrainConfig& train) : enabled_(train.early_stop), margin_(train.early_stop_margin) {}

  // After the clocks saw the evaluation `point`: do the conditions hold there?
  void observe(const ClockTracker& clocks, const EvalPoint& point) {
    const bool holds = clocks.all_fired() && clocks.fit_condition(point) && clocks.gen_condition(point);
    if (!holds)
      held_since_ = -1;
    else if (held_since_ < 0)
      held_since_ = point.step;
  }

  // The step at which due() turns true if the conditions keep holding (-1 when they do not hold yet or the rule is
  // off).
  int64_t stop_step() const {
    if (!enabled_ || held_since_ < 0) return -1;
    return std::max<int64_t>(held_since_ + 1,
                             static_cast<int64_t>(std::ceil((1.0 + margin_) * static_cast<double>(held_since_))));
  }

  // Every clock fired and the conditions held at every evaluation from held_since_ to now.
  bool due(int64_t step) const {
    if (!enabled_ || held_since_ < 0 || step <= held_since_) return false;
    return static_cast<double>(step) >= (1.0 + margin_) * static_cast<double>(held_since_);
  }

  static constexpr const char* kMessage = "early stop: t_fit, t_gen and every t_cls fired and held";

 private:
  bool enabled_;
  double margin_;
  int64_t held_since_ = -1;
};

}  // namespace grokscope::detail
