// `grokscope sweep`: a grid of runs from a sweep file, resumable, with its index, aggregation, fits and figures.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "grokscope/core/error.h"
#include "grokscope/plot/report.h"
#include "grokscope/sweep/runner.h"
#include "grokscope/train/memory_estimate.h"
#include "interrupt.h"
#include "sweep_cluster.h"

namespace grokscope::cli {

namespace {
struct SweepOptionsCli {
  std::string sweep_path;
  std::string out_dir;
  int workers = 0;
  bool force = false;
  bool no_plot = false;
  bool list = false;
  bool quiet = false;
  std::string max_memory;
  std::string shard;                 // --shard K/N
  bool slurm = false, submit = false;
  sweep::SlurmOptions slurm_options;
  std::string merge_dir;             // sweep merge DIR
};

std::string clock_text(const sweep::RunRecord& r, const char* name) {
  const auto* c = r.clock(name);
  return c && c->fired ? fmt::format("{:g}", c->step) : "never";
}

std::string stat_text(const sweep::ClockStats* s) {
  if (!s || s->n == 0) return "-";
  if (std::isnan(s->median)) return fmt::format("never({}/{})", s->n_fired, s->n);
  return s->n_fired < s->n ? fmt::format("{:.4g}({}/{})", s->median, s->n_fired, s->n) : fmt::format("{:.4g}", s->median);
}

void print_analysis(const sweep::SweepSpec& spec, const sweep::SweepAnalysis& a) {
  std::string head;
  for (const auto& axis : spec.axes) head += fmt::format("{:>12} ", axis.label.substr(0, 12));
  std::printf("%s%8s %14s %14s %12s  %s\n", head.c_str(), "finished", "t_fit", "t_gen", "t_gen/t_fit", "phase");
  for (const auto& cell : a.cells) {
    std::string vals;
    for (const auto& v : cell.values) vals += fmt::format("{:>12} ", sweep::value_label(v).substr(0, 12));
    std::printf("%s%8s %14s %14s %12s  %s\n", vals.c_str(), fmt::format("{}/{}", cell.n_finished, cell.n_runs).c_str(),
                stat_text(cell.clock("t_fit")).c_str(), stat_text(cell.clock("t_gen")).c_str(),
                stat_text(cell.clock("gen_over_fit")).c_str(), cell.phase.c_str());
  }
  for (const auto& f : a.fits) {
    if (!f.line.ok) continue;
    const std::string group = f.group_label();
    std::printf("fit %s vs %s%s: slope %.4g, intercept %.4g, R^2 %.4f, n %lld%s%s\n", f.spec.clock.c_str(),
                f.x_name.c_str(), group.empty() ? "" : (" [" + group + "]").c_str(), f.line.slope, f.line.intercept,
                f.line.r2, static_cast<long long>(f.line.n),
                f.censored ? fmt::format(" ({} censored)", f.censored).c_str() : "",
                std::isfinite(f.predicted_slope)
                    ? fmt::format("; predicted 1/(eta lambda) = {:.4g} (measured/predicted {:.3f})", f.predicted_slope,
                                  f.line.slope / f.predicted_slope)
                          .c_str()
                    : "");
  }
}

int run_sweep_command(const SweepOptionsCli& opt) {
  if (opt.sweep_path.empty()) throw ConfigError("sweep", "", "a sweep file is required (or: grokscope sweep merge DIR)");
  if (opt.slurm && !opt.shard.empty())
    throw ConfigError("--shard", opt.shard, "not with --slurm: each array task runs the shard of its task id");
  // The shard is checked before anything else: a bad --shard or contradicting Slurm variables write nothing.
  const auto shard = opt.slurm ? std::nullopt : shard_of_process(opt.shard);
  const sweep::SweepSpec spec = sweep::load_sweep_spec(opt.sweep_path);
  const std::string out = opt.out_dir.empty() ? (std::filesystem::path("runs") / spec.name).string() : opt.out_dir;
  if (opt.slurm) {
    sweep::SlurmOptions so = opt.slurm_options;
    so.no_plot = opt.no_plot;
    return run_sweep_slurm(spec, opt.sweep_path, out, so, opt.force, opt.submit, opt.quiet);
  }
  if (opt.list) {
    const auto points = sweep::expand_grid(spec);
    size_t listed = 0;
    for (size_t i = 0; i < points.size(); ++i) {
      const auto& p = points[i];
      (void)sweep::resolve_config(spec, p);   // every config must resolve and validate
      if (shard && !shard->owns(i)) continue;
      ++listed;
      std::string axes;
      for (size_t a = 0; a < spec.axes.size(); ++a)
        axes += fmt::format(" {}={}", spec.axes[a].key, sweep::toml_value_text(p.values[a]));
      std::printf("%s/runs/%s  seed=%lld%s\n", out.c_str(), p.name.c_str(), static_cast<long long>(p.seed), axes.c_str());
    }
    if (shard) std::printf("%zu runs (shard %s of a grid of %zu)\n", listed, shard->text().c_str(), points.size());
    else std::printf("%zu runs\n", points.size());
    return 0;
  }
  const auto gnuplot = opt.no_plot ? std::nullopt : plot::find_gnuplot();
  if (!opt.no_plot && !gnuplot && !opt.quiet)
    std::fprintf(stderr, "grokscope: note: %s; runs and reports are made without figures\n",
                 plot::figures_disabled() ? plot::kFiguresDisabled : plot::kNoGnuplot);

  sweep::SweepOptions so;
  so.out = out;
  so.workers = opt.workers;
  so.force = opt.force;
  if (!opt.max_memory.empty()) so.max_memory = parse_memory_size("--max-memory", opt.max_memory);
  so.shard = shard;
  so.stop = &interrupt_flag();
  if (!opt.no_plot)
    so.after_run = [gnuplot](const std::filesystem::path& dir) { plot::redraw_run(dir, gnuplot); };
  so.on_event = [&](const sweep::SweepEvent& e) {
    if (opt.quiet) return;
    using Kind = sweep::SweepEvent::Kind;
    if (e.kind == Kind::planned) {
      std::printf("sweep %s%s: %d runs in %s; %d finished before, %d to run on %d worker%s\n", spec.name.c_str(),
                  shard ? (" shard " + shard->text()).c_str() : "", e.total, out.c_str(), e.skipped, e.to_run,
                  e.workers, e.workers == 1 ? "" : "s");
    } else if (e.kind == Kind::finished) {
      const auto& r = *e.record;
      if (sweep::is_finished_status(r.status))
        std::printf("[%d/%d] %s  %s  t_fit %s  t_gen %s  (%.1f s, %.0f steps/s)\n", e.done, e.to_run, r.name.c_str(),
                    r.status.c_str(), clock_text(r, "t_fit").c_str(), clock_text(r, "t_gen").c_str(), r.seconds,
                    r.steps_per_second);
      else
        std::printf("[%d/%d] %s  %s  %s\n", e.done, e.to_run, r.name.c_str(), r.status.c_str(), r.message.c_str());
    } else if (e.kind == Kind::note) {
      std::fprintf(stderr, "grokscope: warning: %s\n", e.text.c_str());
    }
    std::fflush(stdout);
  };
  const sweep::SweepResult result = [&] {
    const CatchInterrupt catch_interrupt;
    return sweep::run_sweep(spec, so);
  }();

  if (shard) {   // a shard's runs only: the directory's outputs are the merge's
    if (!opt.quiet)
      std::printf("shard %s: %d runs: %d finished (%d before this invocation), %d not finished; %.1f s\n"
                  "merge the shards with: grokscope sweep merge %s\n",
                  shard->text().c_str(), result.total, result.total - result.unfinished, result.skipped,
                  result.unfinished, result.seconds, out.c_str());
    if (interrupt_flag().load() && !opt.quiet)
      std::fprintf(stderr, "grokscope: shard interrupted; run the same command again to resume\n");
    return result.unfinished == 0 ? 0 : 1;
  }
  std::vector<std::string> notes;
  if (!opt.no_plot) {
    try {
      notes = plot::redraw_sweep(out, gnuplot);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "grokscope: warning: sweep figures: %s\n", e.what());
    }
  }
  if (!opt.quiet) {
    print_analysis(spec, result.analysis);
    std::printf("%d runs: %d finished (%d before this invocation), %d not finished; %.1f s\n", result.total,
                result.total - result.unfinished, result.skipped, result.unfinished, result.seconds);
    std::printf("index: %s/index.csv  cells: %s/cells.csv  fits: %s/fits.csv%s\n", out.c_str(), out.c_str(), out.c_str(),
                opt.no_plot ? "" : fmt::format("  report: {}/report.html", out).c_str());
  }
  if (interrupt_flag().load() && !opt.quiet)
    std::fprintf(stderr, "grokscope: sweep interrupted; run the same command again to resume\n");
  return result.unfinished == 0 ? 0 : 1;
}
}  // namespace

