// The whole-catalog summary (reproduce/summary.h).
#include "grokscope/reproduce/summary.h"

#include <fmt/format.h>

#include <sstream>

#include "grokscope/io/run_dir.h"
#include "grokscope/reproduce/reproduce.h"

namespace grokscope::reproduce {

namespace {
std::string seeds_text(const std::vector<int64_t>& seeds) {
  std::string out;
  for (const int64_t s : seeds) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out.empty() ? "-" : out;
}
}  // namespace

SummaryRow summary_row(const ReproduceResult& r) {
  SummaryRow row;
  row.id = r.entry.id;
  row.title = r.entry.title;
  row.check = r.entry.check;
  row.total = static_cast<int>(r.check.verdicts.size());
  for (const auto& v : r.check.verdicts) row.passed += v.pass;
  row.pass = r.pass();
  row.runs = r.runs;
  row.unfinished = r.unfinished;
  row.seeds = r.seeds;
  row.seconds = r.seconds;
  row.report = r.out / "reproduce" / "report.md";
  return row;
}

std::string summary_markdown(const std::vector<SummaryRow>& rows, const std::string& scale) {
  std::ostringstream md;
  int passed = 0;
  double seconds = 0.0;
  for (const auto& r : rows) passed += r.pass, seconds += r.seconds;
  md << fmt::format("# grokscope reproduce --all ({} scale)\n\n{} of {} experiments pass every verdict; {:.0f} s of wall "
                    "time in this invocation (experiments whose runs had finished before only re-check).\n\n",
                    scale, passed, rows.size(), seconds);
  md << "| ID | experiment | verdicts passed | result | seeds | runs | seconds | report |\n"
        "|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    if (!r.error.empty()) {
      md << fmt::format("| {} | {} | - | ERROR: {} | - | - | - | - |\n", r.id, r.title, r.error);
      continue;
    }
    md << fmt::format("| {} | {} | {}/{} | {} | {} | {}{} | {:.1f} | {} |\n", r.id, r.title, r.passed, r.total,
                      r.pass ? "pass" : "FAIL", seeds_text(r.seeds), r.runs,
                      r.unfinished ? fmt::format(" ({} unfinished)", r.unfinished) : "", r.seconds, r.report.string());
  }
  return md.str();
}

nlohmann::json summary_json(const std::vector<SummaryRow>& rows, const std::string& scale) {
  nlohmann::json j = {{"scale", scale}, {"experiments", nlohmann::json::array()}};
  for (const auto& r : rows) {
    nlohmann::json e = {{"id", r.id}, {"title", r.title}, {"check", r.check}, {"passed", r.passed},
                        {"total", r.total}, {"pass", r.pass}, {"seeds", r.seeds}, {"runs", r.runs},
                        {"unfinished", r.unfinished}, {"seconds", r.seconds}, {"report", r.report.string()}};
    if (!r.error.empty()) e["error"] = r.error;
    j["experiments"].push_back(std::move(e));
  }
  return j;
}

std::filesystem::path write_summary(const std::filesystem::path& dir, const std::vector<SummaryRow>& rows,
                                    const std::string& scale) {
  std::filesystem::create_directories(dir);
  const auto md = dir / ("summary-" + scale + ".md");
  write_file_atomic(md, summary_markdown(rows, scale));
  write_file_atomic(dir / ("summary-" + scale + ".json"), summary_json(rows, scale).dump(2) + "\n");
  return md;
}

}  // namespace grokscope::reproduce
