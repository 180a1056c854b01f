// Combining a check's verdicts over seeds (reproduce/seeds.h).
#include "grokscope/reproduce/seeds.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace grokscope::reproduce {

double median_of(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

std::string without_run_names(std::string name, const std::vector<std::string>& run_names) {
  for (const auto& run : run_names)
    for (size_t at; !run.empty() && (at = name.find(run)) != std::string::npos;) name.erase(at, run.size());
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return name;
}

nlohmann::json to_json(const SeedOutcome& s) {
  return {{"seed", s.seed},
          {"pass", s.pass},
          {"value", std::isfinite(s.value) ? nlohmann::json(s.value) : nlohmann::json(nullptr)},
          {"measured", s.measured}};
}

std::vector<SeededVerdict> combine_seed_verdicts(const std::vector<int64_t>& seeds,
                                                 const std::vector<std::vector<Verdict>>& per_seed) {
  std::vector<std::string> names;
  for (const auto& vs : per_seed)
    for (const auto& v : vs)
      if (std::find(names.begin(), names.end(), v.name) == names.end()) names.push_back(v.name);
  std::vector<SeededVerdict> out;
  for (const auto& name : names) {
    SeededVerdict sv;
    const Verdict* first = nullptr;
    std::vector<double> values;
    int passed = 0;
    for (size_t k = 0; k < seeds.size(); ++k) {
      const Verdict* v = nullptr;
      if (k < per_seed.size())
        for (const auto& x : per_seed[k])
          if (x.name == name) v = &x;
      SeedOutcome o{seeds[k], false, kNaN, "not produced on this seed"};
      if (v) {
        if (!first) first = v;
        o = SeedOutcome{seeds[k], v->pass, v->value, v->measured};
        values.push_back(v->value);
      }
      passed += o.pass;
      sv.seeds.push_back(std::move(o));
    }
    const int n = static_cast<int>(seeds.size());
    Verdict& c = sv.combined;
    c.name = name;
    c.prediction = first->prediction;
    c.expected = first->expected;
    c.value = median_of(values);
    c.pass = 2 * passed > n;
    values.erase(std::remove_if(values.begin(), values.end(), [](double x) { return std::isnan(x); }), values.end());
    c.measured = fmt::format("{}/{} seeds pass", passed, n);
    if (!values.empty())
      c.measured += fmt::format("; value median {} (min {}, max {})", num(c.value),
                                num(*std::min_element(values.begin(), values.end())),
                                num(*std::max_element(values.begin(), values.end())));
    const auto worst = std::find_if(sv.seeds.begin(), sv.seeds.end(), [](const SeedOutcome& o) { return !o.pass; });
    c.measured += worst == sv.seeds.end() ? fmt::format("; seed {}: {}", sv.seeds.front().seed, sv.seeds.front().measured)
                                          : fmt::format("; worst seed {}: {}", worst->seed, worst->measured);
    out.push_back(std::move(sv));
  }
  return out;
}

}  // namespace grokscope::reproduce
