// The summary of a whole-catalog reproduction (`grokscope reproduce --all`): one line per experiment (ID, title,
// verdicts passed / total, seeds, wall time, where its report is), as Markdown and as JSON. Written to
// <dir>/summary-<scale>.md and .json next to the experiments' directories. Nothing here runs anything.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace grokscope::reproduce {

struct ReproduceResult;

struct SummaryRow {
  std::string id, title, check;
  int passed = 0, total = 0;
  bool pass = false;
  int runs = 0, unfinished = 0;
  std::vector<int64_t> seeds;
  double seconds = 0.0;
  std::filesystem::path report;   // OUT/reproduce/report.md
  std::string error;              // not empty: the experiment could not run (the message)
};

SummaryRow summary_row(const ReproduceResult& result);
std::string summary_markdown(const std::vector<SummaryRow>& rows, const std::string& scale);
nlohmann::json summary_json(const std::vector<SummaryRow>& rows, const std::string& scale);
// Writes both files (atomically) and returns the Markdown path.
std::filesystem::path write_summary(const std::filesystem::path& dir, const std::vector<SummaryRow>& rows,
                                    const std::string& scale);

}  // namespace grokscope::reproduce
