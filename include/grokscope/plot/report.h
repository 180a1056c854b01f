// report.html: one self-contained page per run and per sweep (figures embedded as base64 PNG, no external files
// needed; links to the SVGs and run pages work when the directory is at hand), with the config, the clocks, the
// final metrics and the environment (grokscope version, BLAS, threads, steps/s, and the machine the report was made on).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grokscope/plot/gnuplot.h"
#include "grokscope/plot/run_figures.h"
#include "grokscope/sweep/runner.h"

namespace grokscope::plot {

void write_run_report(const RunView& run, const std::vector<Figure>& figures, const std::vector<std::string>& notes);
void write_sweep_report(const std::filesystem::path& dir, const sweep::SweepData& data,
                        const std::vector<Figure>& figures, const std::vector<std::string>& notes);

// Figures (when gnuplot is given) and report.html of a run directory; returns the notes (figures left out, and
// "no figures: gnuplot not found" without gnuplot). Throws IoError for a directory that is not a run, or when
// gnuplot fails.
std::vector<std::string> redraw_run(const std::filesystem::path& dir, const std::optional<std::string>& gnuplot);
// The same for a sweep directory (the sweep's own figures and page; the runs' pages are redrawn by the caller).
std::vector<std::string> redraw_sweep(const std::filesystem::path& dir, const std::optional<std::string>& gnuplot);

// Helpers, exposed for tests.
std::string base64(const std::string& bytes);
std::string html_escape(const std::string& text);

}  // namespace grokscope::plot
