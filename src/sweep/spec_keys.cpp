// Config key lookup, clock names and the small parts of SweepSpec (see spec_keys.h, sweep/spec.h).
#include "spec_keys.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/io/theory_config.h"

namespace grokscope::sweep {

using nlohmann::json;

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool is_group_key(const std::string& key, std::string& field) {
  const std::string prefix = "optim.groups.";
  if (key.rfind(prefix, 0) != 0) return false;
  const size_t dot = key.rfind('.');
  if (dot <= prefix.size()) return false;
  field = key.substr(dot + 1);
  return field == "lr" || field == "weight_decay";
}
}  // namespace

std::vector<ConfigKeyInfo> instrument_keys(Instrument instrument) {
  switch (instrument) {
    case Instrument::train: return config_keys();
    case Instrument::isolated: return isolated_config_keys();
    case Instrument::landscape: return landscape_config_keys();
  }
  return {};
}

const char* to_string(Instrument instrument) {
  switch (instrument) {
    case Instrument::train: return "train";
    case Instrument::isolated: return "isolated";
    case Instrument::landscape: return "landscape";
  }
  return "?";
}

Instrument parse_instrument(const std::string& name) {
  for (Instrument i : {Instrument::train, Instrument::isolated, Instrument::landscape})
    if (name == to_string(i)) return i;
  throw ConfigError("sweep.instrument", name, "must be \"train\", \"isolated\" or \"landscape\"");
}

std::string config_key_type(const std::string& key, Instrument instrument) {
  std::string field;
  if (instrument == Instrument::train && is_group_key(key, field)) return "float (optional)";
  for (const auto& info : instrument_keys(instrument))
    if (info.key == key) return info.type;
  return "";
}

std::string unknown_key_reason(const std::string& key, Instrument instrument) {
  std::string best;
  size_t best_d = std::string::npos;
  const std::string last = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
  for (const auto& info : instrument_keys(instrument)) {
    const std::string& k = info.key;
    const std::string k_last = k.substr(k.rfind('.') + 1);
    const size_t d = k_last == last ? 0 : edit_distance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  if (!best.empty() && best_d <= 3) return "unknown config key (did you mean " + best + "?)";
  return "unknown config key (the keys are listed in docs/config.md)";
}

std::string check_clock_name(const std::string& clock, bool eps_axis, bool t_below_enabled) {
  if (eps_axis) return clock == "t_cls" ? "" : "a fit against eps is a fit of t_cls (clock = \"t_cls\")";
  if (clock == "t_fit" || clock == "t_gen" || clock == "t_rep" || clock == "gen_over_fit") return "";
  if (clock == "t_below") return t_below_enabled ? "" : "needs a [t_below] table (the metrics column and threshold)";
  if (clock == "t_cls") return "name the threshold, e.g. t_cls(0.01), or fit t_cls against x = \"eps\"";
  if (clock.rfind("t_cls(", 0) == 0 && clock.back() == ')') {
    const std::string inner = clock.substr(6, clock.size() - 7);
    char* end = nullptr;
    const double eps = std::strtod(inner.c_str(), &end);
    if (!inner.empty() && end == inner.c_str() + inner.size() && eps > 0) return "";
    return "the threshold of t_cls(eps) must be a positive number";
  }
  return "unknown clock (known: t_fit, t_gen, t_cls(<eps>), t_rep, t_below, gen_over_fit)";
}

FitLaw default_law(const AxisSpec& axis) {
  if (axis.key == "model.init_scale") return FitLaw::log;
  const std::string wd = "weight_decay";
  if (axis.key.size() >= wd.size() && axis.key.compare(axis.key.size() - wd.size(), wd.size(), wd) == 0)
    return FitLaw::inverse;
  if (axis.scale == AxisScale::log) return FitLaw::power;
  return FitLaw::linear;
}

const char* to_string(FitLaw law) {
  switch (law) {
    case FitLaw::linear: return "linear";
    case FitLaw::log: return "log";
    case FitLaw::log_inverse: return "log_inverse";
    case FitLaw::inverse: return "inverse";
    case FitLaw::power: return "power";
  }
  return "?";
}

bool AxisSpec::numeric() const {
  return std::all_of(values.begin(), values.end(), [](const json& v) { return v.is_number(); });
}

const AxisSpec* SweepSpec::find_axis(std::string_view key_or_label) const {
  for (const auto& a : axes)
    if (a.key == key_or_label) return &a;
  for (const auto& a : axes)
    if (a.label == key_or_label) return &a;
  return nullptr;
}

std::vector<FitSpec> SweepSpec::effective_fits() const {
  if (!fits.empty()) return fits;
  std::vector<FitSpec> out;
  for (const auto& axis : axes) {
    if (!axis.numeric() || axis.values.size() < 2) continue;
    std::vector<std::string> clocks = {"t_fit", "t_gen"};
    if (!t_below.column.empty()) clocks.push_back("t_below");
    for (const auto& c : clocks) {
      FitSpec f;
      f.clock = c;
      f.x = axis.key;
      f.law = default_law(axis);
      out.push_back(f);
    }
  }
  FitSpec eps;
  eps.clock = "t_cls";
  eps.x = "eps";
  eps.law = FitLaw::log_inverse;
  out.push_back(eps);
  return out;
}

std::string toml_value_text(const json& v) {
  switch (v.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return v.dump();
    case json::value_t::number_float: {
      const double d = v.get<double>();
      if (std::isnan(d)) return "nan";
      if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
      std::string s = fmt::format("{}", d);
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return v.dump();  // JSON string escapes are valid TOML basic-string escapes
    case json::value_t::array: {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + toml_value_text(v[i]);
      return s + "]";
    }
    case json::value_t::object: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        s += (first ? "" : ", ") + json(k).dump() + " = " + toml_value_text(e);
        first = false;
      }
      return s + "}";
    }
    default:
      throw ConfigError("value", v.dump(), "has no TOML form");
  }
}

