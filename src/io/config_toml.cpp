// TOML <-> RunConfig, --set overrides, canonical JSON and the config hash (io/config_toml.h, docs/config.md).
// Every key is read, listed and written through the key registry of config_keys.cpp.
#include "grokscope/io/config_toml.h"

#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config_keys.h"
#include "grokscope/core/error.h"

namespace grokscope {

namespace {

using namespace config_detail;

// ---------------------------------------------------------------------------------------------------------------
// Conversion of the parsed document.

// The dotted keys with this name (in any section), for the hint on a misplaced top-level key: "train.seed" or
// "task.kind, model.kind, loss.kind or optim.kind"; nullopt when there is none.
std::optional<std::string> section_of(const std::string& name) {
  std::vector<std::string> found;
  for (const auto& section : sections())
    for (const auto& key : section.keys)
      if (name == key.name) found.push_back(std::string(section.name) + "." + name);
  if (found.empty()) return std::nullopt;
  std::string text = found.back();
  if (found.size() > 1) text = join(std::span(found).first(found.size() - 1)) + " or " + text;
  return text;
}

RunConfig convert(const toml::table& root) {
  RunConfig c;
  for (auto&& [k, node] : root) {
    const std::string name(k.str());
    const Section* section = nullptr;
    for (const auto& s : sections())
      if (name == s.name) section = &s;
    if (!section) {
      std::vector<const char*> names;
      for (const auto& s : sections()) names.push_back(s.name);
      std::string reason = "unknown section (known: " + join(names) + ")";
      if (const auto hint = section_of(name)) reason += "; did you mean " + *hint + "?";
      throw ConfigError(name, node.is_table() ? "" : render(node), reason);
    }
    const auto* table = node.as_table();
    if (!table) wrong_type(node, name, "a table (section [" + name + "])");
    read_keys(*table, name, section->keys, c);
  }
  // A default that depends on another key: the transformer reads the sequence [a, b, =] unless told otherwise.
  if (c.model.kind == ModelKind::transformer && !root.at_path("task.encoding")) c.task.encoding = Encoding::tokens;
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
  std::string out;
  for (const auto& section : sections())
    out += (out.empty() ? "[" : "\n[") + std::string(section.name) + "]\n" + write_keys(section.keys, config);
  return out;
}

nlohmann::json to_json(const RunConfig& config) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& section : sections()) j[section.name] = json_keys(section.keys, config);
  return j;
}

// train.max_memory is left out: a cap on the estimate changes no result, and a finished sweep run stays valid.
std::string config_hash(const RunConfig& config) {
  nlohmann::json j = to_json(config);
  j["train"].erase("max_memory");
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

std::vector<ConfigKeyInfo> config_keys() {
  std::vector<ConfigKeyInfo> out;
  for (const auto& section : sections())
    for (const auto& key : section.keys) {
      const std::string dotted = std::string(section.name) + "." + key.name;
      if (key.type != KeyType::groups) {
        out.push_back({dotted, to_string(key.type), key.choices()});
        continue;
      }
      for (const auto& group_key : group_keys())
        out.push_back({dotted + ".<name>." + group_key.name, to_string(group_key.type), group_key.choices()});
    }
  return out;
}

}  // namespace grokscope
