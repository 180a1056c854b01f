// Power's remaining tasks in the trainer: S5 (task.p must be 120) and the new mod-p ops train with the MLP and the
// transformer, and the Fourier probes, which assume Z_p, are left out for S5 (and kept for mod-p ops).
#include <gtest/gtest.h>

#include <algorithm>

#include "grokscope/core/error.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/train/config.h"
#include "grokscope/train/trainer.h"
#include "run_recorder.h"

namespace grokscope {
namespace {

using test::RunRecorder;

bool has_column(const RunRecorder& r, const std::string& name) {
  return std::find(r.columns.begin(), r.columns.end(), name) != r.columns.end();
}

TEST(S5Task, NeedsPEqual120) {
  for (const char* op : {"s5_mul", "s5_conj", "s5_xyx"}) {
    try {
      validate(parse_run_config("", {std::string("task.op=") + op}, "test"));
      ADD_FAILURE() << op << " accepted p = 97";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "task.p");
      const std::string what = e.what();
      EXPECT_NE(what.find("must be 120 with op \"" + std::string(op) + "\""), std::string::npos) << what;
      EXPECT_NE(what.find("permutations of S_5"), std::string::npos) << what;
    }
    EXPECT_NO_THROW(validate(parse_run_config("", {std::string("task.op=") + op, "task.p=120"}, "test")));
  }
  EXPECT_THROW(validate(parse_run_config("", {"task.op=s5_mul", "task.p=120", "task.pairs=unordered"}, "test")),
               ConfigError);
  EXPECT_THROW(validate(parse_run_config("", {"task.op=div_if_odd_else_sub", "task.p=98"}, "test")), ConfigError);
}

TEST(S5Task, MlpTrainsWithoutFourierProbes) {
  RunRecorder rec;
  const RunConfig c = parse_run_config(
      "", {"task.op=s5_mul", "task.p=120", "task.train_fraction=0.3", "model.hidden=[32]", "train.steps=30",
           "optim.lr=0.01"}, "test");
  const RunSummary s = train(c, rec);
  EXPECT_EQ(s.status, RunStatus::completed);
  EXPECT_FALSE(has_column(rec, "fourier_gini"));
  EXPECT_FALSE(has_column(rec, "neuron_ipr"));
  EXPECT_LT(rec.at(rec.rows.size() - 1, "loss_train"), rec.at(0, "loss_train"));
  // The same MLP on a mod-p op keeps them.
  RunRecorder modp;
  train(parse_run_config("", {"task.op=x2_plus_xy_plus_y2_plus_x", "model.hidden=[32]", "train.steps=5"}, "test"),
        modp);
  EXPECT_TRUE(has_column(modp, "fourier_gini"));
}

TEST(S5Task, TransformerTrainsOnS5) {
  RunRecorder rec;
  const RunConfig c = parse_run_config(
      "", {"task.op=s5_xyx", "task.p=120", "task.train_fraction=0.3", "task.encoding=tokens",
           "model.kind=transformer", "model.d_model=16", "model.heads=2", "model.d_mlp=32", "train.steps=20",
           "optim.lr=0.003"}, "test");
  const RunSummary s = train(c, rec);
  EXPECT_EQ(s.status, RunStatus::completed);
  EXPECT_LT(rec.at(rec.rows.size() - 1, "loss_train"), rec.at(0, "loss_train"));
}

}  // namespace
}  // namespace grokscope
