// The binary-classification probes of the kernel and rich regimes on a small diagonal-net run (Lyu et al. §2.4, LY-4
// in small): `ntk` (agreement with the NTK max-margin classifier) and `margin_targets` (cos of w = u^2 - v^2 with the
// max-L2- and max-L1-margin classifiers), early in the kernel regime and late after the transition.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "grokscope/io/config_toml.h"
#include "grokscope/train/trainer.h"

namespace grokscope {
namespace {

struct Rows : RunObserver {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  void on_start(const RunStart& s) override { columns = s.columns; }
  void on_eval(const std::vector<double>& row) override { rows.push_back(row); }
  double at(size_t r, const std::string& name) const {
    const auto it = std::find(columns.begin(), columns.end(), name);
    EXPECT_NE(it, columns.end()) << name;
    return it == columns.end() ? std::nan("") : rows.at(r).at(static_cast<size_t>(it - columns.begin()));
  }
  size_t row_at_step(double step) const {
    for (size_t r = 0; r < rows.size(); ++r)
      if (at(r, "step") >= step) return r;
    return rows.size() - 1;
  }
};

// d = 500, n = 100, alpha = 64, eta = 0.01, lambda = 0.1 (t* = ln(64) / (eta lambda) = 4160 steps), 10^4 steps in
// about 0.2 s. Measured: at step 398 ntk_cos_test = 0.995, ntk_agree_test = 0.967, cos_w_l2 = 0.996, cos_w_l1 = 0.41,
// test accuracy 0.64; at step 3981 test accuracy 0.998, cos_w_l1 = 0.980; at the end cos_w_l1 = 0.998,
// cos_w_l2 = 0.42, ntk_cos_test = 0.38, margin_ratio_l1 = 0.82 (0.34 in the kernel phase).
RunConfig small_diagonal_run() {
  return parse_run_config(
      "[task]\nkind = \"sparse_linear\"\nd = 500\nsparsity = 3\nn_train = 100\nn_test = 1000\n"
      "[model]\nkind = \"diagonal\"\ndepth = 2\ninit_scale = 64.0\n[loss]\nkind = \"logistic\"\n"
      "[optim]\nkind = \"sgd\"\nlr = 0.01\nweight_decay = 0.1\n[train]\nsteps = 10000\ndtype = \"f64\"\nthreads = 1\n"
      "[eval]\nschedule = \"log\"\npoints_per_decade = 10\nprobes = [\"ntk\", \"margin_targets\"]\n",
      {}, "test");
}

TEST(MarginProbes, DiagonalNetLeavesTheKernelClassifierForTheL1Margin) {
  Rows rec;
  const RunSummary s = train(small_diagonal_run(), rec);
  ASSERT_EQ(s.status, RunStatus::completed) << s.message;
  for (size_t r = 0; r < rec.rows.size(); r += 2)
    std::printf("[margin probes] step %5.0f acc_test %.3f ntk_agree %.3f ntk_cos %.4f cos_w_l2 %.4f cos_w_l1 %.4f "
                "ratio_l2 %.3f ratio_l1 %.3f\n",
                rec.at(r, "step"), rec.at(r, "acc_test"), rec.at(r, "ntk_agree_test"), rec.at(r, "ntk_cos_test"),
                rec.at(r, "cos_w_l2"), rec.at(r, "cos_w_l1"), rec.at(r, "margin_ratio_l2"),
                rec.at(r, "margin_ratio_l1"));
  std::printf("[margin probes] ntk_acc_test %.4f ntk_margin %.4g ntk_support %.0f acc_test_w_l2 %.4f "
              "acc_test_w_l1 %.4f\n",
              rec.at(0, "ntk_acc_test"), rec.at(0, "ntk_margin"), rec.at(0, "ntk_support"), rec.at(0, "acc_test_w_l2"),
              rec.at(0, "acc_test_w_l1"));
  EXPECT_EQ(rec.at(0, "ntk_agree_test"), 0.5);   // f(theta_0) = 0: every row a tie
  EXPECT_TRUE(std::isnan(rec.at(0, "ntk_cos_test")));
  EXPECT_TRUE(std::isnan(rec.at(0, "cos_w_l1")));
  // The kernel classifier is the max-L2-margin classifier (the diagonal net's NTK at u = v is the linear kernel);
  // the dense L2 classifier tests near chance, the sparse L1 one perfectly.
  EXPECT_EQ(rec.at(0, "ntk_acc_test"), rec.at(0, "acc_test_w_l2"));
  EXPECT_LT(rec.at(0, "acc_test_w_l2"), 0.75);
  EXPECT_EQ(rec.at(0, "acc_test_w_l1"), 1.0);
  // Kernel phase: on the kernel classifier.
  const size_t early = rec.row_at_step(398);
  EXPECT_GT(rec.at(early, "ntk_cos_test"), 0.99);
  EXPECT_GT(rec.at(early, "ntk_agree_test"), 0.95);
  EXPECT_GT(rec.at(early, "cos_w_l2"), 0.99);
  EXPECT_LT(rec.at(early, "cos_w_l1"), 0.5);
  EXPECT_LT(rec.at(early, "acc_test"), 0.7);
  EXPECT_LT(rec.at(early, "margin_ratio_l1"), 0.4);
  // Rich phase: off it, onto the max-L1-margin classifier; the net then agrees with the kernel classifier exactly
  // where the kernel classifier is right.
  const size_t last = rec.rows.size() - 1;
  EXPECT_GT(rec.at(last, "acc_test"), 0.99);
  EXPECT_GT(rec.at(last, "cos_w_l1"), 0.99);
  EXPECT_LT(rec.at(last, "cos_w_l2"), 0.5);
  EXPECT_LT(rec.at(last, "ntk_cos_test"), 0.5);
  EXPECT_NEAR(rec.at(last, "ntk_agree_test"), rec.at(last, "ntk_acc_test"), 0.01);
  EXPECT_GT(rec.at(last, "margin_ratio_l1"), 0.75);
}

}  // namespace
}  // namespace grokscope
