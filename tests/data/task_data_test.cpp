// make_task_data: the modular kind reproduces make_modular_task exactly, and every synthetic kind dispatches to
// its generator with the documented defaults and target kind.
#include <gtest/gtest.h>

#include "grokscope/data/dataset.h"
#include "grokscope/data/modular_dataset.h"

namespace grokscope {
namespace {

TEST(TaskData, ModularEqualsModularTask) {
  TaskConfig t;
  t.p = 13;
  t.train_fraction = 0.3;
  t.split_seed = 42;
  for (Encoding enc : {Encoding::concat, Encoding::sum}) {
    t.encoding = enc;
    const ModularTask task = make_modular_task(t);
    const TaskData<float> data = make_task_data<float>(t);
    EXPECT_EQ(data.target, TargetKind::classes);
    EXPECT_EQ(data.input_dim, task.input_dim);
    EXPECT_EQ(data.output_dim, 13);
    EXPECT_EQ(data.train.n, task.train.n);
    EXPECT_EQ(data.train.dim, task.train.dim);
    EXPECT_EQ(data.train.tokens_per_row, 2);
    EXPECT_EQ(data.train.tokens, task.train.tokens);
    EXPECT_EQ(data.train.labels, task.train.labels);
    EXPECT_EQ(data.test.tokens, task.test.tokens);
    EXPECT_EQ(data.test.labels, task.test.labels);
    EXPECT_TRUE(data.train.dense.empty());
    EXPECT_FALSE(data.test.generated());
    const auto arrays = split_arrays(task);
    ASSERT_EQ(data.arrays.size(), arrays.size());
    for (size_t k = 0; k < arrays.size(); ++k) {
      EXPECT_EQ(data.arrays[k].name, arrays[k].name);
      EXPECT_EQ(data.arrays[k].data, arrays[k].data);
    }
  }
}

TEST(TaskData, DispatchesEverySyntheticKind) {
  TaskConfig t;
  t.d = 50;  // small: the defaults of sparse_linear / gaussian_margin are 10^5
  t.kind = TaskKind::teacher_classes;
  auto a = make_task_data<double>(t);
  EXPECT_EQ(a.target, TargetKind::classes);
  EXPECT_EQ(a.output_dim, 4);
  EXPECT_EQ(a.train.n, 256);
  t.kind = TaskKind::sparse_linear;
  auto b = make_task_data<double>(t);
  EXPECT_EQ(b.target, TargetKind::binary);
  EXPECT_EQ(b.train.n, 256);
  EXPECT_EQ(b.test.n, 10000);
  EXPECT_TRUE(b.test.generated());
  t.kind = TaskKind::gaussian_margin;
  auto c = make_task_data<double>(t);
  EXPECT_EQ(c.train.n, 32);
  EXPECT_EQ(c.test.n, 10000);
  t.kind = TaskKind::matrix_completion;
  t.d = 0;
  auto d = make_task_data<float>(t);
  EXPECT_EQ(d.target, TargetKind::regression);
  EXPECT_EQ(d.input_dim, 97);
  EXPECT_EQ(d.train.n, 3763);  // default train_fraction 0.4 of 97^2
  t.kind = TaskKind::toy_regression;
  auto e = make_task_data<float>(t);
  EXPECT_EQ(e.input_dim, 2);
  EXPECT_EQ(e.test.n, 100);
}

}  // namespace
}  // namespace grokscope
