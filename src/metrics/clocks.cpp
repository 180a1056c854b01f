// Online clock detection (see train/clocks.h).
#include "grokscope/metrics/clocks.h"

#include <fmt/format.h>

#include <limits>

namespace grokscope {

namespace {
Clock make_clock(const char* name, double eps) {
  Clock c;
  c.name = name;
  c.eps = eps;
  return c;
}
}  // namespace

ClockTracker::ClockTracker(const EvalConfig& config, bool regression)
    : acc_threshold_(config.acc_threshold),
      fit_loss_(config.fit_loss),
      gen_loss_(config.gen_loss),
      regression_(regression) {
  clocks_.push_back(make_clock("t_fit", 0.0));
  clocks_.push_back(make_clock("t_gen", 0.0));
  for (double eps : config.loss_eps) clocks_.push_back(make_clock("t_cls", eps));
  best_loss_train_ = std::numeric_limits<double>::infinity();
  best_loss_test_ = std::numeric_limits<double>::infinity();
}

bool ClockTracker::fit_condition(const EvalPoint& p) const {
  return regression_ ? p.loss_train <= fit_loss_ : p.acc_train >= 1.0;
}

bool ClockTracker::gen_condition(const EvalPoint& p) const {
  return regression_ ? p.loss_test <= gen_loss_ : p.acc_test >= acc_threshold_;
}

void ClockTracker::update(const EvalPoint& p) {
  auto fire = [&](Clock& c, bool condition) {
    if (c.fired || !condition) return;
    c.fired = true;
    c.step = p.step;
    c.time = p.time;
    c.bracket_lo = last_step_;
  };
  fire(clocks_[0], fit_condition(p));
  fire(clocks_[1], gen_condition(p));
  for (size_t i = 2; i < clocks_.size(); ++i) fire(clocks_[i], p.loss_train <= clocks_[i].eps);
  if (p.acc_train > best_acc_train_) best_acc_train_ = p.acc_train, best_acc_train_step_ = p.step;
  if (p.acc_test > best_acc_test_) best_acc_test_ = p.acc_test, best_acc_test_step_ = p.step;
  if (p.loss_train < best_loss_train_) best_loss_train_ = p.loss_train, best_loss_train_step_ = p.step;
  if (p.loss_test < best_loss_test_) best_loss_test_ = p.loss_test, best_loss_test_step_ = p.step;
  last_step_ = p.step;
}

void ClockTracker::finish(const std::string& why_ended) {
  for (auto& c : clocks_) {
    if (c.fired) continue;
    if (regression_ && c.name == "t_fit")
      c.reason = fmt::format("train loss never fell to {} before the {} (lowest {:.6g} at step {})", fit_loss_,
                             why_ended, best_loss_train_, best_loss_train_step_);
    else if (regression_ && c.name == "t_gen")
      c.reason = fmt::format("test loss never fell to {} before the {} (lowest {:.6g} at step {})", gen_loss_,
                             why_ended, best_loss_test_, best_loss_test_step_);
    else if (c.name == "t_fit")
      c.reason = fmt::format("train accuracy never reached 1 before the {} (best {:.6g} at step {})", why_ended,
                             best_acc_train_, best_acc_train_step_);
    else if (c.name == "t_gen")
      c.reason = fmt::format("test accuracy never reached {} before the {} (best {:.6g} at step {})", acc_threshold_,
                             why_ended, best_acc_test_, best_acc_test_step_);
    else
      c.reason = fmt::format("train loss never fell to {} before the {} (lowest {:.6g} at step {})", c.eps, why_ended,
                             best_loss_train_, best_loss_train_step_);
  }
}

bool ClockTracker::all_fired() const {
  for (const auto& c : clocks_)
    if (!c.fired) return false;
  return true;
}

}  // namespace grokscope
