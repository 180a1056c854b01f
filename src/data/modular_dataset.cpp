// Token-encoded modular-arithmetic datasets.
#include "grokscope/data/modular_dataset.h"

#include "grokscope/core/error.h"

namespace grokscope {

namespace {
TokenDataset encode_rows(const ModularTable& table, const std::vector<int64_t>& rows, Encoding encoding) {
  TokenDataset ds;
  ds.n = static_cast<int64_t>(rows.size());
  const bool sequence = encoding == Encoding::tokens;
  ds.dim = encoding == Encoding::concat ? 2 * table.p : sequence ? table.p + 1 : table.p;
  ds.tokens_per_row = sequence ? 3 : 2;
  ds.tokens.reserve(rows.size() * static_cast<size_t>(ds.tokens_per_row));
  ds.labels.reserve(rows.size());
  const int32_t offset_b = encoding == Encoding::concat ? table.p : 0;
  for (int64_t r : rows) {
    const auto i = static_cast<size_t>(r);
    ds.tokens.push_back(table.a[i]);
    ds.tokens.push_back(table.b[i] + offset_b);
    if (sequence) ds.tokens.push_back(table.p);   // "="
    ds.labels.push_back(table.c[i]);
  }
  return ds;
}
}  // namespace

ModularTask make_modular_task(const TaskConfig& config) {
  const auto op = parse_mod_op(config.op);
  GS_CHECK(op.has_value());
  ModularTask task;
  task.table = make_modular_table(*op, config.p, config.pairs);
  const int64_t n_train = resolve_n_train(config, task.table.rows());
  task.split = make_split(task.table.rows(), n_train, config.split_seed);
  task.train = encode_rows(task.table, task.split.train_idx, config.encoding);
  task.test = encode_rows(task.table, task.split.test_idx, config.encoding);
  task.input_dim = task.train.dim;
  task.n_classes = config.p;
  return task;
}

std::vector<NpyArray> split_arrays(const ModularTask& task) {
  auto n = [](const auto& v) { return static_cast<int64_t>(v.size()); };
  return {
      NpyArray{"train_idx", {n(task.split.train_idx)}, task.split.train_idx},
      NpyArray{"test_idx", {n(task.split.test_idx)}, task.split.test_idx},
      NpyArray{"a", {n(task.table.a)}, task.table.a},
      NpyArray{"b", {n(task.table.b)}, task.table.b},
      NpyArray{"c", {n(task.table.c)}, task.table.c},
  };
}

}  // namespace grokscope
