// Running one catalog entry (reproduce/reproduce.h): the sweep, the verdict check, figures and the report files.
#include "grokscope/reproduce/reproduce.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/plot/report.h"

namespace grokscope::reproduce {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kMarker = "reproduce/reproduction.json";

// Refuses an OUT holding another reproduction (or anything else) unless force; run_sweep refuses non-sweep dirs.
void guard_out(const fs::path& out, const CatalogEntry& entry, const std::string& scale, bool force) {
  const fs::path marker = out / kMarker;
  if (force || !fs::exists(marker)) return;
  std::ifstream in(marker);
  json j;
  try {
    j = json::parse(in);
  } catch (const std::exception&) {
    throw IoError(fmt::format("{}: unreadable reproduction marker; use --force to replace the directory", out.string()));
  }
  const std::string id = j.value("id", ""), sc = j.value("scale", "");
  if (id != entry.id || sc != scale)
    throw IoError(fmt::format("--out {}: holds the reproduction of {} at scale {}, not {} at {}; use --force to "
                              "replace it or choose another --out",
                              out.string(), id, sc, entry.id, scale));
}

std::vector<RunData> finished_runs(const fs::path& out, const sweep::SweepData& data) {
  std::vector<RunData> runs;
  for (const auto& r : data.runs) {
    if (!r.in_grid || !sweep::is_finished_status(r.status)) continue;
    RunData d;
    d.name = r.name;
    d.dir = out / "runs" / r.name;
    d.record = r;
    if (fs::exists(d.dir / "metrics.csv")) d.metrics = read_metrics_csv(d.dir / "metrics.csv");
    if (fs::exists(d.dir / "trajectory.csv")) d.trajectory = read_metrics_csv(d.dir / "trajectory.csv");
    runs.push_back(std::move(d));
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const RunData& a, const RunData& b) { return a.record.cell_index < b.record.cell_index; });
  return runs;
}

std::string cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

}  // namespace

bool ReproduceResult::pass() const {
  if (unfinished > 0 || check.verdicts.empty()) return false;
  for (const auto& v : check.verdicts)
    if (!v.pass) return false;
  return true;
}

fs::path default_out(const CatalogEntry& entry, const std::string& scale) {
  return fs::path("runs") / "reproduce" / (entry.id + "-" + scale);
}

ReproduceResult run_reproduction(const CatalogEntry& entry, const ReproduceOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const sweep::SweepSpec spec = entry_sweep(entry, options.scale, options.seeds);
  const auto params = entry_check_params(entry, options.scale);
  const CheckFn check = find_check(entry.check);
  if (!check) throw ConfigError(entry.file.filename().string() + ": reproduce.check", entry.check, "unknown check");

  ReproduceResult result;
  result.entry = entry;
  result.scale = options.scale;
  result.out = options.out.empty() ? default_out(entry, options.scale) : options.out;
  guard_out(result.out, entry, options.scale, options.force);

  sweep::SweepOptions so;
  so.out = result.out;
  so.workers = options.workers;
  so.force = options.force;
  so.stop = options.stop;
  // The marker goes in as soon as the sweep directory exists (the "planned" event, before any run), so that a
  // reproduction killed mid-way still names itself and another ID cannot resume into it without --force.
  auto write_marker = [&] {
    fs::create_directories(result.out / "reproduce");
    write_file_atomic(result.out / kMarker, json{{"id", entry.id}, {"scale", options.scale}}.dump(2) + "\n");
  };
  so.on_event = [&, forward = options.on_event](const sweep::SweepEvent& e) {
    if (e.kind == sweep::SweepEvent::Kind::planned) write_marker();
    if (forward) forward(e);
  };
  if (options.gnuplot)
    so.after_run = [g = options.gnuplot](const fs::path& dir) { plot::redraw_run(dir, g); };
  const sweep::SweepResult sr = sweep::run_sweep(spec, so);
  result.runs = sr.total;
  result.unfinished = sr.unfinished;
  result.skipped = sr.skipped;   // the marker is in place: run_sweep always plans before it returns

  const sweep::SweepData data = sweep::load_sweep_dir(result.out);
  CheckInput input;
  input.runs = finished_runs(result.out, data);
  input.params = params;
  json fits;
  if (fs::exists(result.out / "fits.json")) {
    std::ifstream in(result.out / "fits.json");
    try {
      fits = json::parse(in);
      input.fits = &fits;
    } catch (const std::exception&) {
      result.notes.push_back("fits.json unreadable");
    }
  }
  std::optional<plot::FigureSet> figures;
  if (options.gnuplot) figures.emplace(result.out / "reproduce" / "figures");
  for (const auto& run : input.runs)
    if (std::find(result.seeds.begin(), result.seeds.end(), run.record.seed) == result.seeds.end())
      result.seeds.push_back(run.record.seed);
  result.check = check(input, figures ? &*figures : nullptr);
  if (result.seeds.size() > 1) {
    std::vector<std::vector<Verdict>> per_seed;
    for (const int64_t seed : result.seeds) {
      CheckInput one = input;
      one.runs.clear();
      for (const auto& run : input.runs)
        if (run.record.seed == seed) one.runs.push_back(run);
      per_seed.push_back(check(one, nullptr).verdicts);
      std::vector<std::string> names;
      for (const auto& run : one.runs) names.push_back(run.name);
      for (auto& v : per_seed.back()) v.name = without_run_names(v.name, names);
    }
    result.check.verdicts.clear();
    for (auto& sv : combine_seed_verdicts(result.seeds, per_seed)) {
      result.check.verdicts.push_back(std::move(sv.combined));
      result.per_seed.push_back(std::move(sv.seeds));
    }
  }
  if (figures && !figures->empty()) result.figures = figures->render(*options.gnuplot);
  if (options.gnuplot) {
    try {
      for (auto& n : plot::redraw_sweep(result.out, options.gnuplot)) result.notes.push_back("sweep figures: " + n);
    } catch (const std::exception& e) {
      result.notes.push_back(std::string("sweep figures: ") + e.what());
    }
  } else {
    result.notes.push_back(plot::no_figures_note());
  }
  if (result.unfinished > 0)
    result.notes.push_back(fmt::format("{} of {} runs did not finish: the verdicts use the finished ones only",
                                       result.unfinished, result.runs));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  json j = {{"id", entry.id}, {"scale", options.scale}, {"pass", result.pass()}, {"seconds", result.seconds},
            {"runs", result.runs}, {"unfinished", result.unfinished}, {"skipped", result.skipped},
            {"verdicts", json::array()}, {"measured", result.check.measured}, {"notes", result.notes}};
  j["seeds"] = result.seeds;
  for (size_t i = 0; i < result.check.verdicts.size(); ++i) {
    json v = to_json(result.check.verdicts[i]);
    if (i < result.per_seed.size()) {
      v["seeds"] = json::array();
      for (const auto& o : result.per_seed[i]) v["seeds"].push_back(to_json(o));
    }
    j["verdicts"].push_back(std::move(v));
  }
  write_file_atomic(result.out / "reproduce" / "verdicts.json", j.dump(2) + "\n");
  write_file_atomic(result.out / "reproduce" / "report.md", report_markdown(result));
  return result;
}

