// Sweep files: parsing and checking (see sweep/spec.h and docs/sweep.md).
#include "grokscope/sweep/spec.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "grokscope/core/error.h"
#include "spec_keys.h"

namespace grokscope::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string render(const toml::node& n) {
  if (auto v = n.as_string()) return json(v->get()).dump();
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) return toml_value_text(json(v->get()));
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  if (auto a = n.as_array()) {
    std::string out = "[";
    for (size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + render(*a->get(i));
    return out + "]";
  }
  if (auto t = n.as_table()) {
    std::string out = "{";
    for (const auto& [k, v] : *t) out += (out.size() > 1 ? ", " : "") + std::string(k.str()) + " = " + render(v);
    return out + "}";
  }
  return "<date/time>";
}

// TOML node -> JSON value (tables become objects).
json to_json_value(const toml::node& n, const std::string& key) {
  if (auto v = n.as_integer()) return v->get();
  if (auto v = n.as_floating_point()) {
    if (!std::isfinite(v->get())) throw ConfigError(key, render(n), "must be finite");
    return v->get();
  }
  if (auto v = n.as_boolean()) return v->get();
  if (auto v = n.as_string()) return v->get();
  if (auto a = n.as_array()) {
    json out = json::array();
    for (const auto& e : *a) out.push_back(to_json_value(e, key));
    return out;
  }
  if (auto t = n.as_table()) {
    json out = json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = to_json_value(v, key + "." + std::string(k.str()));
    return out;
  }
  throw ConfigError(key, render(n), "dates and times are not config values");
}

void check_keys(const toml::table& t, const std::string& where, const std::vector<std::string>& known) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
    throw ConfigError(where.empty() ? key : where + "." + key, render(v), "unknown key (known" +
                      (where.empty() ? std::string(" sections") : " in [" + where + "]") + ": " + list + ")");
  }
}

const toml::table* table_at(const toml::table& root, const char* name) {
  const toml::node* n = root.get(name);
  if (!n) return nullptr;
  if (!n->as_table()) throw ConfigError(name, render(*n), "must be a table");
  return n->as_table();
}

std::string get_string(const toml::table& t, const char* name, const std::string& where, std::string fallback) {
  const toml::node* n = t.get(name);
  if (!n) return fallback;
  if (!n->as_string()) throw ConfigError(where + "." + name, render(*n), "must be a string");
  return n->as_string()->get();
}

int64_t get_int(const toml::table& t, const char* name, const std::string& where, int64_t fallback) {
  const toml::node* n = t.get(name);
  if (!n) return fallback;
  if (auto i = n->as_integer()) return i->get();
  if (auto f = n->as_floating_point(); f && std::isfinite(f->get()) && f->get() == std::floor(f->get()) &&
                                         std::abs(f->get()) < 9.2e18)
    return static_cast<int64_t>(f->get());
  throw ConfigError(where + "." + name, render(*n), "must be an integer");
}

// An integer in [lo, hi] (checked before narrowing, so 1e12 is reported as written).
int get_int_in(const toml::table& t, const char* name, const std::string& where, int fallback, int lo, int hi,
               const char* reason) {
  const int64_t v = get_int(t, name, where, fallback);
  if (v < lo || v > hi) throw ConfigError(where + "." + name, std::to_string(v), reason);
  return static_cast<int>(v);
}

double get_double(const toml::table& t, const char* name, const std::string& where, double fallback) {
  const toml::node* n = t.get(name);
  if (!n) return fallback;
  if (auto i = n->as_integer()) return static_cast<double>(i->get());
  if (auto f = n->as_floating_point(); f && std::isfinite(f->get())) return f->get();
  throw ConfigError(where + "." + name, render(*n), "must be a finite number");
}

