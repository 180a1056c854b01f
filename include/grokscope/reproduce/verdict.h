// Verdicts of a reproduction: one per checkable prediction of a paper, each computed from measured outputs, with the
// prediction in words, the measured numbers in words and pass/fail. Also the small numerical helpers the checks share
// (pure functions on series, tested on synthetic inputs). Nothing here reads files.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace grokscope::reproduce {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Verdict {
  std::string name;         // short id of the prediction: "decay_rate", "t_gen_over_t_fit"
  std::string prediction;   // what the paper predicts, with the tolerance used
  std::string measured;     // what was measured
  bool pass = false;
  double value = kNaN;      // the measured number the verdict is about (NaN when none)
  double expected = kNaN;   // the predicted number or bound (NaN when none)
};

nlohmann::json to_json(const Verdict& v);

// |measured - predicted| <= rel_tol * |predicted| (NaN fails).
Verdict within_relative(std::string name, std::string prediction, double measured, double predicted, double rel_tol,
                        std::string unit = "");
// measured >= bound / measured <= bound (NaN fails).
Verdict at_least(std::string name, std::string prediction, double measured, double bound, std::string what = "");
Verdict at_most(std::string name, std::string prediction, double measured, double bound, std::string what = "");
// A verdict that cannot be evaluated (missing data): always a failure with the reason as the measurement.
Verdict missing(std::string name, std::string prediction, std::string why);

// Index of the first point with values[i] <= threshold (below = true) or >= threshold (below = false); -1 if none.
// NaN never crosses.
int64_t first_crossing(const std::vector<double>& values, double threshold, bool below);
// Like first_crossing, but the condition must then hold at every later point (the last entry into the region).
int64_t settled_crossing(const std::vector<double>& values, double threshold, bool below);
// The value of xs at the first crossing, NaN when none.
double crossing_x(const std::vector<double>& xs, const std::vector<double>& values, double threshold, bool below);
// Per-step geometric decay rate r of |d_t| ~ C r^t: exp(slope) of a least-squares fit of ln|d| against t over the
// points with |d| > floor (floor relative to max |d|). NaN with fewer than two such points.
double geometric_rate(const std::vector<double>& t, const std::vector<double>& d, double relative_floor = 1e-12);
// True when ys is non-increasing (strictly decreasing when strict) in the order of xs (xs sorted ascending here).
bool monotone_decreasing(std::vector<double> xs, std::vector<double> ys, bool strict);
// Number formatting for reports: 4 significant digits, "-" for NaN.
std::string num(double v);

}  // namespace grokscope::reproduce
