// `grokscope reproduce`: the catalog of the papers' experiments (configs/reproduce/<ID>.toml, docs/reproduce.md).
// --list prints the catalog; ID runs one experiment at a scale and prints its verdicts; --all runs every experiment
// (each resuming like a sweep) and writes the summary (reproduce/summary.h). Exit status: 0 every verdict passed, 1 a
// verdict failed (or a run did not finish), 2 bad input (unknown ID or scale, a refused --out).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "interrupt.h"
#include "grokscope/core/error.h"
#include "grokscope/reproduce/reproduce.h"
#include "grokscope/reproduce/summary.h"

namespace grokscope::cli {

namespace {
struct ReproduceCli {
  std::string id;
  std::string scale = "quick";
  std::string out_dir;
  std::string catalog;
  int workers = 0;
  int seeds = 0;
  bool list = false;
  bool all = false;
  bool force = false;
  bool no_plot = false;
  bool quiet = false;
};

// Splits text into lines of at most `width` characters at spaces (a longer word stays whole).
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!lines.back().empty() && lines.back().size() + 1 + word.size() > width) lines.emplace_back();
    lines.back() += (lines.back().empty() ? "" : " ") + word;
    start = end + 1;
  }
  return lines;
}

int list_catalog(const std::vector<reproduce::CatalogEntry>& catalog) {
  std::printf("%-6s %-62s %s\n", "id", "experiment", "quick / paper wall time");
  for (const auto& e : catalog) {
    const auto* q = e.scale("quick");
    const auto* p = e.scale("paper");
    const auto lines = wrap(e.title, 62);
    std::printf("%-6s %-62s quick: %s\n", e.id.c_str(), lines[0].c_str(), q ? q->time.c_str() : "-");
    for (size_t i = 1; i < lines.size(); ++i)
      std::printf("%-6s %-62s%s\n", "", lines[i].c_str(), i == 1 ? (" paper: " + (p ? p->time : "-")).c_str() : "");
    if (lines.size() == 1) std::printf("%-6s %-62s paper: %s\n", "", "", p ? p->time.c_str() : "-");
  }
  std::printf("%zu experiments; run one with: grokscope reproduce ID [--scale quick|paper]\n", catalog.size());
  return 0;
}

reproduce::ReproduceOptions make_options(const ReproduceCli& opt) {
  reproduce::ReproduceOptions ro;
  ro.scale = opt.scale;
  ro.out = opt.out_dir;
  ro.force = opt.force;
  ro.workers = opt.workers;
  ro.seeds = opt.seeds;
  ro.stop = &interrupt_flag();
  if (!opt.no_plot) {
    ro.gnuplot = plot::find_gnuplot();
    if (!ro.gnuplot && !opt.quiet)
      std::fprintf(stderr, "grokscope: note: %s; verdicts are made without figures\n",
                   plot::figures_disabled() ? plot::kFiguresDisabled : plot::kNoGnuplot);
  }
  return ro;
}

// One experiment, printed as it runs.
reproduce::ReproduceResult run_entry(const ReproduceCli& opt, const reproduce::CatalogEntry& entry,
                                     reproduce::ReproduceOptions ro) {
  ro.on_event = [&](const sweep::SweepEvent& e) {
    if (opt.quiet) return;
    using Kind = sweep::SweepEvent::Kind;
    if (e.kind == Kind::planned) {   // the header only once the input is valid: a bad input gets its one line alone
      const auto* sc = entry.scale(opt.scale);
      std::printf("%s (%s scale): %s\n  %s\n  claim: %s\n  scale: %s\n", entry.id.c_str(), opt.scale.c_str(),
                  entry.title.c_str(), entry.source.c_str(), entry.claim.c_str(), sc ? sc->changes.c_str() : "");
      std::printf("%d runs (%d finished before), %d to run on %d worker%s\n", e.total, e.skipped, e.to_run, e.workers,
                  e.workers == 1 ? "" : "s");
    }
    else if (e.kind == Kind::finished)
      std::printf("[%d/%d] %s  %s  (%.1f s)\n", e.done, e.to_run, e.record->name.c_str(), e.record->status.c_str(),
                  e.record->seconds);
    else if (e.kind == Kind::note)
      std::fprintf(stderr, "grokscope: warning: %s\n", e.text.c_str());
    std::fflush(stdout);
  };
  const reproduce::ReproduceResult r = [&] {
    const CatchInterrupt catch_interrupt;
    return reproduce::run_reproduction(entry, ro);
  }();

  if (!opt.quiet) {
    std::printf("\n%-5s %-40s %s\n", "", "prediction", "measured");
    int passed = 0;
    for (const auto& v : r.check.verdicts) {
      passed += v.pass;
      std::printf("%-5s %-40s %s\n", v.pass ? "pass" : "FAIL", v.name.c_str(), v.measured.c_str());
    }
    for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
    std::printf("\n%s %s: %s (%d of %zu verdicts passed) in %.1f s\nreport: %s\n", entry.id.c_str(), opt.scale.c_str(),
                r.pass() ? "PASS" : "FAIL", passed, r.check.verdicts.size(), r.seconds,
                (r.out / "reproduce" / "report.md").string().c_str());
  }
  return r;
}