// Flattens a table into key=value overrides: nested tables join their keys with dots; other values are kept whole.
void flatten(const toml::table& t, const std::string& prefix, const std::string& where,
             std::vector<std::string>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto sub = v.as_table()) {
      flatten(*sub, key, where, out);
      continue;
    }
    out.push_back(key + "=" + toml_value_text(to_json_value(v, where + "." + key)));
  }
}

std::vector<int64_t> parse_seeds(const toml::node& n) {
  std::vector<int64_t> seeds;
  if (auto i = n.as_integer()) {
    if (i->get() < 1) throw ConfigError("sweep.seeds", render(n), "a seed count must be >= 1");
    for (int64_t s = 0; s < i->get(); ++s) seeds.push_back(s);
    return seeds;
  }
  auto a = n.as_array();
  if (!a || a->empty()) throw ConfigError("sweep.seeds", render(n), "must be a count (3) or a non-empty list ([0, 1, 2])");
  for (const auto& e : *a) {
    auto i = e.as_integer();
    if (!i || i->get() < 0) throw ConfigError("sweep.seeds", render(n), "every seed must be an integer >= 0");
    if (std::find(seeds.begin(), seeds.end(), i->get()) != seeds.end())
      throw ConfigError("sweep.seeds", render(n), fmt::format("seed {} is listed twice", i->get()));
    seeds.push_back(i->get());
  }
  return seeds;
}

std::vector<std::string> parse_seed_keys(const toml::node& n, Instrument instrument) {
  std::vector<std::string> keys;
  if (auto s = n.as_string()) keys.push_back(s->get());
  else if (auto a = n.as_array()) {
    for (const auto& e : *a) {
      if (!e.as_string()) throw ConfigError("sweep.seed_keys", render(n), "must be a key or a list of keys");
      keys.push_back(e.as_string()->get());
    }
  } else {
    throw ConfigError("sweep.seed_keys", render(n), "must be a key or a list of keys");
  }
  for (const auto& k : keys) {
    const std::string type = config_key_type(k, instrument);
    if (type.empty()) throw ConfigError("sweep.seed_keys", k, unknown_key_reason(k, instrument));
    if (type != "uint64" && type.rfind("int", 0) != 0)
      throw ConfigError("sweep.seed_keys", k, "a seed key must be an integer config key (e.g. train.seed, task.split_seed)");
  }
  return keys;
}

// Values of a range axis: `points` values from lo to hi (both included), evenly spaced or log-spaced.
std::vector<json> range_values(const toml::table& t, const std::string& where, AxisScale scale, bool integer) {
  const char* name = scale == AxisScale::log ? "log" : "linear";
  const toml::node* n = t.get(name);
  const auto* a = n->as_array();
  const std::string key = where + "." + name;
  if (!a || a->size() != 2) throw ConfigError(key, render(*n), "must be [low, high]");
  double ends[2];
  for (int i = 0; i < 2; ++i) {
    const toml::node& e = *a->get(static_cast<size_t>(i));
    if (auto v = e.as_integer()) ends[i] = static_cast<double>(v->get());
    else if (auto f = e.as_floating_point(); f && std::isfinite(f->get())) ends[i] = f->get();
    else throw ConfigError(key, render(*n), "the ends must be finite numbers");
  }
  if (scale == AxisScale::log && !(ends[0] > 0 && ends[1] > 0))
    throw ConfigError(key, render(*n), "a log range needs positive ends");
  if (!t.get("points")) throw ConfigError(where + ".points", "", "a range needs points (the number of values, >= 2)");
  const int64_t points = get_int(t, "points", where, 0);
  if (points < 2 || points > 100000)
    throw ConfigError(where + ".points", std::to_string(points), "must be in [2, 100000]");
  std::vector<json> values;
  for (int64_t i = 0; i < points; ++i) {
    const double f = static_cast<double>(i) / static_cast<double>(points - 1);
    double v;
    if (i == 0) v = ends[0];
    else if (i == points - 1) v = ends[1];
    else if (scale == AxisScale::log)
      v = std::pow(10.0, std::log10(ends[0]) + f * (std::log10(ends[1]) - std::log10(ends[0])));
    else v = ends[0] + f * (ends[1] - ends[0]);
    // 12 significant digits: log [1, 16] gives 2, not 2.0000000000000004, and linear [0, 1] gives 0.3, so the values
    // in run names, config.toml and the index read as written.
    v = std::strtod(fmt::format("{:.12g}", v).c_str(), nullptr);
    json jv = integer ? json(static_cast<int64_t>(std::llround(v))) : json(v);
    if (std::find(values.begin(), values.end(), jv) == values.end()) values.push_back(jv);  // rounding may repeat
  }
  return values;
}

