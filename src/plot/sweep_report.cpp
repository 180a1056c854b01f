// report.html of a sweep (see plot/report.h).
#include <fmt/format.h>

#include <cmath>

#include "grokscope/io/run_dir.h"
#include "grokscope/plot/report.h"
#include "grokscope/sweep/grid.h"
#include "report_html.h"

namespace grokscope::plot {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The run counts by status, the summed training time, and the grid's axes and seeds.
std::string summary_and_grid(const sweep::SweepData& d) {
  using namespace html;
  const auto& a = d.analysis;
  std::string p;
  std::string counts;
  for (const auto& [status, n] : a.status_counts)
    counts += fmt::format("{}<span class=\"status-{}\">{} {}</span>", counts.empty() ? "" : ", ", html_escape(status), n,
                          html_escape(status));
  double run_seconds = 0;
  for (const auto& r : d.runs)
    if (sweep::is_finished_status(r.status)) run_seconds += r.seconds;
  p += fmt::format("<p>{} runs ({} cells × {} seeds): {}. Training time summed over runs: {:.1f} s.</p>\n", a.n_runs,
                   a.cells.size(), d.spec.seeds.size(), counts, run_seconds);
  std::vector<std::pair<std::string, std::string>> grid;
  for (const auto& axis : d.spec.axes) {
    std::string values;
    for (const auto& v : axis.values) values += (values.empty() ? "" : ", ") + sweep::value_label(v);
    grid.emplace_back(axis.label + " (" + axis.key + ")", values);
  }
  std::string seeds;
  for (auto s : d.spec.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
  std::string seed_keys;
  for (const auto& k : d.spec.seed_keys) seed_keys += (seed_keys.empty() ? "" : ", ") + k;
  grid.emplace_back("seeds (" + seed_keys + ")", seeds);
  p += "<h2>Grid</h2>\n" + kv_table(grid);
  return p;
}

// One row per fit: the law, the group, the fitted line and Lyu's predicted slope where it applies.
std::string fits_section(const sweep::SweepAnalysis& a) {
  using namespace html;
  if (a.fits.empty()) return "";
  std::string p;
  p += "<h2>Fits</h2>\n<div class=\"wide\"><table><tr><th class=\"l\">clock</th><th class=\"l\">against</th>"
       "<th class=\"l\">law</th><th class=\"l\">group</th><th>n</th><th>censored</th><th>slope</th><th>intercept</th>"
       "<th>R²</th><th>predicted slope</th><th>slope / predicted</th></tr>\n";
  for (const auto& f : a.fits)
    p += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>"
                     "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     html_escape(f.spec.clock + (f.spec.in_time ? " (time)" : " (steps)")), html_escape(f.x_name),
                     sweep::to_string(f.spec.law), html_escape(f.group_label()), f.line.n,
                     f.censored, num(f.line.slope), num(f.line.intercept),
                     std::isfinite(f.line.r2) ? fmt::format("{:.4f}", f.line.r2) : "–", num(f.predicted_slope),
                     std::isfinite(f.predicted_slope) ? fmt::format("{:.3f}", f.line.slope / f.predicted_slope) : "–");
  p += "</table></div>\n<p class=\"muted\">Fits on the cells' median clocks (steps unless marked); a censored cell "
       "(more than half of its runs never fired the clock) is left out. Predicted: Lyu et al., t* = (1/λ) ln α + "
       "const in continuous time, slope 1/(ηλ) in steps.</p>\n";
  return p;
}

// One row per cell: its axis values, finished runs, phase, median clocks and final test accuracy.
std::string cells_section(const sweep::SweepData& d) {
  using namespace html;
  const auto& a = d.analysis;
  std::string p;
  p += "<h2>Cells</h2>\n<div class=\"wide\"><table><tr>";
  for (const auto& axis : d.spec.axes) p += "<th>" + html_escape(axis.label) + "</th>";
  p += "<th>finished</th><th class=\"l\">phase</th>";
  for (const auto& c : a.clock_names) p += "<th>" + html_escape(c) + " median</th>";
  p += "<th>final test acc</th></tr>\n";
  for (const auto& cell : a.cells) {
    p += "<tr>";
    for (const auto& v : cell.values) p += "<td>" + html_escape(sweep::value_label(v)) + "</td>";
    p += fmt::format("<td>{}/{}</td><td class=\"l\">{}</td>", cell.n_finished, cell.n_runs, html_escape(cell.phase));
    for (const auto& c : a.clock_names) {
      const auto* s = cell.clock(c);
      std::string text = !s || s->n == 0 ? "" : std::isfinite(s->median) ? num(s->median) : "never";
      if (s && s->n > 0 && s->n_fired < s->n && s->n_fired > 0) text += fmt::format(" ({}/{})", s->n_fired, s->n);
      p += "<td>" + html_escape(text) + "</td>";
    }
    p += "<td>" + num(cell.acc_test_median) + "</td></tr>\n";
  }
  p += "</table></div>\n";
  return p;
}

// One row per run, linked to its report when it has one.
std::string runs_section(const fs::path& dir, const sweep::SweepData& d) {
  using namespace html;
  std::string p;
  p += "<h2>Runs</h2>\n<div class=\"wide\"><table><tr><th class=\"l\">run</th><th>seed</th><th class=\"l\">status</th>"
       "<th class=\"l\">phase</th><th>t_fit</th><th>t_gen</th><th>t_gen/t_fit</th><th>steps</th><th>seconds</th>"
       "<th>steps/s</th></tr>\n";
  for (const auto& r : d.runs) {
    auto clock = [&](const char* n) {
      const auto* c = r.clock(n);
      return !sweep::is_finished_status(r.status) ? std::string() : c && c->fired ? num(c->step) : std::string("never");
    };
    const bool fin = sweep::is_finished_status(r.status);
    const std::string link = fs::exists(dir / "runs" / r.name / "report.html")
                                 ? "<a href=\"runs/" + html_escape(r.name) + "/report.html\">" + html_escape(r.name) + "</a>"
                                 : html_escape(r.name);
    p += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td><td class=\"l status-{}\" title=\"{}\">{}</td><td "
                     "class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     link, r.seed, html_escape(r.status), html_escape(r.message), html_escape(r.status),
                     html_escape(r.phase), clock("t_fit"), clock("t_gen"), clock("gen_over_fit"),
                     fin ? std::to_string(r.steps_done) : "", fin ? fmt::format("{:.1f}", r.seconds) : "",
                     fin ? fmt::format("{:.0f}", r.steps_per_second) : "");
  }
  p += "</table></div>\n";
  return p;
}

