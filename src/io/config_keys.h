// Private to src/io: the registry of config keys (config_keys.cpp), and the TOML text forms and typed reads it is
// built from (config_values.cpp). One table of key descriptors per section drives parsing, the known-key lists of
// the error messages, the top-level hint, to_toml and to_json (config_toml.cpp).
//
// Adding a key to a section is one line in its table in config_keys.cpp, e.g.
//     key<&EvalConfig::fit_loss>("fit_loss"),
// The member's C++ type picks how the key is read, checked for type, written to TOML and to JSON (Codec<T> there):
// int -> 32-bit integer, int64_t -> integer, uint64_t -> seed (integer or decimal string), double, bool,
// std::string, an enum of train/config.h (names from to_string; list its values in all_values() there),
// std::vector<int>, std::vector<double>, std::vector<std::string>. A new enum also needs a to_string in train/config.cpp.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "grokscope/core/error.h"
#include "grokscope/train/config.h"

namespace grokscope::config_detail {

// ---------------------------------------------------------------------------------------------------------------
// Text forms shared by to_toml and the error messages (config_values.cpp).

std::string toml_quote(std::string_view s);   // a TOML basic string (double-quoted, escaped)
std::string toml_key(std::string_view s);     // a key as written in TOML: bare when it can be, quoted otherwise
std::string toml_double(double v);            // shortest round-trip decimal, in TOML float syntax (1.0, 1e-08, inf)
std::string render(const toml::node& node);   // a node in inline TOML form, for messages
const char* type_name(const toml::node& node);  // "a string", "an integer", ...

template <class Names>
std::string join(const Names& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

[[noreturn]] void wrong_type(const toml::node& node, const std::string& key, const std::string& expected);

// ---------------------------------------------------------------------------------------------------------------
// Typed reads of one node (config_values.cpp); key is the dotted key, for messages.

double get_double(const toml::node& node, const std::string& key);
// An integer; a float is accepted when it is integral (1e5), so that large step counts can be written compactly.
int64_t get_int(const toml::node& node, const std::string& key, int64_t lo = std::numeric_limits<int64_t>::min(),
                int64_t hi = std::numeric_limits<int64_t>::max());
int get_int32(const toml::node& node, const std::string& key);
// A seed: a non-negative integer; values above 2^63 - 1 (beyond TOML integers) may be given as a decimal string.
uint64_t get_u64(const toml::node& node, const std::string& key);
bool get_bool(const toml::node& node, const std::string& key);
std::string get_string(const toml::node& node, const std::string& key);
// The index of the node's string in names; wrong type or unknown name -> ConfigError listing the names.
size_t get_choice(const toml::node& node, const std::string& key, const std::vector<std::string>& names);
std::vector<double> get_double_array(const toml::node& node, const std::string& key);
std::vector<int> get_int_array(const toml::node& node, const std::string& key);
std::vector<std::string> get_string_array(const toml::node& node, const std::string& key);

// ---------------------------------------------------------------------------------------------------------------
// The registry (config_keys.cpp).

enum class KeyType { int32, int64, u64, float64, boolean, string, enumeration, int_array, float_array, float_pair,
                     optional_float, groups, string_array };

const char* to_string(KeyType type);  // as in docs/config.md: "int", "uint64", "float", "array of ints", ...

// One key of a table whose values live in Root (RunConfig for the sections, GroupOverride for optim.groups.<name>).
template <class Root>
struct Key {
  const char* name;
  KeyType type;
  std::vector<std::string> (*choices)();  // enum names (to_string order of all_values); empty for other types
  void (*read)(const toml::node& node, const std::string& dotted_key, Root& root);
  // The value as TOML text ("name = " is added by the caller); nullopt: the key is not written (an unset optional).
  // For KeyType::groups, whole lines: the [optim.groups.<name>] tables, or a comment when there are none.
  std::optional<std::string> (*toml)(const Root& root);
  std::optional<nlohmann::json> (*json)(const Root& root);  // nullopt: the key is left out of the JSON object
};

struct Section {
  const char* name;
  std::span<const Key<RunConfig>> keys;
};

std::span<const Section> sections();                // task, model, loss, optim, train, eval, in file order
std::span<const Key<GroupOverride>> group_keys();   // lr, weight_decay

// Applies every key=value of table to root; an unknown key -> ConfigError listing the keys known in [prefix].
template <class Root>
void read_keys(const toml::table& table, const std::string& prefix, std::span<const Key<Root>> keys, Root& root) {
  for (auto&& [k, node] : table) {
    const std::string name(k.str());
    const std::string dotted = prefix + "." + name;
    const Key<Root>* found = nullptr;
    for (const auto& key : keys)
      if (name == key.name) found = &key;
    if (!found) {
      std::vector<const char*> names;
      for (const auto& key : keys) names.push_back(key.name);
      throw ConfigError(dotted, "", "unknown key (known in [" + prefix + "]: " + join(names) + ")");
    }
    found->read(node, dotted, root);
  }
}

// "name = value\n" for every key that has a value (KeyType::groups: its lines as they are).
template <class Root>
std::string write_keys(std::span<const Key<Root>> keys, const Root& root) {
  std::string out;
  for (const auto& key : keys) {
    const auto text = key.toml(root);
    if (!text) continue;
    out += key.type == KeyType::groups ? *text : std::string(key.name) + " = " + *text + "\n";
  }
  return out;
}

template <class Root>
nlohmann::json json_keys(std::span<const Key<Root>> keys, const Root& root) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& key : keys)
    if (auto value = key.json(root)) out[key.name] = std::move(*value);
  return out;
}

}  // namespace grokscope::config_detail
