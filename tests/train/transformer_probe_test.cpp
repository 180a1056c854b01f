// Nanda's progress measures on the transformer through the trainer (train/probes/transformer_fourier.h): on a
// hand-set model whose W_E and W_U carry known frequencies the columns give those keys, the Gini coefficients of
// metrics::transformer_fourier, and the restricted / excluded losses of metrics::fourier_losses on the model's own
// logit table (all p^2 pairs / the training pairs); at a random init (no keys) the excluded loss is the training loss;
// a short training run gives finite values at every evaluation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "grokscope/data/dataset.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/metrics/fourier_loss.h"
#include "grokscope/metrics/transformer_fourier.h"
#include "grokscope/nn/model_factory.h"
#include "grokscope/train/trainer.h"
#include "run_recorder.h"

namespace grokscope {
namespace {

constexpr double kPi = 3.14159265358979323846;
const std::string kNanda = std::string(GROKSCOPE_SOURCE_DIR) + "/configs/zoo/nanda.toml";
const std::vector<std::string> kColumns = {"fourier_gini_we", "fourier_gini_wl", "fourier_keys_we",
                                           "fourier_keys_wl", "loss_restricted", "loss_excluded"};

struct FirstEval : test::RunRecorder {
  bool stop_requested() override { return !rows.empty(); }   // stop after the evaluation at step 0
};

RunConfig tiny(std::vector<std::string> extra = {}) {
  std::vector<std::string> o = {"task.p=13", "model.d_model=16", "model.heads=2", "model.d_mlp=24",
                                "train.dtype=\"f64\"", "train.threads=1", "task.train_fraction=0.5"};
  o.insert(o.end(), extra.begin(), extra.end());
  return load_run_config(kNanda, o);
}

// cos / sin of frequency k at x in columns 2i, 2i+1 of the (x, column) view `set`.
template <class Set>
void put_frequencies(int p, const std::vector<int>& freqs, Set set) {
  for (size_t i = 0; i < freqs.size(); ++i)
    for (int x = 0; x < p; ++x) {
      set(x, static_cast<int>(2 * i), std::cos(2 * kPi * freqs[i] * x / p));
      set(x, static_cast<int>(2 * i + 1), std::sin(2 * kPi * freqs[i] * x / p));
    }
}

}  // namespace

TEST(TransformerProbe, HandSetFrequenciesGiveTheirKeysGiniAndLosses) {
  RunConfig config = tiny();
  const int p = config.task.p, d = config.model.d_model;
  const TaskData<double> data = make_task_data<double>(config.task);
  const auto model = make_model<double>(config.model, data);
  const ParamLayout& layout = model->layout();
  std::vector<double> theta(static_cast<size_t>(layout.total_size()));
  std::mt19937 rng(7);
  std::normal_distribution<double> g(0.0, 0.3);
  for (double& v : theta) v = g(rng);
  const ParamInfo* we = layout.find("embed.W_E");
  const ParamInfo* wu = layout.find("unembed.W_U");
  const ParamInfo* wout = layout.find("blocks.0.mlp.W_out");
  ASSERT_TRUE(we && wu && wout);
  // W_E's residue rows: frequencies 1, 3, 4 in columns 0..5, nothing else (the "=" row stays random).
  for (int x = 0; x < p; ++x)
    for (int j = 0; j < d; ++j) theta[static_cast<size_t>(we->offset + x * d + j)] = 0.0;
  put_frequencies(p, {1, 3, 4}, [&](int x, int j, double v) { theta[static_cast<size_t>(we->offset + x * d + j)] = v; });
  // W_U [d, p]: rows 0..3 are frequencies 2 and 5 over the logit axis, the other rows 0.
  for (int64_t i = 0; i < wu->size(); ++i) theta[static_cast<size_t>(wu->offset + i)] = 0.0;
  put_frequencies(p, {2, 5}, [&](int c, int j, double v) { theta[static_cast<size_t>(wu->offset + j * p + c)] = v; });
  config.model.init_values = theta;

  FirstEval rec;
  train(config, rec);
  ASSERT_GE(rec.rows.size(), 1u);   // row 0 is the step-0 evaluation (a stopped run adds its final row)
  EXPECT_EQ(rec.at(0, "fourier_keys_we"), 3.0);
  EXPECT_EQ(rec.at(0, "fourier_keys_wl"), 2.0);
  auto matrix = [&](const ParamInfo* info, int64_t rows, int64_t cols) {
    return metrics::to_matrix(theta.data() + info->offset, rows, cols);
  };
  const metrics::TransformerFourier f =
      metrics::transformer_fourier(matrix(we, p, d), matrix(wout, config.model.d_mlp, d), matrix(wu, d, p));
  EXPECT_EQ(f.keys_logits, (std::vector<int>{2, 5}));
  EXPECT_NEAR(rec.at(0, "fourier_gini_we"), f.gini_embed, 1e-12);
  EXPECT_NEAR(rec.at(0, "fourier_gini_wl"), f.gini_logits, 1e-12);
  EXPECT_NEAR(f.gini_embed, 1.0 - 3.0 / (p / 2), 1e-12);   // three equal frequencies of six

  // The losses from the model's own logit table on [a, b, =], rows a p + b.
  std::vector<int32_t> tokens;
  std::vector<int64_t> all;
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) {
      tokens.insert(tokens.end(), {a, b, p});
      all.push_back(static_cast<int64_t>(a) * p + b);
    }
  auto ws = model->make_workspace(static_cast<int64_t>(p) * p);
  const InputBatch<double> x{.n = static_cast<int64_t>(p) * p, .dim = model->input_dim(), .tokens_per_row = 3,
                             .tokens = tokens.data()};
  const Eigen::MatrixXd table = metrics::to_matrix(model->forward(theta.data(), x, *ws), x.n, p);
  std::vector<int64_t> train_rows;
  for (const auto& arr : data.arrays)
    if (arr.name == "train_idx") train_rows = std::get<std::vector<int64_t>>(arr.data);
  ASSERT_FALSE(train_rows.empty());
  const double restricted = metrics::fourier_losses(table, p, {2, 5}, all).restricted;
  const metrics::FourierLosses on_train = metrics::fourier_losses(table, p, {2, 5}, train_rows);
  EXPECT_NEAR(rec.at(0, "loss_restricted"), restricted, 1e-12 * restricted);
  EXPECT_NEAR(rec.at(0, "loss_excluded"), on_train.excluded, 1e-12 * on_train.excluded);
  EXPECT_NEAR(on_train.full, rec.at(0, "loss_train"), 1e-12 * on_train.full);   // the same rows as the trainer's
  EXPECT_GT(std::abs(on_train.excluded - on_train.full), 1e-6);   // the keys carry part of the logits
}

