// report.html of runs and sweeps (see plot/report.h).
#include "grokscope/plot/report.h"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "grokscope/core/version.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/plot/sweep_figures.h"
#include "grokscope/sweep/grid.h"
#include "report_html.h"

namespace grokscope::plot {

namespace fs = std::filesystem;
using nlohmann::json;

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace html {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string page_start(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + html_escape(title) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:2em auto;max-width:1180px;"
         "padding:0 1em;color:#222;line-height:1.45}\n"
         "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}\n"
         "table{border-collapse:collapse;margin:.6em 0;font-size:.92em}td,th{border:1px solid #ddd;padding:.25em .6em;"
         "text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}\n"
         "pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:.8em;overflow-x:auto;font-size:.85em}\n"
         "figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{color:#555;font-size:.9em}\n"
         ".status-completed{color:#1a7f37}.status-diverged,.status-failed{color:#c62828}.status-stopped,"
         ".status-running,.status-pending{color:#9a6700}.muted{color:#777}.wide{overflow-x:auto}\n"
         "</style></head><body>\n";
}

std::string page_end() {
  return fmt::format("<p class=\"muted\">Made by grokscope {} ({}) on {}.</p>\n</body></html>\n", version(),
                     git_describe(), sweep::utc_now());
}

std::string figures(const std::vector<Figure>& figs, const std::vector<std::string>& notes) {
  std::string s = "<h2>Figures</h2>\n";
  for (const auto& f : figs) {
    s += "<figure><img alt=\"" + html_escape(f.name) + "\" src=\"data:image/png;base64," + base64(read_file(f.png)) +
         "\">\n<figcaption>" + html_escape(f.caption) + " <a href=\"figures/" + html_escape(f.name) +
         ".svg\">SVG</a></figcaption></figure>\n";
  }
  if (figs.empty()) s += "<p class=\"muted\">No figures.</p>\n";
  if (!notes.empty()) {
    s += "<ul class=\"muted\">\n";
    for (const auto& n : notes) s += "<li>" + html_escape(n) + "</li>\n";
    s += "</ul>\n";
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> machine() {
  std::vector<std::pair<std::string, std::string>> m;
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) == 0) m.emplace_back("host", host);
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      m.emplace_back("cpu", line.substr(line.find(':') + 2));
      break;
    }
  m.emplace_back("cores", std::to_string(std::thread::hardware_concurrency()));
  std::ifstream mem("/proc/meminfo");
  while (std::getline(mem, line))
    if (line.rfind("MemTotal:", 0) == 0) {
      std::istringstream s(line.substr(9));
      double kb = 0;
      s >> kb;
      m.emplace_back("memory", fmt::format("{:.1f} GiB", kb / 1048576.0));
      break;
    }
  struct utsname u {};
  if (uname(&u) == 0) m.emplace_back("os", fmt::format("{} {} {}", u.sysname, u.release, u.machine));
  return m;
}

std::string kv_table(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string s = "<table>\n";
  for (const auto& [k, v] : rows) s += "<tr><th class=\"l\">" + html_escape(k) + "</th><td class=\"l\">" + html_escape(v) + "</td></tr>\n";
  return s + "</table>\n";
}

std::string num(double v) { return std::isfinite(v) ? short_num(v) : "–"; }

}  // namespace html

