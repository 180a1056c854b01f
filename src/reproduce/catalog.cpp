// Catalog files of `grokscope reproduce` (reproduce/catalog.h): reading the [reproduce] header and the scales, and
// turning an entry at a scale into a sweep spec (the sweep sections with the scale's tables merged in).
#include "grokscope/reproduce/catalog.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "grokscope/core/error.h"

#ifndef GROKSCOPE_CATALOG_DIR
#define GROKSCOPE_CATALOG_DIR ""
#endif

namespace grokscope::reproduce {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSweepSections[] = {"sweep", "base", "set", "axis", "fit", "phase", "t_rep"};

toml::table parse_file(const fs::path& file) {
  try {
    return toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::string d(e.description());
    std::replace(d.begin(), d.end(), '\n', ' ');
    throw ConfigError("reproduce", fmt::format("{}:{}:{}", file.string(), e.source().begin.line,
                                               e.source().begin.column),
                      "malformed TOML: " + d);
  }
}

std::string where(const fs::path& file, const std::string& key) { return file.filename().string() + ": " + key; }

std::string get_string(const toml::table& t, const char* key, const fs::path& file, const std::string& prefix,
                       bool required) {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) throw ConfigError(where(file, prefix + key), "", "missing");
    return "";
  }
  if (!n->as_string()) throw ConfigError(where(file, prefix + key), "", "must be a string");
  return n->as_string()->get();
}

void check_keys(const toml::table& t, const fs::path& file, const std::string& prefix,
                const std::vector<std::string>& known) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
    throw ConfigError(where(file, prefix + key), "", "unknown key (known: " + list + ")");
  }
}

// Merges src into dst: tables recursively, every other value replaces.
void merge(toml::table& dst, const toml::table& src) {
  for (const auto& [k, v] : src) {
    if (const auto* sub = v.as_table()) {
      if (auto* existing = dst.get_as<toml::table>(k)) {
        merge(*existing, *sub);
        continue;
      }
    }
    dst.insert_or_assign(k, v);
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

CatalogEntry parse_entry(const fs::path& file) {
  const toml::table root = parse_file(file);
  std::vector<std::string> known = {"reproduce", "check", "scale"};
  for (const char* s : kSweepSections) known.push_back(s);
  check_keys(root, file, "", known);
  const toml::table* head = root.get_as<toml::table>("reproduce");
  if (!head) throw ConfigError(where(file, "reproduce"), "", "missing [reproduce] table (id, title, source, claim, check)");
  check_keys(*head, file, "reproduce.", {"id", "title", "source", "claim", "check", "order"});
  CatalogEntry e;
  e.file = file;
  e.id = get_string(*head, "id", file, "reproduce.", true);
  if (e.id != file.stem().string())
    throw ConfigError(where(file, "reproduce.id"), e.id, "must match the file name " + file.stem().string());
  e.title = get_string(*head, "title", file, "reproduce.", true);
  e.source = get_string(*head, "source", file, "reproduce.", true);
  e.claim = get_string(*head, "claim", file, "reproduce.", true);
  e.check = get_string(*head, "check", file, "reproduce.", true);
  if (const auto* o = head->get("order")) {
    if (!o->as_integer()) throw ConfigError(where(file, "reproduce.order"), "", "must be an integer");
    e.order = static_cast<int>(o->as_integer()->get());
  }
  if (const auto* c = root.get("check")) {
    if (!c->as_table()) throw ConfigError(where(file, "check"), "", "must be a table of numbers");
  }
  const toml::table* scales = root.get_as<toml::table>("scale");
  if (!scales || !scales->get("quick"))
    throw ConfigError(where(file, "scale.quick"), "", "missing (every entry needs a quick scale)");
  for (const auto& [k, v] : *scales) {
    const std::string name(k.str());
    if (name != "quick" && name != "paper")
      throw ConfigError(where(file, "scale." + name), "", "unknown scale (known: quick, paper)");
    const auto* t = v.as_table();
    if (!t) throw ConfigError(where(file, "scale." + name), "", "must be a table");
    const std::string prefix = "scale." + name + ".";
    check_keys(*t, file, prefix, {"changes", "time", "set", "sweep", "check", "axis"});
    e.scales.push_back({name, get_string(*t, "changes", file, prefix, true), get_string(*t, "time", file, prefix, true)});
  }
  return e;
}

}  // namespace

const ScaleInfo* CatalogEntry::scale(const std::string& name) const {
  for (const auto& s : scales)
    if (s.name == name) return &s;
  return nullptr;
}

fs::path catalog_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) {
    if (!fs::is_directory(explicit_dir)) throw ConfigError("--catalog", explicit_dir, "not a directory");
    return explicit_dir;
  }
  if (const char* env = std::getenv("GROKSCOPE_REPRODUCE_DIR"); env && *env) {
    if (!fs::is_directory(env)) throw ConfigError("GROKSCOPE_REPRODUCE_DIR", env, "not a directory");
    return env;
  }
  if (fs::is_directory("configs/reproduce")) return "configs/reproduce";
  const fs::path built(GROKSCOPE_CATALOG_DIR);
  if (!built.empty() && fs::is_directory(built)) return built;
  throw ConfigError("--catalog", "", "no catalog found (configs/reproduce in the current directory or the source tree)");
}

