// The reference of every metrics.csv column a training run can write: one entry per column pattern (placeholders in
// angle brackets: <param> a parameter tensor, <matrix> a weight matrix, <group> a parameter group, <l> / <i> an
// integer), with the probe that writes it and what it means. docs/columns.md is generated from this table
// (`grokscope columns --markdown`), and a test trains one short run per model of the zoo and checks that every column
// written matches an entry and every entry matches a written column, so the reference cannot drift from the code.
#pragma once

#include <string>
#include <vector>

namespace grokscope {

struct ColumnDoc {
  const char* pattern;   // "srank_<matrix>"
  const char* source;    // "trainer", "probe spectral", ...
  const char* meaning;   // one or two sentences; the details live in the doc named at the end
};

const std::vector<ColumnDoc>& column_docs();

// Whether a column name matches a pattern (each <placeholder> stands for one or more of [A-Za-z0-9_]).
bool column_matches(const std::string& pattern, const std::string& column);

// The reference as Markdown (docs/columns.md).
std::string columns_markdown();

}  // namespace grokscope
