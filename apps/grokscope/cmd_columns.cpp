// `grokscope columns`: what every metrics.csv column means (train/column_docs.h); --markdown prints docs/columns.md.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "grokscope/train/column_docs.h"

namespace grokscope::cli {

Action add_columns_command(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("columns", "List the metrics.csv columns a run can write and what they mean");
  cmd->add_flag("--markdown", *markdown, "Print the reference as Markdown (docs/columns.md)");
  return [markdown] {
    if (*markdown) {
      std::fputs(columns_markdown().c_str(), stdout);
      return 0;
    }
    for (const auto& d : column_docs()) std::printf("%-26s %-40s %s\n", d.pattern, d.source, d.meaning);
    return 0;
  };
}

}  // namespace grokscope::cli
