// TOML <-> RunConfig, --set overrides, canonical JSON and the config hash (io/config_toml.h, docs/config.md).
#include "grokscope/io/config_toml.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "grokscope/core/error.h"

namespace grokscope {

namespace {

constexpr std::array kSections = {"task", "model", "loss", "optim", "train", "eval"};

constexpr std::array kDtypes = {Dtype::f32, Dtype::f64};
constexpr std::array kPairSets = {PairSet::ordered, PairSet::unordered};
constexpr std::array kEncodings = {Encoding::concat, Encoding::sum};
constexpr std::array kActivations = {Activation::relu, Activation::leaky_relu, Activation::quadratic,
                                     Activation::identity, Activation::tanh};
constexpr std::array kBiasModes = {BiasMode::none, BiasMode::first, BiasMode::all};
constexpr std::array kInitKinds = {InitKind::he, InitKind::lecun, InitKind::normal, InitKind::torch_default};
constexpr std::array kLossKinds = {LossKind::cross_entropy, LossKind::mse};
constexpr std::array kMseReductions = {MseReduction::mean, MseReduction::sum_classes};
constexpr std::array kOptimKinds = {OptimKind::sgd, OptimKind::adam, OptimKind::adamw};
constexpr std::array kScheduleKinds = {EvalScheduleKind::log, EvalScheduleKind::linear};

// ---------------------------------------------------------------------------------------------------------------
// Text forms shared by to_toml and the error messages.

// A TOML basic string (double-quoted, escaped).
std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f)
          out += fmt::format("\\u{:04X}", u);
        else
          out += c;
    }
  }
  return out + "\"";
}

// A key as written in TOML: bare when it can be, quoted otherwise.
std::string toml_key(std::string_view s) {
  bool bare = !s.empty();
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      bare = false;
  return bare ? std::string(s) : toml_quote(s);
}

// The shortest decimal that reads back to the same double, always in TOML float syntax (1.0, not 1).
std::string toml_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string toml_double_array(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + toml_double(values[i]);
  return out + "]";
}

