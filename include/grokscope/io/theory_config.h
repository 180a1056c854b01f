// Config files of the theory instruments (`grokscope theory <instrument>`, docs/theory.md): TOML text with one table
// per instrument ([isolated]: the keys of theory::IsolatedConfig; [landscape]: theory::LandscapeConfig), --set
// overrides, the TOML and JSON forms written into a run directory. toml++ stays private to the library, as in
// io/config_toml.h. Does not call validate().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/io/config_toml.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/theory/isolated_dynamics.h"
#include "grokscope/theory/landscape_run.h"

namespace grokscope {

// Parses an [isolated] table, then applies overrides in order ("isolated.lr=1e-2"; the "isolated." prefix may be
// left out: "lr=1e-2"). Unknown tables or keys, wrong types and malformed TOML throw ConfigError naming the key
// (isolated.<key>) and the value; missing keys keep the defaults of theory::IsolatedConfig (MU-5).
theory::IsolatedConfig parse_isolated_config(std::string_view toml_text, const std::vector<std::string>& overrides,
                                             const std::string& source_name);

// Reads the file (an empty path means no file: defaults plus overrides), then parse_isolated_config.
theory::IsolatedConfig load_isolated_config(const std::string& path, const std::vector<std::string>& overrides);

// Every key in an [isolated] table (reads back to the same config), and the JSON object of the same keys.
std::string to_toml(const theory::IsolatedConfig& config);
nlohmann::json to_json(const theory::IsolatedConfig& config);

// A 16-hex-digit hash of every key (FNV-1a of the JSON form), written as summary.json's config_hash of an isolated
// run so that a sweep notices any changed key on resume (the network's RunConfig misses init_std, eval_every, ...).
std::string isolated_config_hash(const theory::IsolatedConfig& config);

// What an isolated-dynamics run adds to its run directory (`grokscope theory isolated` and instrument = "isolated"
// sweeps alike): theory.toml (rerunnable), summary.json's "theory" object and the config_hash above.
void add_isolated_files(RunDirWriter& writer, const theory::IsolatedConfig& config);

// The keys of [isolated], for listings and for checking docs/theory.md.
std::vector<ConfigKeyInfo> isolated_config_keys();

// The same for the toy-landscape instrument (MU-3; io/landscape_config.cpp): a [landscape] table, overrides
// "landscape.lr=1e-2" (prefix optional), keys landscape.<key>, defaults of theory::LandscapeConfig.
theory::LandscapeConfig parse_landscape_config(std::string_view toml_text, const std::vector<std::string>& overrides,
                                               const std::string& source_name);
theory::LandscapeConfig load_landscape_config(const std::string& path, const std::vector<std::string>& overrides);
std::string to_toml(const theory::LandscapeConfig& config);
nlohmann::json to_json(const theory::LandscapeConfig& config);
std::string landscape_config_hash(const theory::LandscapeConfig& config);
// theory.toml, summary.json's "theory" object and config_hash.
void add_landscape_files(RunDirWriter& writer, const theory::LandscapeConfig& config);
std::vector<ConfigKeyInfo> landscape_config_keys();

}  // namespace grokscope