AxisSpec parse_axis(const toml::node& node, int index, Instrument instrument) {
  const std::string where = fmt::format("axis[{}]", index);
  const auto* t = node.as_table();
  if (!t) throw ConfigError(where, render(node), "must be a table ([[axis]] with key and values)");
  check_keys(*t, where, {"key", "label", "values", "linear", "log", "points"});
  AxisSpec axis;
  axis.key = get_string(*t, "key", where, "");
  if (axis.key.empty()) throw ConfigError(where + ".key", "", "missing (the config key this axis sets, e.g. \"optim.lr\")");
  const std::string type = config_key_type(axis.key, instrument);
  if (type.empty()) throw ConfigError(where + ".key", axis.key, unknown_key_reason(axis.key, instrument));
  const size_t dot = axis.key.rfind('.');
  axis.label = get_string(*t, "label", where, dot == std::string::npos ? axis.key : axis.key.substr(dot + 1));
  const int forms = (t->get("values") ? 1 : 0) + (t->get("linear") ? 1 : 0) + (t->get("log") ? 1 : 0);
  if (forms != 1)
    throw ConfigError(where, axis.key, "needs exactly one of values = [...], linear = [lo, hi], log = [lo, hi]");
  if (const toml::node* v = t->get("values")) {
    if (t->get("points")) throw ConfigError(where + ".points", "", "only for linear and log ranges");
    const auto* a = v->as_array();
    if (!a || a->empty()) throw ConfigError(where + ".values", render(*v), "must be a non-empty list");
    for (const auto& e : *a) {
      json jv = to_json_value(e, where + ".values");
      if (std::find(axis.values.begin(), axis.values.end(), jv) != axis.values.end())
        throw ConfigError(where + ".values", render(*v), "lists " + jv.dump() + " twice");
      axis.values.push_back(std::move(jv));
    }
  } else {
    axis.scale = t->get("log") ? AxisScale::log : AxisScale::linear;
    const bool numeric_key = type == "float" || type == "float (optional)" || type == "uint64" || type.rfind("int", 0) == 0;
    if (!numeric_key) throw ConfigError(where + ".key", axis.key, "a range needs a numeric key (this one is " + type + ")");
    axis.values = range_values(*t, where, axis.scale, type != "float" && type != "float (optional)");
  }
  return axis;
}