// A node as it would appear in a TOML file (inline form), for error messages.
std::string render(const toml::node& node) {
  if (const auto* s = node.as_string()) return toml_quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return toml_double(f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = node.as_array()) {
    std::string out = "[";
    for (size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + render((*a)[i]);
    return out + "]";
  }
  if (const auto* t = node.as_table()) {
    std::string out = "{";
    bool first = true;
    for (auto&& [k, v] : *t) {
      out += (first ? "" : ", ") + toml_key(k.str()) + " = " + render(v);
      first = false;
    }
    return out + "}";
  }
  std::ostringstream os;
  if (const auto* d = node.as_date()) os << d->get();
  else if (const auto* tm = node.as_time()) os << tm->get();
  else if (const auto* dt = node.as_date_time()) os << dt->get();
  return os.str();
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string join(const auto& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

[[noreturn]] void wrong_type(const toml::node& node, const std::string& key, const std::string& expected) {
  throw ConfigError(key, render(node), "expected " + expected + ", got " + type_name(node));
}

// ---------------------------------------------------------------------------------------------------------------
// Typed reads of one node. key is the dotted key, for messages.

double get_double(const toml::node& node, const std::string& key) {
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  wrong_type(node, key, "a number");
}

// An integer; a float is accepted when it is integral (1e5), so that large step counts can be written compactly.
int64_t get_int(const toml::node& node, const std::string& key, int64_t lo = std::numeric_limits<int64_t>::min(),
                int64_t hi = std::numeric_limits<int64_t>::max()) {
  int64_t v = 0;
  if (const auto* i = node.as_integer()) {
    v = i->get();
  } else if (const auto* f = node.as_floating_point()) {
    const double x = f->get();
    if (!std::isfinite(x) || x != std::floor(x)) throw ConfigError(key, render(node), "expected an integer");
    if (!(x >= -0x1p63 && x < 0x1p63)) throw ConfigError(key, render(node), "integer out of range");
    v = static_cast<int64_t>(x);
  } else {
    wrong_type(node, key, "an integer");
  }
  if (v < lo || v > hi) throw ConfigError(key, render(node), fmt::format("integer out of range [{}, {}]", lo, hi));
  return v;
}

int get_int32(const toml::node& node, const std::string& key) {
  return static_cast<int>(get_int(node, key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

// A seed: a non-negative integer; values above 2^63 - 1 (beyond TOML integers) may be given as a decimal string.
uint64_t get_u64(const toml::node& node, const std::string& key) {
  if (const auto* s = node.as_string()) {
    const std::string& text = s->get();
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
      throw ConfigError(key, render(node), "expected a non-negative integer (a string must hold decimal digits only)");
    return v;
  }
  if (const auto* f = node.as_floating_point()) {
    const double x = f->get();
    if (std::isfinite(x) && x == std::floor(x) && x >= 0 && x < 0x1p64) return static_cast<uint64_t>(x);
    throw ConfigError(key, render(node), "expected a non-negative integer");
  }
  if (!node.is_integer()) wrong_type(node, key, "a non-negative integer");
  const int64_t v = node.as_integer()->get();
  if (v < 0) throw ConfigError(key, render(node), "expected a non-negative integer");
  return static_cast<uint64_t>(v);
}

bool get_bool(const toml::node& node, const std::string& key) {
  if (const auto* b = node.as_boolean()) return b->get();
  wrong_type(node, key, "a boolean (true or false)");
}

std::string get_string(const toml::node& node, const std::string& key) {
  if (const auto* s = node.as_string()) return s->get();
  wrong_type(node, key, "a string");
}

template <class E, size_t N>
E get_enum(const toml::node& node, const std::string& key, const std::array<E, N>& all) {
  if (!node.is_string()) {
    std::array<const char*, N> names{};
    for (size_t i = 0; i < N; ++i) names[i] = to_string(all[i]);
    wrong_type(node, key, "a string (one of: " + join(names) + ")");
  }
  const std::string& s = node.as_string()->get();
  for (const E e : all)
    if (s == to_string(e)) return e;
  std::array<const char*, N> names{};
  for (size_t i = 0; i < N; ++i) names[i] = to_string(all[i]);
  throw ConfigError(key, render(node), "unknown value (known: " + join(names) + ")");
}

const toml::array& get_array(const toml::node& node, const std::string& key, const std::string& expected) {
  if (const auto* a = node.as_array()) return *a;
  wrong_type(node, key, expected);
}

std::vector<double> get_double_array(const toml::node& node, const std::string& key) {
  const auto& a = get_array(node, key, "an array of numbers");
  std::vector<double> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const toml::node& e = a[i];
    if (!e.is_number())
      throw ConfigError(key, render(node), fmt::format("expected an array of numbers (element {} is {})", i, type_name(e)));
    out.push_back(get_double(e, key));
  }
  return out;
}

std::vector<int> get_int_array(const toml::node& node, const std::string& key) {
  const auto& a = get_array(node, key, "an array of integers");
  std::vector<int> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const toml::node& e = a[i];
    const double x = e.is_integer() ? static_cast<double>(e.as_integer()->get())
                     : e.is_floating_point() ? e.as_floating_point()->get()
                                             : std::nan("");
    if (!(x == std::floor(x) && std::abs(x) <= std::numeric_limits<int>::max()))
      throw ConfigError(key, render(node),
                        fmt::format("expected an array of integers (element {} is {})", i, render(e)));
    out.push_back(static_cast<int>(x));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion of the parsed document.

struct Field {
  const char* name;
  std::function<void(const toml::node&, const std::string&)> set;
};

template <size_t N>
void apply_fields(const toml::table& table, const std::string& section, const std::array<Field, N>& fields) {
  for (auto&& [k, node] : table) {
    const std::string name(k.str());
    const std::string key = section + "." + name;
    const Field* field = nullptr;
    for (const auto& f : fields)
      if (name == f.name) field = &f;
    if (!field) {
      std::array<const char*, N> names{};
      for (size_t i = 0; i < N; ++i) names[i] = fields[i].name;
      throw ConfigError(key, "", "unknown key (known in [" + section + "]: " + join(names) + ")");
    }
    field->set(node, key);
  }
}

void read_task(const toml::table& t, TaskConfig& c) {
  const std::array<Field, 7> fields = {{
      {"op", [&](const auto& n, const auto& k) { c.op = get_string(n, k); }},
      {"p", [&](const auto& n, const auto& k) { c.p = get_int32(n, k); }},
      {"pairs", [&](const auto& n, const auto& k) { c.pairs = get_enum(n, k, kPairSets); }},
      {"encoding", [&](const auto& n, const auto& k) { c.encoding = get_enum(n, k, kEncodings); }},
      {"train_fraction", [&](const auto& n, const auto& k) { c.train_fraction = get_double(n, k); }},
      {"n_train", [&](const auto& n, const auto& k) { c.n_train = get_int(n, k); }},
      {"split_seed", [&](const auto& n, const auto& k) { c.split_seed = get_u64(n, k); }},
  }};
  apply_fields(t, "task", fields);
}

void read_model(const toml::table& t, ModelConfig& c) {
  const std::array<Field, 8> fields = {{
      {"hidden", [&](const auto& n, const auto& k) { c.hidden = get_int_array(n, k); }},
      {"activation", [&](const auto& n, const auto& k) { c.activation = get_enum(n, k, kActivations); }},
      {"leaky_slope", [&](const auto& n, const auto& k) { c.leaky_slope = get_double(n, k); }},
      {"bias", [&](const auto& n, const auto& k) { c.bias = get_enum(n, k, kBiasModes); }},
      {"init", [&](const auto& n, const auto& k) { c.init = get_enum(n, k, kInitKinds); }},
      {"init_std", [&](const auto& n, const auto& k) { c.init_std = get_double(n, k); }},
      {"init_scale", [&](const auto& n, const auto& k) { c.init_scale = get_double(n, k); }},
      {"zero_last_layer", [&](const auto& n, const auto& k) { c.zero_last_layer = get_bool(n, k); }},
  }};
  apply_fields(t, "model", fields);
}

void read_loss(const toml::table& t, LossConfig& c) {
  const std::array<Field, 2> fields = {{
      {"kind", [&](const auto& n, const auto& k) { c.kind = get_enum(n, k, kLossKinds); }},
      {"mse_reduction", [&](const auto& n, const auto& k) { c.mse_reduction = get_enum(n, k, kMseReductions); }},
  }};
  apply_fields(t, "loss", fields);
}

void read_groups(const toml::node& node, const std::string& key, std::map<std::string, GroupOverride>& groups) {
  const auto* table = node.as_table();
  if (!table) wrong_type(node, key, "a table of tables (optim.groups.<name>.lr, optim.groups.<name>.weight_decay)");
  groups.clear();
  for (auto&& [name, group_node] : *table) {
    const std::string group_key = key + "." + std::string(name.str());
    const auto* group_table = group_node.as_table();
    if (!group_table) wrong_type(group_node, group_key, "a table (with keys lr, weight_decay)");
    GroupOverride g;
    const std::array<Field, 2> fields = {{
        {"lr", [&](const auto& n, const auto& k) { g.lr = get_double(n, k); }},
        {"weight_decay", [&](const auto& n, const auto& k) { g.weight_decay = get_double(n, k); }},
    }};
    apply_fields(*group_table, group_key, fields);
    groups[std::string(name.str())] = g;
  }
}

void read_optim(const toml::table& t, OptimConfig& c) {
  const std::array<Field, 9> fields = {{
      {"kind", [&](const auto& n, const auto& k) { c.kind = get_enum(n, k, kOptimKinds); }},
      {"lr", [&](const auto& n, const auto& k) { c.lr = get_double(n, k); }},
      {"weight_decay", [&](const auto& n, const auto& k) { c.weight_decay = get_double(n, k); }},
      {"momentum", [&](const auto& n, const auto& k) { c.momentum = get_double(n, k); }},
      {"nesterov", [&](const auto& n, const auto& k) { c.nesterov = get_bool(n, k); }},
      {"betas",
       [&](const auto& n, const auto& k) {
         const auto betas = get_double_array(n, k);
         if (betas.size() != 2)
           throw ConfigError(k, render(n), fmt::format("expected 2 numbers [beta1, beta2], got {}", betas.size()));
         c.beta1 = betas[0];
         c.beta2 = betas[1];
       }},
      {"eps", [&](const auto& n, const auto& k) { c.eps = get_double(n, k); }},
      {"warmup_steps", [&](const auto& n, const auto& k) { c.warmup_steps = get_int(n, k); }},
      {"groups", [&](const auto& n, const auto& k) { read_groups(n, k, c.groups); }},
  }};
  apply_fields(t, "optim", fields);
}

void read_train(const toml::table& t, TrainConfig& c) {
  const std::array<Field, 7> fields = {{
      {"steps", [&](const auto& n, const auto& k) { c.steps = get_int(n, k); }},
      {"batch_size", [&](const auto& n, const auto& k) { c.batch_size = get_int(n, k); }},
      {"seed", [&](const auto& n, const auto& k) { c.seed = get_u64(n, k); }},
      {"dtype", [&](const auto& n, const auto& k) { c.dtype = get_enum(n, k, kDtypes); }},
      {"threads", [&](const auto& n, const auto& k) { c.threads = get_int32(n, k); }},
      {"early_stop", [&](const auto& n, const auto& k) { c.early_stop = get_bool(n, k); }},
      {"early_stop_margin", [&](const auto& n, const auto& k) { c.early_stop_margin = get_double(n, k); }},
  }};
  apply_fields(t, "train", fields);
}

void read_eval(const toml::table& t, EvalConfig& c) {
  const std::array<Field, 5> fields = {{
      {"schedule", [&](const auto& n, const auto& k) { c.schedule = get_enum(n, k, kScheduleKinds); }},
      {"points_per_decade", [&](const auto& n, const auto& k) { c.points_per_decade = get_int32(n, k); }},
      {"every", [&](const auto& n, const auto& k) { c.every = get_int(n, k); }},
      {"acc_threshold", [&](const auto& n, const auto& k) { c.acc_threshold = get_double(n, k); }},
      {"loss_eps", [&](const auto& n, const auto& k) { c.loss_eps = get_double_array(n, k); }},
  }};
  apply_fields(t, "eval", fields);
}

// The dotted keys with this name (in any section), for the hint on a misplaced top-level key: "train.seed" or
// "loss.kind or optim.kind"; nullopt when there is none.
std::optional<std::string> section_of(const std::string& name) {
  static const std::array<std::pair<const char*, std::vector<const char*>>, 6> kKeys = {{
      {"task", {"op", "p", "pairs", "encoding", "train_fraction", "n_train", "split_seed"}},
      {"model", {"hidden", "activation", "leaky_slope", "bias", "init", "init_std", "init_scale", "zero_last_layer"}},
      {"loss", {"kind", "mse_reduction"}},
      {"optim", {"kind", "lr", "weight_decay", "momentum", "nesterov", "betas", "eps", "warmup_steps", "groups"}},
      {"train", {"steps", "batch_size", "seed", "dtype", "threads", "early_stop", "early_stop_margin"}},
      {"eval", {"schedule", "points_per_decade", "every", "acc_threshold", "loss_eps"}},
  }};
  std::string found;
  for (const auto& [section, keys] : kKeys)
    for (const char* key : keys)
      if (name == key) found += (found.empty() ? "" : " or ") + std::string(section) + "." + name;
  if (found.empty()) return std::nullopt;
  return found;
}

RunConfig convert(const toml::table& root) {
  RunConfig c;
  for (auto&& [k, node] : root) {
    const std::string name(k.str());
    bool known = false;
    for (const char* s : kSections) known = known || name == s;
    if (!known) {
      std::string reason = "unknown section (known: " + join(kSections) + ")";
      if (const auto hint = section_of(name)) reason += "; did you mean " + *hint + "?";
      throw ConfigError(name, node.is_table() ? "" : render(node), reason);
    }
    const auto* table = node.as_table();
    if (!table) wrong_type(node, name, "a table (section [" + name + "])");
    if (name == "task") read_task(*table, c.task);
    else if (name == "model") read_model(*table, c.model);
    else if (name == "loss") read_loss(*table, c.loss);
    else if (name == "optim") read_optim(*table, c.optim);
    else if (name == "train") read_train(*table, c.train);
    else read_eval(*table, c.eval);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// --set overrides.

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

// Position of the first '=' outside double quotes, or npos.
size_t find_equals(std::string_view text) {
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (quoted && text[i] == '\\') ++i;
    else if (text[i] == '"') quoted = !quoted;
    else if (!quoted && text[i] == '=') return i;
  }
  return std::string_view::npos;
}

// "optim.groups.\"a.b\".lr" -> {optim, groups, a.b, lr}. Empty segments are an error.
std::vector<std::string> split_key(std::string_view key, const std::string& override_text) {
  std::vector<std::string> segments;
  std::string current;
  bool quoted = false, was_quoted = false;
  auto finish = [&] {
    const std::string segment = was_quoted ? current : trim(current);
    if (segment.empty() && !was_quoted)
      throw ConfigError("--set", override_text, "empty key segment (expected key=value, e.g. optim.lr=1e-3)");
    segments.push_back(segment);
    current.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (quoted) {
      if (c == '\\' && i + 1 < key.size()) current += key[++i];
      else if (c == '"') quoted = false;
      else current += c;
    } else if (c == '"') {
      if (!trim(current).empty())
        throw ConfigError("--set", override_text, "a quote may only open a key segment");
      current.clear();
      quoted = was_quoted = true;
    } else if (c == '.') {
      finish();
    } else if (was_quoted) {
      if (c != ' ' && c != '\t') throw ConfigError("--set", override_text, "text after a quoted key segment");
    } else {
      current += c;
    }
  }
  if (quoted) throw ConfigError("--set", override_text, "unterminated quote in key");
  finish();
  return segments;
}

// The value of an override as a TOML value, or the text as a string when it is not one.
toml::table parse_value(const std::string& value_text) {
  try {
    toml::table t = toml::parse("v = " + value_text + "\n");
    if (t.size() == 1 && t.contains("v")) return t;
  } catch (const toml::parse_error&) {
  }
  toml::table t;
  t.insert("v", value_text);
  return t;
}

void apply_override(toml::table& root, const std::string& text) {
  const size_t eq = find_equals(text);
  if (eq == std::string::npos) throw ConfigError("--set", text, "expected key=value (e.g. optim.lr=1e-3)");
  const auto path = split_key(std::string_view(text).substr(0, eq), text);
  toml::table value = parse_value(trim(std::string_view(text).substr(eq + 1)));

  toml::table* table = &root;
  std::string dotted;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    dotted += (i ? "." : "") + path[i];
    toml::node* next = table->get(path[i]);
    if (!next) next = &table->insert(path[i], toml::table{}).first->second;
    table = next->as_table();
    if (!table)
      throw ConfigError(dotted, render(*next), "is not a table, so --set " + trim(text.substr(0, eq)) + " cannot apply");
  }
  table->insert_or_assign(path.back(), std::move(*value.get("v")));
}

std::string describe(const toml::parse_error& e) {
  std::string d(e.description());
  for (char& c : d)
    if (c == '\n' || c == '\r') c = ' ';
  return d;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

RunConfig parse_run_config(std::string_view toml_text, const std::vector<std::string>& overrides,
                           const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError("config",
                      fmt::format("{}:{}:{}", source_name.empty() ? "<config>" : source_name, where.line, where.column),
                      "malformed TOML: " + describe(e));
  }
  for (const auto& text : overrides) apply_override(root, text);
  return convert(root);
}

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("config", path, "cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError("config", path, "cannot read file");
  return parse_run_config(text.str(), overrides, path);
}

std::string to_toml(const RunConfig& config) {
  const auto seed = [](uint64_t v) {
    return v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? std::to_string(v)
                                                                            : toml_quote(std::to_string(v));
  };
  const auto boolean = [](bool v) { return v ? "true" : "false"; };
  const auto& t = config.task;
  const auto& m = config.model;
  const auto& l = config.loss;
  const auto& o = config.optim;
  const auto& tr = config.train;
  const auto& e = config.eval;

  std::string hidden = "[";
  for (size_t i = 0; i < m.hidden.size(); ++i) hidden += (i ? ", " : "") + std::to_string(m.hidden[i]);
  hidden += "]";

  std::string out;
  auto line = [&out](std::string_view key, const std::string& value) {
    out += std::string(key) + " = " + value + "\n";
  };
  auto str = [](const char* s) { return toml_quote(s); };

  out += "[task]\n";
  line("op", toml_quote(t.op));
  line("p", std::to_string(t.p));
  line("pairs", str(to_string(t.pairs)));
  line("encoding", str(to_string(t.encoding)));
  line("train_fraction", toml_double(t.train_fraction));
  line("n_train", std::to_string(t.n_train));
  line("split_seed", seed(t.split_seed));

  out += "\n[model]\n";
  line("hidden", hidden);
  line("activation", str(to_string(m.activation)));
  line("leaky_slope", toml_double(m.leaky_slope));
  line("bias", str(to_string(m.bias)));
  line("init", str(to_string(m.init)));
  line("init_std", toml_double(m.init_std));
  line("init_scale", toml_double(m.init_scale));
  line("zero_last_layer", boolean(m.zero_last_layer));

  out += "\n[loss]\n";
  line("kind", str(to_string(l.kind)));
  line("mse_reduction", str(to_string(l.mse_reduction)));

  out += "\n[optim]\n";
  line("kind", str(to_string(o.kind)));
  line("lr", toml_double(o.lr));
  line("weight_decay", toml_double(o.weight_decay));
  line("momentum", toml_double(o.momentum));
  line("nesterov", boolean(o.nesterov));
  line("betas", toml_double_array({o.beta1, o.beta2}));
  line("eps", toml_double(o.eps));
  line("warmup_steps", std::to_string(o.warmup_steps));
  if (o.groups.empty()) out += "# no per-group overrides ([optim.groups.<name>] with lr, weight_decay)\n";
  for (const auto& [name, group] : o.groups) {
    out += "\n[optim.groups." + toml_key(name) + "]\n";
    if (group.lr) line("lr", toml_double(*group.lr));
    if (group.weight_decay) line("weight_decay", toml_double(*group.weight_decay));
  }

  out += "\n[train]\n";
  line("steps", std::to_string(tr.steps));
  line("batch_size", std::to_string(tr.batch_size));
  line("seed", seed(tr.seed));
  line("dtype", str(to_string(tr.dtype)));
  line("threads", std::to_string(tr.threads));
  line("early_stop", boolean(tr.early_stop));
  line("early_stop_margin", toml_double(tr.early_stop_margin));

  out += "\n[eval]\n";
  line("schedule", str(to_string(e.schedule)));
  line("points_per_decade", std::to_string(e.points_per_decade));
  line("every", std::to_string(e.every));
  line("acc_threshold", toml_double(e.acc_threshold));
  line("loss_eps", toml_double_array(e.loss_eps));
  return out;
}

nlohmann::json to_json(const RunConfig& config) {
  using nlohmann::json;
  const auto& t = config.task;
  const auto& m = config.model;
  const auto& o = config.optim;
  const auto& tr = config.train;
  const auto& e = config.eval;

  json groups = json::object();
  for (const auto& [name, group] : o.groups) {
    json g = json::object();
    if (group.lr) g["lr"] = *group.lr;
    if (group.weight_decay) g["weight_decay"] = *group.weight_decay;
    groups[name] = g;
  }

  json j = json::object();
  j["task"] = {{"op", t.op},
               {"p", t.p},
               {"pairs", to_string(t.pairs)},
               {"encoding", to_string(t.encoding)},
               {"train_fraction", t.train_fraction},
               {"n_train", t.n_train},
               {"split_seed", t.split_seed}};
  j["model"] = {{"hidden", m.hidden},
                {"activation", to_string(m.activation)},
                {"leaky_slope", m.leaky_slope},
                {"bias", to_string(m.bias)},
                {"init", to_string(m.init)},
                {"init_std", m.init_std},
                {"init_scale", m.init_scale},
                {"zero_last_layer", m.zero_last_layer}};
  j["loss"] = {{"kind", to_string(config.loss.kind)}, {"mse_reduction", to_string(config.loss.mse_reduction)}};
  j["optim"] = {{"kind", to_string(o.kind)},
                {"lr", o.lr},
                {"weight_decay", o.weight_decay},
                {"momentum", o.momentum},
                {"nesterov", o.nesterov},
                {"betas", json::array({o.beta1, o.beta2})},
                {"eps", o.eps},
                {"warmup_steps", o.warmup_steps},
                {"groups", groups}};
  j["train"] = {{"steps", tr.steps},
                {"batch_size", tr.batch_size},
                {"seed", tr.seed},
                {"dtype", to_string(tr.dtype)},
                {"threads", tr.threads},
                {"early_stop", tr.early_stop},
                {"early_stop_margin", tr.early_stop_margin}};
  j["eval"] = {{"schedule", to_string(e.schedule)},
               {"points_per_decade", e.points_per_decade},
               {"every", e.every},
               {"acc_threshold", e.acc_threshold},
               {"loss_eps", e.loss_eps}};
  return j;
}

std::string config_hash(const RunConfig& config) {
  const std::string text = to_json(config).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace grokscope