void write_run_report(const RunView& run, const std::vector<Figure>& figs, const std::vector<std::string>& notes) {
  using namespace html;
  const json& s = run.summary;
  std::string p = page_start("grokscope run " + run.name);
  p += "<h1>Run " + html_escape(run.name) + "</h1>\n";
  if (s.is_object()) {
    const std::string status = s.value("status", "?");
    p += fmt::format("<p>Status: <b class=\"status-{0}\">{0}</b> — {1}. {2} steps, continuous time {3}.</p>\n",
                     html_escape(status), html_escape(s.value("message", "")), s.value("steps_done", 0),
                     num(s.value("time", NAN)));
    p += "<h2>Clocks</h2>\n<table><tr><th class=\"l\">clock</th><th>step</th><th>time (Σ lr)</th><th>previous "
         "evaluation</th><th class=\"l\">note</th></tr>\n";
    const json& c = s["clocks"];
    auto row = [&](const std::string& name, const json& j) {
      if (j.value("fired", false))
        p += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\"></td></tr>\n",
                         html_escape(name), j["step"].dump(), num(j.value("time", NAN)),
                         j.contains("previous_eval_step") ? j["previous_eval_step"].dump() : "");
      else
        p += fmt::format("<tr><td class=\"l\">{}</td><td>never</td><td>–</td><td></td><td class=\"l\">{}</td></tr>\n",
                         html_escape(name), html_escape(j.value("reason", "")));
    };
    for (const char* k : {"t_fit", "t_gen"})
      if (c.contains(k)) row(k, c[k]);
    if (c.contains("t_cls"))
      for (const auto& t : c["t_cls"]) row(fmt::format("t_cls({:g})", t.value("eps", 0.0)), t);
    if (c.contains("t_rep"))
      row(fmt::format("t_rep({:g}) on {}", c["t_rep"].value("eta", 0.0), c["t_rep"].value("metric", "?")), c["t_rep"]);
    p += "</table>\n";
    if (c.contains("gen_over_fit") && c["gen_over_fit"].is_number())
      p += fmt::format("<p>t_gen / t_fit = <b>{:.2f}</b></p>\n", c["gen_over_fit"].get<double>());
    std::vector<std::pair<std::string, std::string>> fin;
    for (const auto& [k, v] : s["final"].items()) fin.emplace_back(k, v.is_number() ? fmt::format("{:.6g}", v.get<double>()) : v.dump());
    p += "<h2>Final metrics</h2>\n" + kv_table(fin);
  } else {
    p += "<p class=\"status-running\">No summary.json: the run is still going, or was killed. The figures show "
         "what metrics.csv holds.</p>\n";
  }
  p += figures(figs, notes);
  p += "<h2>Config</h2>\n<pre>" + html_escape(run.config_text.empty() ? "(no config.toml)" : run.config_text) + "</pre>\n";
  std::vector<std::pair<std::string, std::string>> env;
  if (s.is_object()) {
    const json& e = s.value("environment", json::object());
    const json& t = s.value("timing", json::object());
    const json& d = s.value("data", json::object());
    env = {{"grokscope", e.value("version", "?") + " (" + e.value("git", "?") + ")"},
           {"BLAS", e.value("blas", "?")},
           {"threads", e.contains("blas_threads") ? e["blas_threads"].dump() : "?"},
           {"training time", fmt::format("{:.2f} s (setup {:.2f} s, evaluation {:.1f}%)", t.value("seconds", 0.0),
                                         t.value("setup_seconds", 0.0), 100 * t.value("eval_fraction", 0.0))},
           {"steps/s", fmt::format("{:.0f}", t.value("steps_per_second", 0.0))},
           {"parameters", d.contains("n_params") ? d["n_params"].dump() : "?"},
           {"train / test rows", (d.contains("n_train") ? d["n_train"].dump() : "?") + " / " +
                                     (d.contains("n_test") ? d["n_test"].dump() : "?")},
           {"config hash", s.value("config_hash", "")}};
    if (e.contains("machine") && e["machine"].is_object())
      for (const auto& [k, v] : e["machine"].items()) env.emplace_back("run machine: " + k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  for (const auto& [k, v] : machine()) env.emplace_back("report machine: " + k, v);
  p += "<h2>Environment</h2>\n" + kv_table(env);
  p += page_end();
  write_file_atomic(run.dir / "report.html", p);
}

std::vector<std::string> redraw_run(const fs::path& dir, const std::optional<std::string>& gnuplot) {
  const RunView run = load_run_view(dir);
  DrawnFigures drawn;
  if (gnuplot) drawn = plot_run(run, *gnuplot);
  else drawn.notes.push_back(no_figures_note());
  write_run_report(run, drawn.figures, drawn.notes);
  return drawn.notes;
}

std::vector<std::string> redraw_sweep(const fs::path& dir, const std::optional<std::string>& gnuplot) {
  const sweep::SweepData data = sweep::load_sweep_dir(dir);
  DrawnFigures drawn;
  if (gnuplot) drawn = plot_sweep(dir, data, *gnuplot);
  else drawn.notes.push_back(no_figures_note());
  write_sweep_report(dir, data, drawn.figures, drawn.notes);
  return drawn.notes;
}

}  // namespace grokscope::plot
