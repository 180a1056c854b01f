// Config of the toy-landscape instrument (see io/theory_config.h): the [landscape] key table, parsing, overrides,
// TOML and JSON forms, the run-directory files. The typed reads and text forms are those of the run config.
#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "config_keys.h"
#include "grokscope/io/theory_config.h"

namespace grokscope {

namespace {

using namespace config_detail;
using theory::LandscapeConfig;

struct LandscapeKey {
  const char* name;
  const char* type;
  std::function<void(const toml::node&, const std::string&, LandscapeConfig&)> read;
  std::function<std::string(const LandscapeConfig&)> toml;
  std::function<nlohmann::json(const LandscapeConfig&)> json;
};

const std::vector<LandscapeKey>& landscape_keys() {
  static const std::vector<LandscapeKey> keys = {
      {"kind", "enum",
       [](const toml::node& n, const std::string& key, LandscapeConfig& c) {
         c.kind = static_cast<theory::LandscapeKind>(get_choice(n, key, theory::landscape_names()));
       },
       [](const LandscapeConfig& c) { return toml_quote(theory::to_string(c.kind)); },
       [](const LandscapeConfig& c) { return nlohmann::json(theory::to_string(c.kind)); }},
      {"starts", "array of floats",
       [](const toml::node& n, const std::string& key, LandscapeConfig& c) { c.starts = get_double_array(n, key); },
       [](const LandscapeConfig& c) {
         std::string out;
         for (double v : c.starts) out += (out.empty() ? "" : ", ") + toml_double(v);
         return "[" + out + "]";
       },
       [](const LandscapeConfig& c) { return nlohmann::json(c.starts); }},
      {"lr", "float",
       [](const toml::node& n, const std::string& key, LandscapeConfig& c) { c.lr = get_double(n, key); },
       [](const LandscapeConfig& c) { return toml_double(c.lr); },
       [](const LandscapeConfig& c) { return nlohmann::json(c.lr); }},
      {"weight_decay", "float",
       [](const toml::node& n, const std::string& key, LandscapeConfig& c) { c.weight_decay = get_double(n, key); },
       [](const LandscapeConfig& c) { return toml_double(c.weight_decay); },
       [](const LandscapeConfig& c) { return nlohmann::json(c.weight_decay); }},
      {"steps", "int",
       [](const toml::node& n, const std::string& key, LandscapeConfig& c) { c.steps = get_int(n, key); },
       [](const LandscapeConfig& c) { return std::to_string(c.steps); },
       [](const LandscapeConfig& c) { return nlohmann::json(c.steps); }},
  };
  return keys;
}

std::string known_keys() {
  std::string out;
  for (const auto& k : landscape_keys()) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

void read_key(const std::string& name, const toml::node& node, LandscapeConfig& c) {
  for (const auto& k : landscape_keys())
    if (name == k.name) {
      k.read(node, "landscape." + name, c);
      return;
    }
  throw ConfigError("landscape." + name, render(node), "unknown key (known in [landscape]: " + known_keys() + ")");
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

// "landscape.lr=1e-2" or "lr=1e-2": the value is read as a TOML value, or as a string when it is not one.
void apply_override(const std::string& text, LandscapeConfig& c) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) throw ConfigError("--set", text, "expected key=value (e.g. landscape.lr=1e-2)");
  std::string key = trim(std::string_view(text).substr(0, eq));
  if (key.rfind("landscape.", 0) == 0) key = key.substr(10);
  if (key.empty() || key.find('.') != std::string::npos)
    throw ConfigError("--set", text, "expected landscape.<key>=value (known keys: " + known_keys() + ")");
  const std::string value_text = trim(std::string_view(text).substr(eq + 1));
  toml::table value;
  try {
    value = toml::parse("v = " + value_text + "\n");
  } catch (const toml::parse_error&) {
    value = toml::table{};
  }
  if (!value.contains("v")) value.insert_or_assign("v", value_text);
  read_key(key, *value.get("v"), c);
}

}  // namespace

theory::LandscapeConfig parse_landscape_config(std::string_view toml_text, const std::vector<std::string>& overrides,
                                               const std::string& source_name) {
  const std::string source = source_name.empty() ? "<config>" : source_name;
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::string d(e.description());
    for (char& ch : d)
      if (ch == '\n' || ch == '\r') ch = ' ';
    throw ConfigError("config", fmt::format("{}:{}:{}", source, e.source().begin.line, e.source().begin.column),
                      "malformed TOML: " + d);
  }
  LandscapeConfig c;
  for (auto&& [k, node] : root) {
    const std::string name(k.str());
    if (name != "landscape")
      throw ConfigError(name, "", "unknown section (a landscape config has one table: [landscape])");
    const toml::table* table = node.as_table();
    if (!table) wrong_type(node, name, "a table");
    for (auto&& [key, value] : *table) read_key(std::string(key.str()), value, c);
  }
  for (const auto& text : overrides) apply_override(text, c);
  return c;
}

theory::LandscapeConfig load_landscape_config(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return parse_landscape_config("", overrides, "");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("config", path, "cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_landscape_config(text.str(), overrides, path);
}

std::string to_toml(const theory::LandscapeConfig& c) {
  std::string out = "[landscape]\n";
  for (const auto& k : landscape_keys()) out += std::string(k.name) + " = " + k.toml(c) + "\n";
  return out;
}

nlohmann::json to_json(const theory::LandscapeConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& k : landscape_keys()) j[k.name] = k.json(c);
  return j;
}

std::string landscape_config_hash(const theory::LandscapeConfig& config) {
  const std::string text = "landscape" + to_json(config).dump();
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

void add_landscape_files(RunDirWriter& writer, const theory::LandscapeConfig& config) {
  writer.add_file("theory.toml", "# grokscope theory landscape: rerun with `grokscope theory landscape theory.toml`\n" +
                                     to_toml(config));
  writer.add_summary_field("theory", {{"instrument", "landscape"}, {"config", to_json(config)}});
  writer.add_summary_field("config_hash", landscape_config_hash(config));
}

std::vector<ConfigKeyInfo> landscape_config_keys() {
  std::vector<ConfigKeyInfo> out;
  for (const auto& k : landscape_keys())
    out.push_back(ConfigKeyInfo{
        std::string("landscape.") + k.name, k.type,
        std::string(k.type) == "enum" ? theory::landscape_names() : std::vector<std::string>{}});
  return out;
}

}  // namespace grokscope
