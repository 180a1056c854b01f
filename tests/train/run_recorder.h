// A RunObserver for trainer tests: keeps the column names, every metrics row and every trajectory entry.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "grokscope/core/run.h"

namespace grokscope::test {

struct RunRecorder : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows, params;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  void on_trajectory(int64_t, double, const std::vector<double>& p) override { params.push_back(p); }
  // The value of column col in metrics row `row` (a failed expectation when the column is missing).
  double at(size_t row, const std::string& col) const {
    const auto it = std::find(columns.begin(), columns.end(), col);
    EXPECT_NE(it, columns.end()) << col;
    return rows.at(row).at(static_cast<size_t>(it - columns.begin()));
  }
};

}  // namespace grokscope::test
