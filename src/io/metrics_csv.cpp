// metrics.csv reader (see io/metrics_csv.h).
#include "grokscope/io/metrics_csv.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>

#include "grokscope/core/error.h"

namespace grokscope {

namespace {
std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool parse_number(const std::string& text, double& value) {
  if (text == "nan" || text == "-nan") {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}
}  // namespace

int MetricsTable::find(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return static_cast<int>(i);
  return -1;
}

const std::vector<double>& MetricsTable::column(const std::string& name) const {
  const int i = find(name);
  if (i < 0) throw IoError(fmt::format("metrics.csv has no column '{}'", name));
  return values[static_cast<size_t>(i)];
}

MetricsTable read_metrics_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot read {}", path.string()));
  MetricsTable t;
  std::string line;
  if (!std::getline(in, line) || line.empty()) throw IoError(fmt::format("{}: no header line", path.string()));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  t.columns = split_commas(line);
  t.values.assign(t.columns.size(), {});
  int64_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    const bool complete = !in.eof();  // getline hit a newline
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto fields = split_commas(line);
    std::vector<double> row(fields.size());
    bool ok = fields.size() == t.columns.size();
    for (size_t i = 0; ok && i < fields.size(); ++i) ok = parse_number(fields[i], row[i]);
    if (!ok) {
      if (!complete) break;  // a partial last line
      throw IoError(fmt::format("{}:{}: expected {} numbers", path.string(), line_no, t.columns.size()));
    }
    for (size_t i = 0; i < row.size(); ++i) t.values[i].push_back(row[i]);
  }
  return t;
}

}  // namespace grokscope
