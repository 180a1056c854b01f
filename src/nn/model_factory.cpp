// Model construction by kind, and explicit initial values.
#include "grokscope/nn/model_factory.h"

#include <fmt/format.h>

#include "grokscope/core/error.h"
#include "grokscope/nn/diagonal_net.h"
#include "grokscope/nn/matrix_factorization.h"
#include "grokscope/nn/mlp.h"
#include "grokscope/nn/param_export.h"
#include "grokscope/nn/transformer.h"

namespace grokscope {

template <class T>
std::unique_ptr<Model<T>> make_model(const ModelConfig& config, const TaskData<T>& data) {
  const bool tokens = data.train.tokens_per_row > 0;
  switch (config.kind) {
    case ModelKind::mlp:
      return std::make_unique<Mlp<T>>(
          config, MlpShape{.input_dim = data.input_dim, .token_input = tokens, .output_dim = data.output_dim});
    case ModelKind::embedding_mlp:
      if (!tokens) throw ConfigError("model.kind", "\"embedding_mlp\"", "needs a task with token inputs (modular)");
      return std::make_unique<Mlp<T>>(config, MlpShape{.input_dim = data.input_dim,
                                                       .token_input = true,
                                                       .output_dim = data.output_dim,
                                                       .embedding = true});
    case ModelKind::diagonal:
      if (tokens || data.output_dim != 1)
        throw ConfigError("model.kind", "\"diagonal\"", "needs dense inputs and one output (sparse_linear, gaussian_margin)");
      return std::make_unique<DiagonalNet<T>>(config, data.input_dim);
    case ModelKind::matrix_factorization:
      if (!tokens || data.train.tokens_per_row != 2 || data.output_dim != 1)
        throw ConfigError("model.kind", "\"matrix_factorization\"", "needs the matrix_completion task");
      return std::make_unique<MatrixFactorization<T>>(config, data.input_dim);
    case ModelKind::transformer:
      if (!tokens || data.train.tokens_per_row < 2)
        throw ConfigError("model.kind", "\"transformer\"", "needs token sequences (task.encoding = \"tokens\")");
      return std::make_unique<Transformer<T>>(
          config, TransformerShape{.vocab = data.input_dim, .ctx = data.train.tokens_per_row,
                                   .outputs = data.output_dim});
  }
  GS_CHECK(false);
  return nullptr;
}

template <class T>
void apply_init_values(const Model<T>& model, const std::vector<double>& values, T* params) {
  const ParamLayout& layout = model.layout();
  if (static_cast<int64_t>(values.size()) != layout.total_size()) {
    std::string order;
    for (const auto& p : layout.params())
      order += fmt::format("{}{} ({}x{})", order.empty() ? "" : ", ", p.name, p.rows, p.cols);
    throw ConfigError("model.init_values", fmt::format("[{} values]", values.size()),
                      fmt::format("the model has {} parameters, in this order: {}", layout.total_size(), order));
  }
  std::vector<NpyArray> arrays;
  size_t at = 0;
  for (const auto& p : layout.params()) {
    std::vector<double> v(values.begin() + static_cast<std::ptrdiff_t>(at),
                          values.begin() + static_cast<std::ptrdiff_t>(at + static_cast<size_t>(p.size())));
    at += static_cast<size_t>(p.size());
    arrays.push_back(NpyArray{p.name, {p.rows, p.cols}, std::move(v)});
  }
  import_params(layout, arrays, params);
}

template std::unique_ptr<Model<float>> make_model<float>(const ModelConfig&, const TaskData<float>&);
template std::unique_ptr<Model<double>> make_model<double>(const ModelConfig&, const TaskData<double>&);
template void apply_init_values<float>(const Model<float>&, const std::vector<double>&, float*);
template void apply_init_values<double>(const Model<double>&, const std::vector<double>&, double*);

}  // namespace grokscope