int interrupted() {
  std::fprintf(stderr, "grokscope: reproduction interrupted; run the same command again to resume\n");
  return 1;
}

// Every experiment of the catalog at one scale, then the summary. --out is the parent directory of the experiments'
// directories (default runs/reproduce).
int run_all(const ReproduceCli& opt, const std::vector<reproduce::CatalogEntry>& catalog) {
  const std::filesystem::path dir = opt.out_dir.empty() ? std::filesystem::path("runs") / "reproduce" : std::filesystem::path(opt.out_dir);
  reproduce::ReproduceOptions ro = make_options(opt);
  std::vector<reproduce::SummaryRow> rows;
  for (const auto& entry : catalog) {
    if (interrupt_flag().load()) break;
    ro.out = dir / (entry.id + "-" + opt.scale);
    try {
      rows.push_back(reproduce::summary_row(run_entry(opt, entry, ro)));
    } catch (const std::exception& e) {   // a refused --out or a bad catalog file: reported, the others still run
      reproduce::SummaryRow row;
      row.id = entry.id;
      row.title = entry.title;
      row.check = entry.check;
      row.error = e.what();
      rows.push_back(row);
      std::fprintf(stderr, "grokscope: error: %s: %s\n", entry.id.c_str(), e.what());
    }
    if (!opt.quiet) std::printf("\n");
  }
  const auto md = reproduce::write_summary(dir, rows, opt.scale);
  int passed = 0;
  for (const auto& r : rows) passed += r.pass;
  if (!opt.quiet) {
    std::printf("%-6s %-9s %-8s %s\n", "id", "verdicts", "result", "seconds");
    for (const auto& r : rows)
      std::printf("%-6s %-9s %-8s %.1f\n", r.id.c_str(),
                  r.error.empty() ? fmt::format("{}/{}", r.passed, r.total).c_str() : "-",
                  r.error.empty() ? (r.pass ? "pass" : "FAIL") : "ERROR", r.seconds);
    std::printf("%d of %zu experiments pass; summary: %s\n", passed, rows.size(), md.string().c_str());
  }
  if (interrupt_flag().load()) return interrupted();
  return passed == static_cast<int>(rows.size()) && rows.size() == catalog.size() ? 0 : 1;
}

int run_reproduce(const ReproduceCli& opt) {
  const auto catalog = reproduce::load_catalog(reproduce::catalog_dir(opt.catalog));
  if (opt.list) return list_catalog(catalog);
  if (opt.scale != "quick" && opt.scale != "paper") throw ConfigError("--scale", opt.scale, "must be quick or paper");
  if (opt.all) {
    if (!opt.id.empty()) throw ConfigError("reproduce", opt.id, "name an ID or give --all, not both");
    return run_all(opt, catalog);
  }
  if (opt.id.empty())
    throw ConfigError("reproduce", "", "name an experiment ID or --all (grokscope reproduce --list shows them)");
  const reproduce::CatalogEntry entry = reproduce::find_entry(catalog, opt.id);
  const reproduce::ReproduceResult r = run_entry(opt, entry, make_options(opt));
  if (interrupt_flag().load()) return interrupted();
  return r.pass() ? 0 : 1;
}
}  // namespace

Action add_reproduce_command(CLI::App& app) {
  auto opt = std::make_shared<ReproduceCli>();
  CLI::App* cmd = app.add_subcommand("reproduce", "Reproduce an experiment of the papers and check its predictions");
  cmd->add_option("id", opt->id, "Experiment ID of the catalog (e.g. MU-1; see --list)");
  cmd->add_flag("--list", opt->list, "List the catalog and exit");
  cmd->add_flag("--all", opt->all,
                "Run every experiment (resuming each) and write summary-<scale>.md/.json into --out (default "
                "runs/reproduce)");
  cmd->add_option("--seeds", opt->seeds, "Run seeds 0..N-1 instead of the catalog file's (verdicts: median seed)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--scale", opt->scale, "quick (minutes on 2 cores, the physics kept) or paper (published values)");
  cmd->add_option("--out", opt->out_dir, "Output directory (default: runs/reproduce/<ID>-<scale>)");
  cmd->add_option("--workers", opt->workers, "Runs at a time (default: as many as cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("--catalog", opt->catalog, "Catalog directory (default: configs/reproduce)");
  cmd->add_flag("--force", opt->force, "Replace a previous reproduction in --out (never a directory that is not one)");
  cmd->add_flag("--no-plot", opt->no_plot, "Make no figures");
  cmd->add_flag("-q,--quiet", opt->quiet, "Print nothing but errors");
  return [opt] { return run_reproduce(*opt); };
}

}  // namespace grokscope::cli
