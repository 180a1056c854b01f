// The metrics.csv column reference (train/column_docs.h) against the columns runs really write: one run of each zoo
// config (and of the loss-scaled and Nanda-loss variants), stopped after its first evaluation. Every written column
// must match an entry, every entry must match a written column, and docs/columns.md must be the generated page.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "grokscope/io/config_toml.h"
#include "grokscope/train/column_docs.h"
#include "grokscope/train/trainer.h"

namespace grokscope {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(GROKSCOPE_SOURCE_DIR);

struct Columns : RunObserver {
  std::vector<std::string> columns;
  void on_start(const RunStart& s) override { columns = s.columns; }
  bool stop_requested() override { return true; }   // one evaluation, at step 0
};

std::set<std::string> written_columns() {
  std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
      {"configs/demo.toml", {}},
      {"configs/demo.toml", {"optim.kind=\"sgd\"", "optim.weight_decay=0", "optim.schedule=\"loss_scaled\"",
                             "eval.probes=[\"default\", \"fourier_loss\"]"}},
      {"configs/zoo/one_plus_one.toml", {"eval.probes=[\"default\", \"ntk\"]"}},   // the regression kernel predictor
  };
  for (const auto& f : fs::directory_iterator(kSource / "configs" / "zoo"))
    if (f.path().extension() == ".toml") runs.push_back({fs::relative(f.path(), kSource).string(), {}});
  std::set<std::string> out;
  for (auto& [file, overrides] : runs) {
    overrides.push_back("train.threads=1");
    const RunConfig config = load_run_config((kSource / file).string(), overrides);
    Columns rec;
    train(config, rec);
    EXPECT_FALSE(rec.columns.empty()) << file;
    out.insert(rec.columns.begin(), rec.columns.end());
  }
  return out;
}

TEST(ColumnDocs, PatternsMatchWholeNamesWithPlaceholders) {
  EXPECT_TRUE(column_matches("srank_<matrix>", "srank_w1"));
  EXPECT_TRUE(column_matches("imbalance_<l>", "imbalance_12"));
  EXPECT_FALSE(column_matches("srank_<matrix>", "srank_"));
  EXPECT_FALSE(column_matches("loss_train", "loss_train_x"));
  EXPECT_TRUE(column_matches("norm_total", "norm_total"));
}

TEST(ColumnDocs, EveryWrittenColumnIsDocumentedAndEveryEntryIsWritten) {
  const std::set<std::string> written = written_columns();
  ASSERT_GT(written.size(), 50u);
  for (const auto& c : written) {
    bool found = false;
    for (const auto& d : column_docs()) found = found || column_matches(d.pattern, c);
    EXPECT_TRUE(found) << "column " << c << " is written but has no entry in src/train/column_docs.cpp";
  }
  for (const auto& d : column_docs()) {
    bool found = false;
    for (const auto& c : written) found = found || column_matches(d.pattern, c);
    EXPECT_TRUE(found) << "entry " << d.pattern << " matches no column that the zoo's runs write";
  }
}

TEST(ColumnDocs, DocsPageIsTheGeneratedOne) {
  std::ifstream in(kSource / "docs" / "columns.md");
  std::stringstream page;
  page << in.rdbuf();
  EXPECT_TRUE(page.str() == columns_markdown()) << "docs/columns.md is out of date; regenerate it: "
                                                   "build/grokscope columns --markdown > docs/columns.md";
}

}  // namespace
}  // namespace grokscope
