// The loss and generalization clocks, updated online at every evaluation:
//   t_fit       first evaluation with train accuracy 1
//   t_gen       first evaluation with test accuracy >= acc_threshold
//   t_cls(eps)  first evaluation with train loss <= eps, for each eps
// For regression tasks (no accuracy) t_fit fires at train loss <= fit_loss and t_gen at test loss <= gen_loss.
// A clock fires at an evaluation, so it is known only up to the previous evaluated step (`bracket_lo`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grokscope/core/clock.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

class ClockTracker {
 public:
  ClockTracker(const EvalConfig& config, bool regression);
  void update(const EvalPoint& point);
  // Fills the reasons of clocks that never fired; `why_ended` is e.g. "run completed" or "run diverged".
  void finish(const std::string& why_ended);

  bool all_fired() const;
  bool fit_condition(const EvalPoint& p) const;
  bool gen_condition(const EvalPoint& p) const;
  const Clock& t_fit() const { return clocks_[0]; }
  const Clock& t_gen() const { return clocks_[1]; }
  // t_cls clocks in the order of EvalConfig::loss_eps.
  std::vector<Clock> t_cls() const { return {clocks_.begin() + 2, clocks_.end()}; }
  const std::vector<Clock>& all() const { return clocks_; }

 private:
  double acc_threshold_, fit_loss_, gen_loss_;
  bool regression_;
  std::vector<Clock> clocks_;
  int64_t last_step_ = -1;
  double best_acc_train_ = 0.0, best_acc_test_ = 0.0, best_loss_train_ = 0.0, best_loss_test_ = 0.0;
  int64_t best_acc_train_step_ = 0, best_acc_test_step_ = 0, best_loss_train_step_ = 0, best_loss_test_step_ = 0;
};

}  // namespace grokscope