// ---- JSON form of the analysis part of a spec --------------------------------------------------------------------

namespace {
const char* scale_name(AxisScale s) { return s == AxisScale::list ? "list" : s == AxisScale::log ? "log" : "linear"; }
}  // namespace

json spec_to_json(const SweepSpec& spec) {
  json j;
  j["name"] = spec.name;
  j["axes"] = json::array();
  for (const auto& a : spec.axes)
    j["axes"].push_back({{"key", a.key}, {"label", a.label}, {"scale", scale_name(a.scale)}, {"values", a.values}});
  j["instrument"] = to_string(spec.instrument);
  j["seed_keys"] = spec.seed_keys;
  j["seeds"] = spec.seeds;
  j["fits"] = json::array();
  for (const auto& f : spec.fits) {
    json jf = {{"clock", f.clock}, {"x", f.x}, {"law", to_string(f.law)}, {"unit", f.in_time ? "time" : "step"}};
    if (std::isfinite(f.x_min)) jf["x_min"] = f.x_min;
    if (std::isfinite(f.x_max)) jf["x_max"] = f.x_max;
    j["fits"].push_back(jf);
  }
  j["phase"] = {{"threshold", spec.phase.threshold}, {"gap_ratio", spec.phase.gap_ratio},
                {"gap_steps", spec.phase.gap_steps}};
  j["t_below"] = {{"column", spec.t_below.column}, {"eta", spec.t_below.eta}, {"hold", spec.t_below.hold}};
  return j;
}

SweepSpec spec_from_json(const json& j) {
  SweepSpec spec;
  spec.name = j.at("name").get<std::string>();
  for (const auto& a : j.at("axes")) {
    AxisSpec axis;
    axis.key = a.at("key").get<std::string>();
    axis.label = a.at("label").get<std::string>();
    const std::string scale = a.at("scale").get<std::string>();
    axis.scale = scale == "log" ? AxisScale::log : scale == "linear" ? AxisScale::linear : AxisScale::list;
    for (const auto& v : a.at("values")) axis.values.push_back(v);
    spec.axes.push_back(std::move(axis));
  }
  spec.instrument = parse_instrument(j.value("instrument", "train"));
  spec.seed_keys = j.at("seed_keys").get<std::vector<std::string>>();
  spec.seeds = j.at("seeds").get<std::vector<int64_t>>();
  for (const auto& f : j.at("fits")) {
    FitSpec fit;
    fit.clock = f.at("clock").get<std::string>();
    fit.x = f.at("x").get<std::string>();
    const std::string law = f.at("law").get<std::string>();
    for (FitLaw l : {FitLaw::linear, FitLaw::log, FitLaw::log_inverse, FitLaw::inverse, FitLaw::power})
      if (law == to_string(l)) fit.law = l;
    fit.in_time = f.at("unit").get<std::string>() == "time";
    if (f.contains("x_min")) fit.x_min = f["x_min"].get<double>();
    if (f.contains("x_max")) fit.x_max = f["x_max"].get<double>();
    spec.fits.push_back(fit);
  }
  spec.phase.threshold = j.at("phase").at("threshold").get<double>();
  spec.phase.gap_steps = j.at("phase").at("gap_steps").get<int64_t>();
  spec.phase.gap_ratio = j.at("phase").value("gap_ratio", 1.0);   // older sweep directories: the absolute rule
  // Sweep directories written before the threshold clock was renamed store it as "t_rep".
  const json& below = j.contains("t_below") ? j.at("t_below") : j.at("t_rep");
  spec.t_below.column = below.at("column").get<std::string>();
  spec.t_below.eta = below.at("eta").get<double>();
  spec.t_below.hold = below.at("hold").get<int>();
  return spec;
}

}  // namespace grokscope::sweep
