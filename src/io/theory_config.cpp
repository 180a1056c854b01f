// Config files of the theory instruments (see io/theory_config.h): the [isolated] key table, parsing, overrides,
// TOML and JSON forms. The typed reads and text forms are those of the run config (config_keys.h).
#include "grokscope/io/theory_config.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <type_traits>

#include "config_keys.h"

namespace grokscope {

namespace {

using namespace config_detail;
using theory::IsolatedConfig;

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = {"relu", "leaky_relu", "quadratic", "identity", "tanh"};
  return names;
}
constexpr Activation kActivations[] = {Activation::relu, Activation::leaky_relu, Activation::quadratic,
                                       Activation::identity, Activation::tanh};

struct IsolatedKey {
  const char* name;
  const char* type;   // as in docs/config.md
  std::function<void(const toml::node&, const std::string&, IsolatedConfig&)> read;
  std::function<std::string(const IsolatedConfig&)> toml;
  std::function<nlohmann::json(const IsolatedConfig&)> json;
};

template <class T>
IsolatedKey number_key(const char* name, T IsolatedConfig::*member) {
  IsolatedKey k{name, "", nullptr, nullptr, nullptr};
  if constexpr (std::is_same_v<T, int>) {
    k.type = "int (32-bit)";
    k.read = [member](const toml::node& n, const std::string& key, IsolatedConfig& c) { c.*member = get_int32(n, key); };
    k.toml = [member](const IsolatedConfig& c) { return std::to_string(c.*member); };
  } else if constexpr (std::is_same_v<T, int64_t>) {
    k.type = "int";
    k.read = [member](const toml::node& n, const std::string& key, IsolatedConfig& c) { c.*member = get_int(n, key); };
    k.toml = [member](const IsolatedConfig& c) { return std::to_string(c.*member); };
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    k.type = "uint64";
    k.read = [member](const toml::node& n, const std::string& key, IsolatedConfig& c) { c.*member = get_u64(n, key); };
    k.toml = [member](const IsolatedConfig& c) {
      return c.*member > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? toml_quote(std::to_string(c.*member))
                                                                                   : std::to_string(c.*member);
    };
  } else if constexpr (std::is_same_v<T, double>) {
    k.type = "float";
    k.read = [member](const toml::node& n, const std::string& key, IsolatedConfig& c) { c.*member = get_double(n, key); };
    k.toml = [member](const IsolatedConfig& c) { return toml_double(c.*member); };
  } else if constexpr (std::is_same_v<T, bool>) {
    k.type = "bool";
    k.read = [member](const toml::node& n, const std::string& key, IsolatedConfig& c) { c.*member = get_bool(n, key); };
    k.toml = [member](const IsolatedConfig& c) { return std::string(c.*member ? "true" : "false"); };
  } else {
    static_assert(std::is_same_v<T, std::string>);
    k.type = "string";
    k.read = [member](const toml::node& n, const std::string& key, IsolatedConfig& c) { c.*member = get_string(n, key); };
    k.toml = [member](const IsolatedConfig& c) { return toml_quote(c.*member); };
  }
  k.json = [member](const IsolatedConfig& c) {
    if constexpr (std::is_same_v<T, double>)
      return std::isfinite(c.*member) ? nlohmann::json(c.*member) : nlohmann::json(toml_double(c.*member));
    else
      return nlohmann::json(c.*member);
  };
  return k;
}

const std::vector<IsolatedKey>& isolated_keys() {
  static const std::vector<IsolatedKey> keys = [] {
    std::vector<IsolatedKey> k;
    k.push_back(number_key("p", &IsolatedConfig::p));
    k.push_back(number_key("width", &IsolatedConfig::width));
    k.push_back(number_key("op", &IsolatedConfig::op));
    k.push_back(number_key("train_fraction", &IsolatedConfig::train_fraction));
    k.push_back(number_key("n_train", &IsolatedConfig::n_train));
    k.push_back(number_key("split_seed", &IsolatedConfig::split_seed));
    k.push_back(number_key("seed", &IsolatedConfig::seed));
    k.push_back(number_key("init_std", &IsolatedConfig::init_std));
    k.push_back(IsolatedKey{
        "activation", "enum",
        [](const toml::node& n, const std::string& key, IsolatedConfig& c) {
          c.activation = kActivations[get_choice(n, key, activation_names())];
        },
        [](const IsolatedConfig& c) { return toml_quote(to_string(c.activation)); },
        [](const IsolatedConfig& c) { return nlohmann::json(to_string(c.activation)); }});
    k.push_back(number_key("leaky_slope", &IsolatedConfig::leaky_slope));
    k.push_back(number_key("lr", &IsolatedConfig::lr));
    k.push_back(number_key("steps", &IsolatedConfig::steps));
    k.push_back(number_key("eval_every", &IsolatedConfig::eval_every));
    k.push_back(number_key("spectrum", &IsolatedConfig::spectrum));
    k.push_back(number_key("max_condition", &IsolatedConfig::max_condition));
    return k;
  }();
  return keys;
}

std::string known_keys() {
  std::string out;
  for (const auto& k : isolated_keys()) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

// One key=value of an [isolated] table (or of an override) into c.
void read_key(const std::string& name, const toml::node& node, IsolatedConfig& c) {
  for (const auto& k : isolated_keys())
    if (name == k.name) {
      k.read(node, "isolated." + name, c);
      return;
    }
  throw ConfigError("isolated." + name, render(node), "unknown key (known in [isolated]: " + known_keys() + ")");
}

std::string describe(const toml::parse_error& e) {
  std::string d(e.description());
  for (char& ch : d)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return d;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

// "isolated.lr=1e-2" or "lr=1e-2": the value is read as a TOML value, or as a string when it is not one.
void apply_override(const std::string& text, IsolatedConfig& c) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) throw ConfigError("--set", text, "expected key=value (e.g. isolated.lr=1e-2)");
  std::string key = trim(std::string_view(text).substr(0, eq));
  if (key.rfind("isolated.", 0) == 0) key = key.substr(9);
  if (key.empty() || key.find('.') != std::string::npos)
    throw ConfigError("--set", text, "expected isolated.<key>=value (known keys: " + known_keys() + ")");
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

theory::IsolatedConfig parse_isolated_config(std::string_view toml_text, const std::vector<std::string>& overrides,
                                             const std::string& source_name) {
  const std::string source = source_name.empty() ? "<config>" : source_name;
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError("config",
                      fmt::format("{}:{}:{}", source, e.source().begin.line, e.source().begin.column),
                      "malformed TOML: " + describe(e));
  }
  IsolatedConfig c;
  for (auto&& [k, node] : root) {
    const std::string name(k.str());
    if (name != "isolated")
      throw ConfigError(name, "", "unknown section (a theory config has one table: [isolated])");
    const toml::table* table = node.as_table();
    if (!table) wrong_type(node, name, "a table");
    for (auto&& [key, value] : *table) read_key(std::string(key.str()), value, c);
  }
  for (const auto& text : overrides) apply_override(text, c);
  return c;
}

theory::IsolatedConfig load_isolated_config(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return parse_isolated_config("", overrides, "");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("config", path, "cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_isolated_config(text.str(), overrides, path);
}

std::string to_toml(const theory::IsolatedConfig& c) {
  std::string out = "[isolated]\n";
  for (const auto& k : isolated_keys()) out += std::string(k.name) + " = " + k.toml(c) + "\n";
  return out;
}

nlohmann::json to_json(const theory::IsolatedConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& k : isolated_keys()) j[k.name] = k.json(c);
  return j;
}

std::string isolated_config_hash(const theory::IsolatedConfig& config) {
  const std::string text = "isolated" + to_json(config).dump();
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

void add_isolated_files(RunDirWriter& writer, const theory::IsolatedConfig& config) {
  writer.add_file("theory.toml", "# grokscope theory isolated: rerun with `grokscope theory isolated theory.toml`\n" +
                                     to_toml(config));
  writer.add_summary_field("theory", {{"instrument", "isolated"}, {"config", to_json(config)}});
  writer.add_summary_field("config_hash", isolated_config_hash(config));
}

std::vector<ConfigKeyInfo> isolated_config_keys() {
  std::vector<ConfigKeyInfo> out;
  for (const auto& k : isolated_keys())
    out.push_back(ConfigKeyInfo{std::string("isolated.") + k.name, k.type,
                                std::string(k.type) == "enum" ? activation_names() : std::vector<std::string>{}});
  return out;
}

}  // namespace grokscope
