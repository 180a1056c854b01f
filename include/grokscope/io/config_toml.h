// Run configuration files: TOML text <-> RunConfig, --set overrides, canonical JSON and the config hash.
// The keys, their types, defaults and rules are documented in docs/config.md. toml++ is an implementation detail
// (linked privately); no toml++ type appears here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/train/config.h"

namespace grokscope {

// Parses TOML text into a RunConfig, applying overrides ("dotted.key=value", as given to --set, in order) on top of
// the file before conversion. Missing sections and keys keep the defaults of train/config.h. Unknown sections or
// keys, wrong types, unknown enum names and malformed TOML throw ConfigError naming the key and value; malformed TOML
// is reported as ConfigError("config", "<source_name>:<line>:<column>", "malformed TOML: ..."). source_name is only
// used in messages (an empty one reads "<config>"). Does not call validate().
//
// An override's value is parsed as a TOML value (1e-3, [128, 128], true, "text", {lr = 0.1}); text that is not a
// valid TOML value is taken as a string, so train.dtype=f64 works unquoted. The key is split at dots (a segment may be
// double-quoted to hold dots); missing tables on the path are created and an existing value is replaced.
RunConfig parse_run_config(std::string_view toml_text, const std::vector<std::string>& overrides,
                           const std::string& source_name);

// Reads the file (missing or unreadable -> ConfigError("config", path, "cannot read file")), then parse_run_config
// with the path as source name.
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides);

// The fully resolved config as TOML text: every key, defaults included, in sections task, model, loss, optim
// (then optim.groups.<name> tables), train, eval. Doubles are printed in the shortest form that reads back to the same
// value, so parse_run_config(to_toml(c), {}, "") == c. Seeds above 2^63 - 1 (not representable as a TOML integer) are
// written as decimal strings, which the parser accepts for the two seed keys.
std::string to_toml(const RunConfig& config);

// Canonical JSON of the config: an object with the same sections and key names as the TOML form (optim.betas as a
// two-element array, optim.groups holding only the overrides that are set), keys sorted. Used in summary.json and
// for hashing.
nlohmann::json to_json(const RunConfig& config);

// 64-bit FNV-1a of to_json(config).dump() (compact, sorted keys), as 16 lowercase hex digits.
std::string config_hash(const RunConfig& config);

// One key of a config file, as the parser knows it (for listings, and for checking docs/config.md).
struct ConfigKeyInfo {
  std::string key;                  // dotted, as in a file: "task.kind"; per-group keys as "optim.groups.<name>.lr"
  std::string type;                 // "int", "int (32-bit)", "uint64", "float", "float (optional)", "bool", "string",
                                    // "enum", "array of ints", "array of floats", "array of 2 floats"
  std::vector<std::string> values;  // the names an enum key accepts; empty for other types
};

// Every key, in the order to_toml writes them.
std::vector<ConfigKeyInfo> config_keys();

}  // namespace grokscope