FitSpec parse_fit(const toml::node& node, int index, const SweepSpec& spec) {
  const std::string where = fmt::format("fit[{}]", index);
  const auto* t = node.as_table();
  if (!t) throw ConfigError(where, render(node), "must be a table ([[fit]] with clock, x and law)");
  check_keys(*t, where, {"clock", "x", "law", "unit", "x_min", "x_max"});
  FitSpec fit;
  fit.clock = get_string(*t, "clock", where, "t_gen");
  fit.x = get_string(*t, "x", where, "");
  if (fit.x.empty()) throw ConfigError(where + ".x", "", "missing (an axis key or label, or \"eps\")");
  const std::string clock_error = check_clock_name(fit.clock, fit.x == "eps", !spec.t_below.column.empty());
  if (!clock_error.empty()) throw ConfigError(where + ".clock", fit.clock, clock_error);
  const AxisSpec* axis = nullptr;
  if (fit.x != "eps") {
    axis = spec.find_axis(fit.x);
    if (!axis) throw ConfigError(where + ".x", fit.x, "not an axis of this sweep (nor \"eps\")");
    if (!axis->numeric()) throw ConfigError(where + ".x", fit.x, "the axis values are not all numbers");
    fit.x = axis->key;
  }
  const std::string law = get_string(*t, "law", where, "");
  if (law.empty()) {
    fit.law = fit.x == "eps" ? FitLaw::log_inverse : default_law(*axis);
  } else {
    bool found = false;
    for (FitLaw l : {FitLaw::linear, FitLaw::log, FitLaw::log_inverse, FitLaw::inverse, FitLaw::power})
      if (law == to_string(l)) fit.law = l, found = true;
    if (!found) throw ConfigError(where + ".law", law, "unknown law (known: linear, log, log_inverse, inverse, power)");
  }
  const std::string unit = get_string(*t, "unit", where, "step");
  if (unit != "step" && unit != "time") throw ConfigError(where + ".unit", unit, "must be \"step\" or \"time\"");
  fit.in_time = unit == "time";
  fit.x_min = get_double(*t, "x_min", where, fit.x_min);
  fit.x_max = get_double(*t, "x_max", where, fit.x_max);
  if (fit.x_min > fit.x_max)
    throw ConfigError(where + ".x_min", fmt::format("{}", fit.x_min), fmt::format("is above x_max = {}", fit.x_max));
  return fit;
}

}  // namespace