std::string report_markdown(const ReproduceResult& r) {
  std::ostringstream md;
  const ScaleInfo* sc = r.entry.scale(r.scale);
  md << "# " << r.entry.id << ": " << r.entry.title << "\n\n";
  md << "- **Source:** " << r.entry.source << "\n";
  md << "- **Claim:** " << r.entry.claim << "\n";
  md << "- **Scale:** " << r.scale << ". " << (sc ? sc->changes : "") << "\n";
  md << fmt::format("- **Runs:** {} ({} reused from an earlier invocation, {} unfinished); wall time of this "
                    "invocation {:.1f} s\n",
                    r.runs, r.skipped, r.unfinished, r.seconds);
  std::string seeds;
  for (const int64_t s : r.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
  md << "- **Seeds:** " << seeds
     << (r.seeds.size() > 1 ? " (a verdict passes when more than half of the seeds pass it; value = median over seeds)"
                            : "")
     << "\n";
  md << "- **Result:** " << (r.pass() ? "PASS" : "FAIL") << "\n\n";
  md << "| prediction | measured | verdict |\n|---|---|---|\n";
  for (const auto& v : r.check.verdicts)
    md << "| " << cell(v.name + ": " + v.prediction) << " | " << cell(v.measured) << " | " << (v.pass ? "pass" : "FAIL")
       << " |\n";
  if (!r.per_seed.empty()) {
    md << "\n## Per seed\n\n| verdict | min | median | max |";
    for (const int64_t s : r.seeds) md << " seed " << s << " |";
    md << "\n|---|---|---|---|";
    for (size_t k = 0; k < r.seeds.size(); ++k) md << "---|";
    md << "\n";
    for (size_t i = 0; i < r.check.verdicts.size() && i < r.per_seed.size(); ++i) {
      std::vector<double> vals;
      for (const auto& o : r.per_seed[i])
        if (!std::isnan(o.value)) vals.push_back(o.value);
      const double lo = vals.empty() ? kNaN : *std::min_element(vals.begin(), vals.end());
      const double hi = vals.empty() ? kNaN : *std::max_element(vals.begin(), vals.end());
      md << "| " << cell(r.check.verdicts[i].name) << " | " << num(lo) << " | " << num(r.check.verdicts[i].value)
         << " | " << num(hi) << " |";
      for (const auto& o : r.per_seed[i]) md << " " << num(o.value) << (o.pass ? "" : " FAIL") << " |";
      md << "\n";
    }
  }
  if (!r.check.measured.empty()) {
    md << "\n## Measured\n\n";
    for (const auto& m : r.check.measured) md << "- " << m << "\n";
  }
  if (!r.figures.empty()) {
    md << "\n## Figures\n\n";
    for (const auto& f : r.figures)
      md << "- [" << f.name << "](figures/" << f.name << ".png): " << f.caption << "\n";
  }
  if (!r.notes.empty()) {
    md << "\n## Notes\n\n";
    for (const auto& n : r.notes) md << "- " << n << "\n";
  }
  md << "\nSweep outputs (runs, index, per-run figures and report.html): `" << r.out.string() << "`\n";
  return md.str();
}

}  // namespace grokscope::reproduce
