// TOML text forms and typed reads of single values, for the config key registry (config_keys.h).
#include <charconv>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "config_keys.h"

namespace grokscope::config_detail {

// ---------------------------------------------------------------------------------------------------------------
// Text forms

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

std::string toml_key(std::string_view s) {
  bool bare = !s.empty();
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      bare = false;
  return bare ? std::string(s) : toml_quote(s);
}

std::string toml_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

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

void wrong_type(const toml::node& node, const std::string& key, const std::string& expected) {
  throw ConfigError(key, render(node), "expected " + expected + ", got " + type_name(node));
}

// ---------------------------------------------------------------------------------------------------------------
// Typed reads

double get_double(const toml::node& node, const std::string& key) {
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  wrong_type(node, key, "a number");
}

int64_t get_int(const toml::node& node, const std::string& key, int64_t lo, int64_t hi) {
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

size_t get_choice(const toml::node& node, const std::string& key, const std::vector<std::string>& names) {
  if (!node.is_string()) wrong_type(node, key, "a string (one of: " + join(names) + ")");
  const std::string& s = node.as_string()->get();
  for (size_t i = 0; i < names.size(); ++i)
    if (s == names[i]) return i;
  throw ConfigError(key, render(node), "unknown value (known: " + join(names) + ")");
}

namespace {
const toml::array& get_array(const toml::node& node, const std::string& key, const std::string& expected) {
  if (const auto* a = node.as_array()) return *a;
  wrong_type(node, key, expected);
}
}  // namespace

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

std::vector<std::string> get_string_array(const toml::node& node, const std::string& key) {
  const auto& a = get_array(node, key, "an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const toml::node& e = a[i];
    if (!e.is_string())
      throw ConfigError(key, render(node), fmt::format("expected an array of strings (element {} is {})", i, type_name(e)));
    out.push_back(e.as_string()->get());
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

}  // namespace grokscope::config_detail