SweepSpec parse_sweep_spec(std::string_view text, const std::string& source_path) {
  toml::table root;
  try {
    root = toml::parse(text, source_path);
  } catch (const toml::parse_error& e) {
    std::string d(e.description());
    std::replace(d.begin(), d.end(), '\n', ' ');
    throw ConfigError("sweep", fmt::format("{}:{}:{}", source_path.empty() ? "<sweep>" : source_path,
                                           e.source().begin.line, e.source().begin.column),
                      "malformed TOML: " + d);
  }
  if (table_at(root, "t_rep"))
    throw ConfigError("t_rep", "", "the threshold clock is now [t_below] (column, eta, hold); t_rep is the run's own "
                                   "representation clock (eval.rep_metric, eval.rep_eta), recorded for every run");
  check_keys(root, "", {"sweep", "base", "set", "axis", "fit", "phase", "t_below"});
  SweepSpec spec;
  spec.source = source_path;
  spec.text = std::string(text);
  spec.name = source_path.empty() ? "sweep" : fs::path(source_path).stem().string();

  if (const toml::table* s = table_at(root, "sweep")) {
    check_keys(*s, "sweep", {"name", "base", "seeds", "seed_keys", "threads_per_run", "workers", "instrument"});
    spec.name = get_string(*s, "name", "sweep", spec.name);
    if (spec.name.empty()) throw ConfigError("sweep.name", "\"\"", "must not be empty");
    spec.instrument = parse_instrument(get_string(*s, "instrument", "sweep", to_string(spec.instrument)));
    if (spec.instrument == Instrument::isolated) spec.seed_keys = {"isolated.seed"};
    if (spec.instrument == Instrument::landscape) spec.seed_keys = {};   // deterministic: no seed
    if (const toml::node* n = s->get("seeds")) spec.seeds = parse_seeds(*n);
    if (const toml::node* n = s->get("seed_keys")) spec.seed_keys = parse_seed_keys(*n, spec.instrument);
    spec.threads_per_run = get_int_in(*s, "threads_per_run", "sweep", 1, 1, 1024, "must be in [1, 1024]");
    spec.workers = get_int_in(*s, "workers", "sweep", 0, 0, 1024, "must be in [0, 1024] (0 = as many as cores)");
    const std::string base = get_string(*s, "base", "sweep", "");
    if (!base.empty()) {
      if (root.get("base")) throw ConfigError("sweep.base", base, "give either a base file or a [base] table, not both");
      fs::path p(base);
      if (p.is_relative() && !source_path.empty()) p = fs::path(source_path).parent_path() / p;
      std::ifstream in(p, std::ios::binary);
      if (!in) throw ConfigError("sweep.base", base, fmt::format("cannot read file {}", p.string()));
      std::ostringstream body;
      body << in.rdbuf();
      spec.base_text = body.str();
      spec.base_source = p.lexically_normal().string();
    }
  }
  if (const toml::table* b = table_at(root, "base")) {
    flatten(*b, "", "base", spec.base_overrides);
    spec.base_source = "[base]";
  }
  if (const toml::table* s = table_at(root, "set")) flatten(*s, "", "set", spec.set);

  if (const toml::table* p = table_at(root, "phase")) {
    check_keys(*p, "phase", {"threshold", "gap_ratio", "gap_steps"});
    spec.phase.threshold = get_double(*p, "threshold", "phase", spec.phase.threshold);
    spec.phase.gap_ratio = get_double(*p, "gap_ratio", "phase", spec.phase.gap_ratio);
    spec.phase.gap_steps = get_int(*p, "gap_steps", "phase", spec.phase.gap_steps);
    if (!(spec.phase.gap_ratio >= 1) || !std::isfinite(spec.phase.gap_ratio))
      throw ConfigError("phase.gap_ratio", fmt::format("{}", spec.phase.gap_ratio), "must be a finite number >= 1");
    if (!(spec.phase.threshold > 0 && spec.phase.threshold <= 1))
      throw ConfigError("phase.threshold", fmt::format("{}", spec.phase.threshold), "must be in (0, 1]");
    if (spec.phase.gap_steps < 0)
      throw ConfigError("phase.gap_steps", std::to_string(spec.phase.gap_steps), "must be >= 0");
  }
  if (const toml::table* r = table_at(root, "t_below")) {
    check_keys(*r, "t_below", {"column", "eta", "hold"});
    spec.t_below.column = get_string(*r, "column", "t_below", "");
    if (spec.t_below.column.empty())
      throw ConfigError("t_below.column", "", "missing (a metrics.csv column, e.g. srank_w1)");
    if (!r->get("eta"))
      throw ConfigError("t_below.eta", "", "missing (the threshold: t_below = first step with column <= eta)");
    spec.t_below.eta = get_double(*r, "eta", "t_below", 0.0);
    spec.t_below.hold = get_int_in(*r, "hold", "t_below", 1, 1, 1000000, "must be in [1, 1000000]");
  }

  if (const toml::node* axes = root.get("axis")) {
    const auto* a = axes->as_array();
    if (!a) throw ConfigError("axis", render(*axes), "write each axis as an [[axis]] table");
    int index = 0;
    for (const auto& node : *a) {
      AxisSpec axis = parse_axis(node, ++index, spec.instrument);
      for (const auto& other : spec.axes) {
        if (other.key == axis.key)
          throw ConfigError(fmt::format("axis[{}].key", index), axis.key, "is already an axis");
        if (other.label == axis.label)
          throw ConfigError(fmt::format("axis[{}].label", index), axis.label, "is already the label of " + other.key);
      }
      spec.axes.push_back(std::move(axis));
    }
  }
  for (const auto& k : spec.seed_keys)
    if (spec.find_axis(k)) throw ConfigError("sweep.seed_keys", k, "is also an axis");

  if (const toml::node* fits = root.get("fit")) {
    const auto* a = fits->as_array();
    if (!a) throw ConfigError("fit", render(*fits), "write each fit as a [[fit]] table");
    int index = 0;
    for (const auto& node : *a) spec.fits.push_back(parse_fit(node, ++index, spec));
  }
  return spec;
}

SweepSpec load_sweep_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("sweep", path, "cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sweep_spec(text.str(), path);
}

}  // namespace grokscope::sweep
