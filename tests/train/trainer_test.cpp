// End-to-end training: grokking on a small task, determinism, divergence, stopping, minibatches, precision.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grokscope/core/error.h"
#include "grokscope/io/npz.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/train/trainer.h"

namespace fs = std::filesystem;

namespace grokscope {
namespace {

// a + b mod 31 with 70% of the table, width 256, AdamW: fits in ~100 steps, generalizes ~10x later (about 1 s).
RunConfig small_grokking_config() {
  RunConfig c;
  c.task.p = 31;
  c.task.train_fraction = 0.7;
  c.model.hidden = {256};
  c.optim.lr = 3e-3;
  c.optim.beta2 = 0.98;
  c.optim.weight_decay = 1.0;
  c.train.steps = 3000;
  c.train.threads = 1;
  c.eval.points_per_decade = 40;
  return c;
}

struct Recorder : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  std::vector<NpyArray> final_params;
  int64_t stop_after_evals = -1;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  void on_finish(const RunSummary&, const std::vector<NpyArray>& p) override { final_params = p; }
  bool stop_requested() override {
    return stop_after_evals >= 0 && static_cast<int64_t>(rows.size()) >= stop_after_evals;
  }
  double at(size_t row, const std::string& col) const {
    const auto it = std::find(columns.begin(), columns.end(), col);
    return rows.at(row).at(static_cast<size_t>(it - columns.begin()));
  }
};

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("grokscope_trainer_test_" + name);
  fs::remove_all(dir);
  return dir;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Trainer, SmallModularAdditionGroksLongAfterFitting) {
  RunConfig c = small_grokking_config();
  Recorder rec;
  const RunSummary s = train(c, rec);
  ASSERT_EQ(s.status, RunStatus::completed);
  const Clock& fit = s.clocks[0];
  const Clock& gen = s.clocks[1];
  ASSERT_TRUE(fit.fired);
  ASSERT_TRUE(gen.fired) << gen.reason;
  EXPECT_GE(gen.step, 4 * fit.step) << "fit " << fit.step << ", gen " << gen.step;
  // At t_fit the test accuracy is still far from the threshold: memorization first.
  for (size_t i = 0; i < rec.rows.size(); ++i)
    if (rec.at(i, "step") == static_cast<double>(fit.step)) {
      EXPECT_LT(rec.at(i, "acc_test"), 0.6);
    }
  EXPECT_EQ(rec.at(rec.rows.size() - 1, "acc_train"), 1.0);
  EXPECT_GE(rec.at(rec.rows.size() - 1, "acc_test"), 0.99);
  // Continuous time is the sum of learning rates.
  EXPECT_NEAR(fit.time, 3e-3 * static_cast<double>(fit.step), 1e-9);
}

TEST(Trainer, SameSeedGivesByteIdenticalMetrics) {
  RunConfig c = small_grokking_config();
  c.train.steps = 300;
  c.train.threads = 2;
  std::string first;
  for (int rep = 0; rep < 2; ++rep) {
    const fs::path dir = fresh_dir("determinism" + std::to_string(rep));
    prepare_run_dir(dir, ExistingDir::refuse);
    {
      RunDirWriter writer(dir, c);
      train(c, writer);
    }
    const std::string metrics = read_file(dir / "metrics.csv");
    EXPECT_GT(metrics.size(), 1000u);
    if (rep == 0)
      first = metrics;
    else
      EXPECT_EQ(first, metrics);
    fs::remove_all(dir);
  }
  c.train.seed = 1;
  Recorder other;
  train(c, other);
  std::istringstream lines(first);
  std::string header, row0;
  std::getline(lines, header);
  std::getline(lines, row0);
  EXPECT_NE(row0.substr(0, 40), std::to_string(other.rows[0][0]).substr(0, 40));  // a different seed differs
}

TEST(Trainer, DivergenceStopsWithStatusAndKeepsLastFiniteParameters) {
  RunConfig c = small_grokking_config();
  c.optim.kind = OptimKind::sgd;
  c.optim.lr = 50.0;  // far beyond the stability limit of the quadratic loss: the loss grows geometrically
  c.optim.weight_decay = 0.0;
  c.loss.kind = LossKind::mse;
  c.model.activation = Activation::identity;  // a linear model: nothing dies, the loss blows up
  c.train.steps = 1000;
  Recorder rec;
  const RunSummary s = train(c, rec);
  ASSERT_EQ(s.status, RunStatus::diverged);
  EXPECT_NE(s.message.find("saved"), std::string::npos) << s.message;
  EXPECT_LT(s.steps_done, 1000);
  ASSERT_FALSE(rec.final_params.empty());
  for (const auto& a : rec.final_params)
    for (float v : std::get<std::vector<float>>(a.data)) ASSERT_TRUE(std::isfinite(v));
  EXPECT_FALSE(s.clocks[1].reason.empty());
}

