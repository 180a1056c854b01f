// Grid expansion and run names (see sweep/grid.h).
#include "grokscope/sweep/grid.h"

#include <fmt/format.h>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/io/theory_config.h"
#include "grokscope/train/trainer.h"

namespace grokscope::sweep {

using nlohmann::json;

namespace {
std::string fnv1a_hex8(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:08x}", static_cast<uint32_t>(h ^ (h >> 32)));
}

std::string sanitize(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '+' || c == '-';
    if (ok) out += c;
    else if (out.empty() || out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}
}  // namespace

std::string value_label(const json& v) {
  if (v.is_number_float()) return fmt::format("{:.4g}", v.get<double>());
  if (v.is_number()) return v.dump();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_array()) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) s += 'x';
      s += value_label(v[i]);
    }
    return s.empty() ? "none" : s;
  }
  return v.dump();
}

std::vector<GridPoint> expand_grid(const SweepSpec& spec) {
  int64_t cells = 1;
  for (const auto& a : spec.axes) cells *= static_cast<int64_t>(a.values.size());
  std::vector<GridPoint> points;
  points.reserve(static_cast<size_t>(cells) * spec.seeds.size());
  std::vector<std::string> common = spec.base_overrides;
  common.insert(common.end(), spec.set.begin(), spec.set.end());
  if (spec.instrument == Instrument::train) common.push_back(fmt::format("train.threads={}", spec.threads_per_run));
  for (int64_t c = 0; c < cells; ++c) {
    // Digits of c in the mixed radix of the axis sizes, the last axis fastest.
    std::vector<size_t> index(spec.axes.size());
    int64_t rest = c;
    for (size_t a = spec.axes.size(); a-- > 0;) {
      const auto n = static_cast<int64_t>(spec.axes[a].values.size());
      index[a] = static_cast<size_t>(rest % n);
      rest /= n;
    }
    std::vector<json> values;
    std::vector<std::string> axis_overrides;
    std::string readable, identity;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      const json& v = spec.axes[a].values[index[a]];
      values.push_back(v);
      axis_overrides.push_back(spec.axes[a].key + "=" + toml_value_text(v));
      identity += axis_overrides.back() + "\n";
      if (!readable.empty()) readable += '_';
      readable += sanitize(spec.axes[a].label);
      readable += '=';
      readable += sanitize(value_label(v));
    }
    if (readable.size() > 80) readable.resize(80);
    const std::string cell = readable.empty() ? "base" : readable + "_" + fnv1a_hex8(identity);
    for (int64_t seed : spec.seeds) {
      GridPoint p;
      p.cell = cell;
      p.cell_index = c;
      p.values = values;
      p.seed = seed;
      std::string seed_identity = identity;
      p.overrides = common;
      p.overrides.insert(p.overrides.end(), axis_overrides.begin(), axis_overrides.end());
      for (const auto& k : spec.seed_keys) {
        p.overrides.push_back(fmt::format("{}={}", k, seed));
        seed_identity += p.overrides.back() + "\n";
      }
      p.name = (readable.empty() ? "" : readable + "_") + fmt::format("seed={}_", seed) + fnv1a_hex8(seed_identity);
      points.push_back(std::move(p));
    }
  }
  return points;
}

namespace {
// Runs parse (which throws ConfigError), naming the sweep's value of an override whose key the error names.
template <class Parse>
auto with_override_values(const GridPoint& point, Parse parse) {
  try {
    return parse();
  } catch (const ConfigError& e) {
    // An unknown key of an override is reported without its value; name the value the sweep gave it.
    if (!e.value().empty()) throw;
    const std::string prefix = e.key() + ": ";
    for (const auto& o : point.overrides) {
      if (o.rfind(e.key() + "=", 0) != 0) continue;
      std::string reason = e.what();
      if (reason.rfind(prefix, 0) == 0) reason = reason.substr(prefix.size());
      throw ConfigError(e.key(), o.substr(e.key().size() + 1), reason);
    }
    throw;
  }
}

std::string base_source_name(const SweepSpec& spec) {
  return spec.base_source.empty() || spec.base_source == "[base]" ? spec.source : spec.base_source;
}
}  // namespace

InstrumentRun resolve_run(const SweepSpec& spec, const GridPoint& point) {
  if (spec.instrument == Instrument::isolated) {
    const theory::IsolatedConfig c = resolve_isolated_config(spec, point);
    return {theory::isolated_run_config(c), isolated_config_hash(c),
            [c](RunDirWriter& writer, RunObserver& observer) {
              add_isolated_files(writer, c);
              theory::simulate_isolated_dynamics(c, observer);
            }};
  }
  if (spec.instrument == Instrument::landscape) {
    const theory::LandscapeConfig c = resolve_landscape_config(spec, point);
    return {theory::landscape_run_config(c), landscape_config_hash(c),
            [c](RunDirWriter& writer, RunObserver& observer) {
              add_landscape_files(writer, c);
              theory::simulate_landscape(c, observer);
            }};
  }
  RunConfig config = with_override_values(point, [&] {
    RunConfig c = parse_run_config(spec.base_text, point.overrides, base_source_name(spec));
    validate(c);
    return c;
  });
  const std::string hash = config_hash(config);
  return {config, hash, [config](RunDirWriter&, RunObserver& observer) { train(config, observer); }};
}

RunConfig resolve_config(const SweepSpec& spec, const GridPoint& point) { return resolve_run(spec, point).config; }

theory::IsolatedConfig resolve_isolated_config(const SweepSpec& spec, const GridPoint& point) {
  return with_override_values(point, [&] {
    theory::IsolatedConfig config = parse_isolated_config(spec.base_text, point.overrides, base_source_name(spec));
    theory::validate(config);
    return config;
  });
}

theory::LandscapeConfig resolve_landscape_config(const SweepSpec& spec, const GridPoint& point) {
  return with_override_values(point, [&] {
    theory::LandscapeConfig config = parse_landscape_config(spec.base_text, point.overrides, base_source_name(spec));
    theory::validate(config);
    return config;
  });
}

}  // namespace grokscope::sweep
