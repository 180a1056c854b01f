// The reproduction catalog: one file per experiment of the papers (configs/reproduce/<ID>.toml, docs/reproduce.md).
// A file is a sweep file (sweep/spec.h: [sweep], [base], [set], [[axis]], [[fit]], [phase], [t_rep]) plus
//   [reproduce]      id, title, source (paper and figure), claim (what the paper says), check (a verdict check of
//                    reproduce/checks.h), order (listing order)
//   [check]          numbers for the check (tolerances, thresholds); every key optional
//   [scale.<name>]   `quick` and `paper`: changes (what differs from the paper, one paragraph), time (wall time,
//                    measured or estimated), and optional [scale.<name>.set] / [scale.<name>.sweep] /
//                    [scale.<name>.check] tables merged over the file's, and [[scale.<name>.axis]] replacing its axes.
// Every experiment is a sweep: a single run is a sweep without axes, a few runs a sweep with one list axis.
// Parsing errors are ConfigError naming "<ID>.toml: key". Nothing here runs anything.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "grokscope/sweep/spec.h"

namespace grokscope::reproduce {

struct ScaleInfo {
  std::string name;      // quick | paper
  std::string changes;   // what this scale changes with respect to the paper's setting
  std::string time;      // wall time on the 2-core development machine (measured or estimated)
};

struct CatalogEntry {
  std::string id;        // "MU-1"
  std::string title;
  std::string source;    // "Musat, Fig. 1 (science.md §3.1)"
  std::string claim;     // the paper's claim in one or two sentences
  std::string check;     // name of the verdict check (checks.h)
  int order = 0;
  std::filesystem::path file;
  std::vector<ScaleInfo> scales;   // in file order

  const ScaleInfo* scale(const std::string& name) const;
};

// The catalog directory: `explicit_dir` when not empty, else $GROKSCOPE_REPRODUCE_DIR, else ./configs/reproduce when
// it exists, else configs/reproduce of the source tree grokscope was built from. Throws ConfigError when none exists.
std::filesystem::path catalog_dir(const std::string& explicit_dir);

// Every <ID>.toml of the directory, parsed (headers only checked), sorted by order then id.
std::vector<CatalogEntry> load_catalog(const std::filesystem::path& dir);

// The entry with this id (case-insensitive). Throws ConfigError("reproduce", id, "unknown id (known: ...)").
CatalogEntry find_entry(const std::vector<CatalogEntry>& catalog, const std::string& id);

// The sweep of an entry at a scale: the file's sweep sections with the scale's tables merged in, named <ID>-<scale>.
// seeds > 0 replaces the sweep's seeds by 0..seeds-1 (`reproduce --seeds`). Throws ConfigError for an unknown scale
// or a bad sweep section.
sweep::SweepSpec entry_sweep(const CatalogEntry& entry, const std::string& scale, int seeds = 0);

// The numbers of [check] merged with [scale.<scale>.check].
std::map<std::string, double> entry_check_params(const CatalogEntry& entry, const std::string& scale);

}  // namespace grokscope::reproduce