TEST(Trainer, StopRequestEndsTheRunWithStatusStopped) {
  RunConfig c = small_grokking_config();
  Recorder rec;
  rec.stop_after_evals = 5;
  const RunSummary s = train(c, rec);
  EXPECT_EQ(s.status, RunStatus::stopped);
  EXPECT_LT(s.steps_done, 100);
  EXPECT_EQ(rec.rows.size(), 6u);  // five scheduled evaluations and the one at the stop
}

TEST(Trainer, EarlyStopAfterTheClocksHeld) {
  RunConfig c = small_grokking_config();
  c.train.steps = 100000;
  c.train.early_stop = true;
  c.train.early_stop_margin = 0.25;
  c.eval.loss_eps = {0.1};
  Recorder rec;
  const RunSummary s = train(c, rec);
  EXPECT_EQ(s.status, RunStatus::completed);
  EXPECT_NE(s.message.find("early stop"), std::string::npos);
  EXPECT_LT(s.steps_done, 10000);
  EXPECT_GE(static_cast<double>(s.steps_done), 1.25 * static_cast<double>(s.clocks[1].step));
  // The last metrics row is at the step the run stopped at (params_final's step), scheduled or not.
  ASSERT_FALSE(rec.rows.empty());
  EXPECT_EQ(rec.at(rec.rows.size() - 1, "step"), static_cast<double>(s.steps_done));
  EXPECT_EQ(s.final_values, rec.rows.back());
}

TEST(Trainer, MinibatchRunIsDeterministicAndLearns) {
  RunConfig c = small_grokking_config();
  c.train.batch_size = 128;
  c.train.steps = 400;
  Recorder a, b;
  train(c, a);
  train(c, b);
  // Bitwise comparison: some diagnostics are NaN in minibatch runs (no full-batch gradient), and NaN != NaN.
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    ASSERT_EQ(a.rows[i].size(), b.rows[i].size());
    EXPECT_EQ(std::memcmp(a.rows[i].data(), b.rows[i].data(), a.rows[i].size() * sizeof(double)), 0) << "row " << i;
  }
  EXPECT_GT(a.at(a.rows.size() - 1, "acc_train"), 0.9);
}

TEST(Trainer, Float64AndFloat32AgreeEarly) {
  RunConfig c = small_grokking_config();
  c.train.steps = 20;
  Recorder f32, f64;
  train(c, f32);
  c.train.dtype = Dtype::f64;
  train(c, f64);
  ASSERT_EQ(f32.rows.size(), f64.rows.size());
  const size_t last = f32.rows.size() - 1;
  EXPECT_NEAR(f32.at(last, "loss_train"), f64.at(last, "loss_train"), 1e-4);
  EXPECT_NEAR(f32.at(last, "norm_total"), f64.at(last, "norm_total"), 1e-3);
  EXPECT_TRUE(std::holds_alternative<std::vector<double>>(f64.final_params[0].data));
}

TEST(Trainer, RunDirectoryHoldsEveryOutput) {
  RunConfig c = small_grokking_config();
  c.train.steps = 50;
  const fs::path dir = fresh_dir("outputs");
  prepare_run_dir(dir, ExistingDir::refuse);
  {
    RunDirWriter writer(dir, c);
    train(c, writer);
  }
  for (const char* f : {"config.toml", "metrics.csv", "summary.json", "split.npz", "params_init.npz",
                        "params_final.npz"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  const auto params = read_npz((dir / "params_final.npz").string());
  ASSERT_EQ(params.size(), 3u);  // w1, b1, w2
  EXPECT_EQ(params[0].name, "w1");
  EXPECT_EQ(params[0].shape, (std::vector<int64_t>{256, 62}));  // PyTorch orientation: out x in (2p inputs)
  EXPECT_EQ(params[1].shape, (std::vector<int64_t>{256}));
  EXPECT_EQ(params[2].shape, (std::vector<int64_t>{31, 256}));
  const auto split = read_npz((dir / "split.npz").string());
  EXPECT_EQ(split[0].name, "train_idx");
  EXPECT_EQ(split[0].size() + split[1].size(), 31 * 31);
  const std::string summary = read_file(dir / "summary.json");
  for (const char* key : {"\"status\"", "\"clocks\"", "\"t_fit\"", "\"t_gen\"", "\"t_cls\"", "\"final\"",
                          "\"timing\"", "\"steps_per_second\"", "\"version\"", "\"config_hash\""})
    EXPECT_NE(summary.find(key), std::string::npos) << key;
  // Refuses to overwrite without replace; replace works on a run directory but never on another directory.
  EXPECT_THROW(prepare_run_dir(dir, ExistingDir::refuse), IoError);
  EXPECT_NO_THROW(prepare_run_dir(dir, ExistingDir::replace));
  const fs::path other = fresh_dir("not_a_run");
  fs::create_directories(other);
  std::ofstream(other / "thesis.tex") << "precious";
  EXPECT_THROW(prepare_run_dir(other, ExistingDir::replace), IoError);
  EXPECT_TRUE(fs::exists(other / "thesis.tex"));
  fs::remove_all(dir);
  fs::remove_all(other);
}

}  // namespace
}  // namespace grokscope
