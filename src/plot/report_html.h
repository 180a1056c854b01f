// HTML pieces shared by the run and sweep reports (private to src/plot).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "grokscope/plot/gnuplot.h"

namespace grokscope::plot::html {

std::string read_file(const std::filesystem::path& p);
std::string page_start(const std::string& title);   // doctype, head with the inline style sheet, <body>
std::string page_end();                             // the "made by" line, </body></html>
std::string figures(const std::vector<Figure>& figs, const std::vector<std::string>& notes);
std::vector<std::pair<std::string, std::string>> machine();   // host, cpu, cores, memory, os
std::string kv_table(const std::vector<std::pair<std::string, std::string>>& rows);
std::string num(double v);                          // short form, "–" for NaN

}  // namespace grokscope::plot::html