// The sweep file, the base config, threads and mean speed per run, and the machine that drew the report.
std::string environment_section(const sweep::SweepData& d) {
  using namespace html;
  double sps = 0;
  int n_sps = 0;
  for (const auto& r : d.runs)
    if (sweep::is_finished_status(r.status) && r.steps_per_second > 0) sps += r.steps_per_second, ++n_sps;
  std::string p;
  p += "<h2>Sweep file</h2>\n<pre>" + html_escape(d.spec.text) + "</pre>\n";
  std::vector<std::pair<std::string, std::string>> env;
  if (!d.spec.source.empty()) env.emplace_back("sweep file", d.spec.source);
  if (!d.spec.base_source.empty()) env.emplace_back("base config", d.spec.base_source);
  for (const auto& r : d.runs)
    if (r.config.is_object()) {
      env.emplace_back("threads per run", r.config["train"].value("threads", 0) == 0 ? "all cores"
                                                                                      : r.config["train"]["threads"].dump());
      break;
    }
  if (n_sps) env.emplace_back("steps/s per run (mean)", fmt::format("{:.0f}", sps / n_sps));
  for (const auto& [k, v] : machine()) env.emplace_back("report machine: " + k, v);
  p += "<h2>Environment</h2>\n" + kv_table(env);
  return p;
}

}  // namespace

void write_sweep_report(const fs::path& dir, const sweep::SweepData& d, const std::vector<Figure>& figs,
                        const std::vector<std::string>& notes) {
  using namespace html;
  std::string p = page_start("grokscope sweep " + d.spec.name);
  p += "<h1>Sweep " + html_escape(d.spec.name) + "</h1>\n";
  p += summary_and_grid(d);
  p += figures(figs, notes);
  p += fits_section(d.analysis);
  p += cells_section(d);
  p += runs_section(dir, d);
  p += environment_section(d);
  p += page_end();
  write_file_atomic(dir / "report.html", p);
}

}  // namespace grokscope::plot
