// Verdicts over several seeds. A reproduction whose runs have more than one seed runs its check once per seed (each
// call sees that seed's runs only) and combines the verdicts of the same name: a combined verdict passes when more
// than half of the seeds pass it (the median seed passes), its value is the median of the seeds' values, and its
// measurement names the pass count, the min / median / max of the value and the worst seed (the first failing one).
// A verdict that one seed's check did not produce counts as failed on that seed. Pure functions, no files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/reproduce/verdict.h"

namespace grokscope::reproduce {

struct SeedOutcome {
  int64_t seed = 0;
  bool pass = false;
  double value = kNaN;
  std::string measured;
};

struct SeededVerdict {
  Verdict combined;
  std::vector<SeedOutcome> seeds;   // one per seed, in the order of `seeds` below
};

// per_seed[k] holds the verdicts of seeds[k]'s check. Verdicts come out in the order of their first appearance.
std::vector<SeededVerdict> combine_seed_verdicts(const std::vector<int64_t>& seeds,
                                                 const std::vector<std::vector<Verdict>>& per_seed);

// A verdict name without the names of the runs it was computed on (and trailing spaces): a check that tags its
// verdicts with a run's directory name ("generalizes seed=1_399e1440", a run without axes) then gives the same name
// on every seed. run_reproduction applies it to each seed's verdicts before combining them.
std::string without_run_names(std::string name, const std::vector<std::string>& run_names);

// Median of the finite values (NaN when none; the mean of the middle two for an even count).
double median_of(std::vector<double> values);

nlohmann::json to_json(const SeedOutcome& s);

}  // namespace grokscope::reproduce