TEST(TransformerProbe, WithoutKeysTheExcludedLossIsTheTrainingLoss) {
  FirstEval rec;
  train(tiny(), rec);
  ASSERT_GE(rec.rows.size(), 1u);   // row 0 is the step-0 evaluation (a stopped run adds its final row)
  EXPECT_EQ(rec.at(0, "fourier_keys_wl"), 0.0);   // a random init has no gap in W_L's spectrum
  EXPECT_NEAR(rec.at(0, "loss_excluded"), rec.at(0, "loss_train"), 1e-12);
  // Restricted to the per-class means: one prediction q for every pair. Over all p^2 pairs each class is the label
  // p times, so the loss is the cross-entropy of the uniform distribution against q: >= log p, equal only for a
  // uniform q.
  EXPECT_GE(rec.at(0, "loss_restricted"), std::log(13.0) - 1e-12);
  EXPECT_GT(rec.at(0, "loss_restricted"), std::log(13.0));   // the means of a random init are not all equal
}

TEST(TransformerProbe, ATrainingRunGivesFiniteMeasuresAtEveryEvaluation) {
  test::RunRecorder rec;
  train(tiny({"train.steps=300", "optim.lr=1e-2", "eval.schedule=\"linear\"", "eval.every=50",
              "train.dtype=\"f32\""}),
        rec);
  ASSERT_GE(rec.rows.size(), 6u);
  for (size_t r = 0; r < rec.rows.size(); ++r)
    for (const auto& c : kColumns) {
      const double v = rec.at(r, c);
      EXPECT_TRUE(std::isfinite(v)) << c << " at row " << r;
      if (c.starts_with("fourier_gini")) {
        EXPECT_TRUE(v >= 0.0 && v <= 1.0) << c << " = " << v;
      }
      if (c.starts_with("loss")) {
        EXPECT_GT(v, 0.0) << c;
      }
    }
}

TEST(TransformerProbe, OnlyAdditionGetsTheLosses) {
  FirstEval rec;
  train(tiny({"task.op=\"sub\""}), rec);
  const auto has = [&](const std::string& c) {
    return std::find(rec.columns.begin(), rec.columns.end(), c) != rec.columns.end();
  };
  EXPECT_TRUE(has("fourier_gini_wl"));
  EXPECT_FALSE(has("loss_restricted"));
}

}  // namespace grokscope