std::vector<CatalogEntry> load_catalog(const fs::path& dir) {
  std::vector<CatalogEntry> out;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.is_regular_file() && f.path().extension() == ".toml") out.push_back(parse_entry(f.path()));
  std::sort(out.begin(), out.end(), [](const CatalogEntry& a, const CatalogEntry& b) {
    return a.order != b.order ? a.order < b.order : a.id < b.id;
  });
  return out;
}

CatalogEntry find_entry(const std::vector<CatalogEntry>& catalog, const std::string& id) {
  for (const auto& e : catalog)
    if (lower(e.id) == lower(id)) return e;
  std::string known;
  for (const auto& e : catalog) known += (known.empty() ? "" : ", ") + e.id;
  throw ConfigError("reproduce", id, "unknown id (known: " + known + ")");
}

sweep::SweepSpec entry_sweep(const CatalogEntry& entry, const std::string& scale, int seeds) {
  if (!entry.scale(scale)) {
    std::string known;
    for (const auto& s : entry.scales) known += (known.empty() ? "" : ", ") + s.name;
    throw ConfigError("--scale", scale, fmt::format("{} has no such scale (known: {})", entry.id, known));
  }
  const toml::table root = parse_file(entry.file);
  toml::table out;
  for (const char* s : kSweepSections)
    if (const auto* n = root.get(s)) out.insert_or_assign(s, *n);
  const toml::table& sc = *root.get_as<toml::table>("scale")->get_as<toml::table>(scale);
  for (const char* s : {"set", "sweep"}) {
    if (const auto* t = sc.get_as<toml::table>(s)) {
      if (!out.get_as<toml::table>(s)) out.insert_or_assign(s, toml::table{});
      merge(*out.get_as<toml::table>(s), *t);
    }
  }
  if (const auto* axes = sc.get("axis")) out.insert_or_assign("axis", *axes);
  if (!out.get_as<toml::table>("sweep")) out.insert_or_assign("sweep", toml::table{});
  out.get_as<toml::table>("sweep")->insert_or_assign("name", entry.id + "-" + scale);
  if (seeds > 0) {
    toml::array list;
    for (int k = 0; k < seeds; ++k) list.push_back(k);
    out.get_as<toml::table>("sweep")->insert_or_assign("seeds", list);
  }
  std::ostringstream text;
  text << "# " << entry.id << " (" << scale << " scale), made by grokscope reproduce from " << entry.file.string()
       << "\n" << out << "\n";
  return sweep::parse_sweep_spec(text.str(), entry.file.string());
}

std::map<std::string, double> entry_check_params(const CatalogEntry& entry, const std::string& scale) {
  const toml::table root = parse_file(entry.file);
  std::map<std::string, double> out;
  auto read = [&](const toml::table* t, const std::string& prefix) {
    if (!t) return;
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      if (auto i = v.as_integer()) out[key] = static_cast<double>(i->get());
      else if (auto f = v.as_floating_point()) out[key] = f->get();
      else throw ConfigError(where(entry.file, prefix + key), "", "must be a number");
    }
  };
  read(root.get_as<toml::table>("check"), "check.");
  if (const auto* scales = root.get_as<toml::table>("scale"))
    if (const auto* sc = scales->get_as<toml::table>(scale)) read(sc->get_as<toml::table>("check"), "scale." + scale + ".check.");
  return out;
}

}  // namespace grokscope::reproduce
