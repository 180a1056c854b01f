// Reading a run's metrics.csv back (docs/outputs.md): one header line of column names, then one row of numbers per
// evaluation. "nan", "inf" and "-inf" read as such. A trailing partial line (a run killed mid-write cannot leave
// one, since rows are written whole, but a copied file might) is ignored. Used by sweeps (phase labels, T_rep) and
// plots; the writer is io/run_dir.h.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace grokscope {

struct MetricsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> values;  // values[c][r]: column c, row r (column-major: one vector per column)

  int64_t rows() const { return values.empty() ? 0 : static_cast<int64_t>(values[0].size()); }
  // Index of a column, or -1.
  int find(const std::string& name) const;
  // The column's values; throws IoError naming the column when it is missing.
  const std::vector<double>& column(const std::string& name) const;
};

// Throws IoError naming the path when the file cannot be read or a row has the wrong number of fields.
MetricsTable read_metrics_csv(const std::filesystem::path& path);

}  // namespace grokscope
