// `grokscope reproduce`: the catalog of the papers' experiments (configs/reproduce/<ID>.toml, docs/reproduce.md).
// --list prints the catalog; ID runs one experiment at a scale and prints its verdicts. Exit status: 0 every verdict
// passed, 1 a verdict failed (or a run did not finish), 2 bad input (unknown ID or scale, a refused --out).
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "interrupt.h"
#include "grokscope/core/error.h"
#include "grokscope/reproduce/reproduce.h"

namespace grokscope::cli {

namespace {
struct ReproduceCli {
  std::string id;
  std::string scale = "quick";
  std::string out_dir;
  std::string catalog;
  int workers = 0;
  bool list = false;
  bool force = false;
  bool no_plot = false;
  bool quiet = false;
};

int list_catalog(const std::vector<reproduce::CatalogEntry>& catalog) {
  std::printf("%-6s %-62s %-14s %s\n", "id", "experiment", "quick", "paper");
  for (const auto& e : catalog) {
    const auto* q = e.scale("quick");
    const auto* p = e.scale("paper");
    std::printf("%-6s %-62s %-14s %s\n", e.id.c_str(), e.title.substr(0, 62).c_str(), q ? q->time.c_str() : "-",
                p ? p->time.c_str() : "-");
  }
  std::printf("%zu experiments; run one with: grokscope reproduce ID [--scale quick|paper]\n", catalog.size());
  return 0;
}

int run_reproduce(const ReproduceCli& opt) {
  const auto catalog = reproduce::load_catalog(reproduce::catalog_dir(opt.catalog));
  if (opt.list) return list_catalog(catalog);
  if (opt.id.empty()) throw ConfigError("reproduce", "", "name an experiment ID (grokscope reproduce --list shows them)");
  if (opt.scale != "quick" && opt.scale != "paper") throw ConfigError("--scale", opt.scale, "must be quick or paper");
  const reproduce::CatalogEntry entry = reproduce::find_entry(catalog, opt.id);

  reproduce::ReproduceOptions ro;
  ro.scale = opt.scale;
  ro.out = opt.out_dir;
  ro.force = opt.force;
  ro.workers = opt.workers;
  ro.stop = &interrupt_flag();
  if (!opt.no_plot) {
    ro.gnuplot = plot::find_gnuplot();
    if (!ro.gnuplot && !opt.quiet)
      std::fprintf(stderr, "grokscope: note: %s; verdicts are made without figures\n", plot::kNoGnuplot);
  }
  if (!opt.quiet) {
    const auto* sc = entry.scale(opt.scale);
    std::printf("%s (%s scale): %s\n  %s\n  claim: %s\n  scale: %s\n", entry.id.c_str(), opt.scale.c_str(),
                entry.title.c_str(), entry.source.c_str(), entry.claim.c_str(), sc ? sc->changes.c_str() : "");
    std::fflush(stdout);
  }
  ro.on_event = [&](const sweep::SweepEvent& e) {
    if (opt.quiet) return;
    using Kind = sweep::SweepEvent::Kind;
    if (e.kind == Kind::planned)
      std::printf("%d runs (%d finished before), %d to run on %d worker%s\n", e.total, e.skipped, e.to_run, e.workers,
                  e.workers == 1 ? "" : "s");
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
  if (interrupt_flag().load()) {
    std::fprintf(stderr, "grokscope: reproduction interrupted; run the same command again to resume\n");
    return 1;
  }
  return r.pass() ? 0 : 1;
}
}  // namespace

Action add_reproduce_command(CLI::App& app) {
  auto opt = std::make_shared<ReproduceCli>();
  CLI::App* cmd = app.add_subcommand("reproduce", "Reproduce an experiment of the papers and check its predictions");
  cmd->add_option("id", opt->id, "Experiment ID of the catalog (e.g. MU-1; see --list)");
  cmd->add_flag("--list", opt->list, "List the catalog and exit");
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