Action add_sweep_command(CLI::App& app) {
  auto opt = std::make_shared<SweepOptionsCli>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run a grid of runs from a sweep file (resumable), aggregate and fit");
  cmd->add_option("sweep", opt->sweep_path, "Sweep file (see docs/sweep.md)");
  cmd->add_option("--out", opt->out_dir, "Sweep directory (default: runs/<sweep name>)");
  cmd->add_option("--workers", opt->workers, "Runs at a time (default: the file's sweep.workers, else as many as cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--force", opt->force, "Delete the previous sweep in --out and run everything again");
  cmd->add_flag("--no-plot", opt->no_plot, "Make no figures and no report.html");
  cmd->add_flag("--list", opt->list, "Print the grid (run directories and axis values) and exit");
  cmd->add_flag("-q,--quiet", opt->quiet, "Print nothing but errors");
  cmd->add_option("--max-memory", opt->max_memory,
                  "Refuse the sweep when its workers' runs at once are estimated above this (16G, 512M)");
  cmd->add_option("--shard", opt->shard,
                  "Run only shard K of N (1-based), e.g. 2/4; default under a Slurm array: the task's shard");
  cmd->add_flag("--slurm", opt->slurm, "Write DIR/slurm/sweep.sbatch (a job array, one task per shard) and merge.sbatch");
  cmd->add_option("--partition", opt->slurm_options.partition, "--slurm: the partition");
  cmd->add_option("--time", opt->slurm_options.time, "--slurm: time limit per array task (e.g. 2:00:00)");
  cmd->add_option("--cpus-per-task", opt->slurm_options.cpus_per_task,
                  "--slurm: CPUs per task (default sweep.threads_per_run); runs at a time = CPUs / threads_per_run")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--array-limit", opt->slurm_options.array_limit, "--slurm: at most this many tasks at once")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--shards", opt->slurm_options.shards, "--slurm: array tasks (default: one per run at a time)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_flag("--submit", opt->submit, "--slurm: submit the array and the merge job (afterany) with sbatch");
  CLI::App* merge = cmd->add_subcommand("merge", "Merge a sharded sweep: index, cells, fits and report from the shards");
  merge->add_option("dir", opt->merge_dir, "Sweep directory")->required();
  merge->add_flag("--no-plot", opt->no_plot, "Make no figures and no report.html");
  merge->add_flag("-q,--quiet", opt->quiet, "Print nothing but errors");
  return [opt, cmd, merge] {
    if (merge->parsed()) return run_sweep_merge(opt->merge_dir, opt->no_plot, opt->quiet);
    if (cmd->count("--shard") > 0 && opt->shard.empty()) (void)sweep::parse_shard("");   // one line, exit 2
    for (const char* flag : {"--partition", "--time", "--cpus-per-task", "--array-limit", "--shards", "--submit"})
      if (!opt->slurm && cmd->count(flag) > 0) throw ConfigError(flag, "", "only with --slurm");
    return run_sweep_command(*opt);
  };
}

}  // namespace grokscope::cli
