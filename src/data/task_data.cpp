// make_task_data: the data of any task kind, dispatched on TaskConfig::kind. The modular kind wraps the token
// datasets of make_modular_task (data/modular_dataset.h); the others are the synthetic generators (data/synthetic.h).
#include <string>

#include "grokscope/core/error.h"
#include "grokscope/data/dataset.h"
#include "grokscope/data/modular_dataset.h"
#include "grokscope/data/synthetic.h"

namespace grokscope {

namespace {

template <class T>
Dataset<T> from_tokens(const TokenDataset& src) {
  Dataset<T> ds;
  ds.n = src.n;
  ds.dim = src.dim;
  ds.tokens_per_row = src.tokens_per_row;
  ds.tokens = src.tokens;
  ds.labels = src.labels;
  return ds;
}

template <class T>
TaskData<T> modular_task_data(const TaskConfig& config) {
  const ModularTask task = make_modular_task(config);
  TaskData<T> data;
  data.train = from_tokens<T>(task.train);
  data.test = from_tokens<T>(task.test);
  data.input_dim = task.input_dim;
  data.output_dim = task.n_classes;
  data.target = TargetKind::classes;
  data.arrays = split_arrays(task);
  return data;
}

}  // namespace

template <class T>
TaskData<T> make_task_data(const TaskConfig& config) {
  switch (config.kind) {
    case TaskKind::modular: return modular_task_data<T>(config);
    case TaskKind::teacher_classes: return make_teacher_classes<T>(config);
    case TaskKind::sparse_linear: return make_sparse_linear<T>(config);
    case TaskKind::gaussian_margin: return make_gaussian_margin<T>(config);
    case TaskKind::matrix_completion: return make_matrix_completion<T>(config);
    case TaskKind::toy_regression: return make_toy_regression<T>(config);
    case TaskKind::sparse_regression: return make_sparse_regression<T>(config);
  }
  throw ConfigError("task.kind", std::to_string(static_cast<int>(config.kind)), "unknown task kind");
}

template TaskData<float> make_task_data<float>(const TaskConfig&);
template TaskData<double> make_task_data<double>(const TaskConfig&);

}  // namespace grokscope
