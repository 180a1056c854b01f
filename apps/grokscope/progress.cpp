// Progress line and clock table.
#include "progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace grokscope::cli {

void ProgressObserver::on_progress(const Progress& p) {
  inner_.on_progress(p);
  if (!live_) return;
  const double rate = p.steps_per_second > 0 ? p.steps_per_second : 1.0;
  // With early stop on, the end is the early-stop step once the conditions hold; before that only a bound is known.
  const int64_t end = p.early_stop && p.early_stop_at >= 0 ? std::min(p.early_stop_at, p.total_steps) : p.total_steps;
  const double eta = static_cast<double>(std::max<int64_t>(end - p.step, 0)) / rate;
  const char* kind = p.early_stop && p.early_stop_at < 0 ? "ETA <=" : p.early_stop ? "ETA (early stop)" : "ETA";
  std::fprintf(stderr, "\r\033[K step %lld/%lld  %.0f steps/s  %s %.0fs  train acc %.4f  test acc %.4f  loss %.3g",
               static_cast<long long>(p.step), static_cast<long long>(p.total_steps), p.steps_per_second, kind, eta,
               p.acc_train, p.acc_test, p.loss_train);
  std::fflush(stderr);
  drew_ = true;
}

void ProgressObserver::on_finish(const RunSummary& summary, const std::vector<NpyArray>& params_final) {
  if (drew_) std::fprintf(stderr, "\r\033[K");
  inner_.on_finish(summary, params_final);
}

std::string format_clock_table(const RunSummary& s) {
  std::string out = fmt::format("{:<14} {:>10} {:>14}  {}\n", "clock", "step", "time (sum lr)", "note");
  for (const auto& c : s.clocks) {
    const std::string name = c.name == "t_cls"   ? fmt::format("t_cls({:g})", c.eps)
                             : c.name == "t_rep" ? fmt::format("t_rep({:g})", c.eps)
                                                 : c.name;
    if (c.fired)
      out += fmt::format("{:<14} {:>10} {:>14.6g}  {}\n", name, c.step, c.time,
                         c.bracket_lo < 0 ? std::string("at the first evaluation")
                                          : fmt::format("first eval after step {}", c.bracket_lo));
    else
      out += fmt::format("{:<14} {:>10} {:>14}  {}\n", name, "never", "-", c.reason);
  }
  const Clock* fit = nullptr;
  const Clock* gen = nullptr;
  for (const auto& c : s.clocks) {
    if (c.name == "t_fit") fit = &c;
    if (c.name == "t_gen") gen = &c;
  }
  if (fit && gen && fit->fired && gen->fired && fit->step > 0)
    out += fmt::format("t_gen / t_fit = {:.2f}\n", static_cast<double>(gen->step) / static_cast<double>(fit->step));
  if (!s.rep_metric.empty()) out += fmt::format("t_rep is measured on {}\n", s.rep_metric);
  return out;
}

int report_finished_run(const std::string& out_dir, const RunSummary& summary, bool quiet) {
  if (!quiet) {
    std::printf("run: %s  status: %s (%s)\n", out_dir.c_str(), to_string(summary.status), summary.message.c_str());
    std::printf("%s", format_clock_table(summary).c_str());
    std::printf("%lld steps in %.1f s (%.0f steps/s, evaluation %.1f%% of the time)\n",
                static_cast<long long>(summary.steps_done), summary.timing.seconds, summary.timing.steps_per_second,
                summary.timing.seconds > 0 ? 100.0 * summary.timing.eval_seconds / summary.timing.seconds : 0.0);
    if (summary.flow)
      std::printf("gradient flow to t = %.6g: %lld gradient evaluations, %lld accepted / %lld rejected / %lld forced "
                  "steps (rtol %g, atol %g)\n",
                  summary.time, static_cast<long long>(summary.flow->gradient_evaluations),
                  static_cast<long long>(summary.flow->accepted_steps),
                  static_cast<long long>(summary.flow->rejected_steps),
                  static_cast<long long>(summary.flow->forced_steps), summary.flow->rtol, summary.flow->atol);
  }
  if (summary.status == RunStatus::diverged) {
    std::fprintf(stderr, "grokscope: run diverged: %s\n", summary.message.c_str());
    return 1;
  }
  return 0;
}

int report_failed_run(RunDirWriter& writer, const std::string& message) {
  const bool written = writer.write_failure(message);
  std::fprintf(stderr, "grokscope: run failed: %s (%s; every finished metrics.csv row is kept)\n", message.c_str(),
               written ? "summary.json says status \"failed\"" : "no summary.json could be written");
  return 1;
}

}  // namespace grokscope::cli
