// Terminal progress line and the end-of-run clock table, as a RunObserver that forwards to another observer.
#pragma once

#include <atomic>

#include "grokscope/core/run.h"
#include "grokscope/io/run_dir.h"

namespace grokscope::cli {

class ProgressObserver : public RunObserver {
 public:
  // live: draw a progress line on stderr (only when it is a terminal).
  ProgressObserver(RunObserver& inner, bool live, const std::atomic<bool>& stop_flag)
      : inner_(inner), live_(live), stop_flag_(stop_flag) {}

  void on_start(const RunStart& start) override { inner_.on_start(start); }
  void on_eval(const std::vector<double>& row) override { inner_.on_eval(row); }
  void on_progress(const Progress& p) override;
  void on_trajectory(int64_t step, double time, const std::vector<double>& params) override {
    inner_.on_trajectory(step, time, params);
  }
  void on_finish(const RunSummary& summary, const std::vector<NpyArray>& params_final) override;
  bool stop_requested() override { return stop_flag_.load() || inner_.stop_requested(); }

 private:
  RunObserver& inner_;
  bool live_;
  const std::atomic<bool>& stop_flag_;
  bool drew_ = false;
};

// The human-readable clock table printed after a run.
std::string format_clock_table(const RunSummary& summary);

// The end of a run on the terminal: unless quiet, the status line, the clock table and the speed; a diverged run
// adds a line on stderr. Returns the exit status: 1 for a diverged run, else 0.
int report_finished_run(const std::string& out_dir, const RunSummary& summary, bool quiet);

// A run that threw after its directory was started (a write failed, memory ran out): summary.json with status
// "failed" (when the disk still lets it be written), one line on stderr. Returns the exit status, 1.
int report_failed_run(RunDirWriter& writer, const std::string& message);

}  // namespace grokscope::cli
