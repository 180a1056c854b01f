// Multilayer perceptron of any depth: layers l = 1..L with weights w<l> (out x in) and optional biases b<l>,
// an activation after every layer but the last. With token inputs the first layer is a gather of rows of w1^T
// (stored transposed) and its gradient a scatter-add, so one-hot matrices are never built.
//   h_0 = x;  z_l = h_{l-1} W_l^T + b_l;  h_l = sigma(z_l) for l < L;  output = z_L
// Groups: layer 1 is "input", the last layer "head", the others "hidden" (a one-layer model is "head").
// Embedding variant (model.kind = embedding_mlp, two-clocks Fig. 1 / Musat Sec. 7): layer 1 is a token embedding
// E (nn.Embedding orientation, named "E", group "embedding") with no bias and no activation: p x d with the sum
// encoding, h_1 = E[a] + E[b]; 2p x d with the concat encoding (one row per operand position), h_1 = E[a] + E[p + b]
// (a concatenated one-hot input times one table); then the ReLU MLP and head.
#pragma once

#include <vector>

#include "grokscope/nn/model.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

struct MlpShape {
  int input_dim = 0;       // one-hot width (2p concat, p sum) or dense input size
  bool token_input = true; // first layer is a gather
  int output_dim = 0;
  bool embedding = false;  // first layer is a linear token embedding (requires token_input)
};

template <class T>
class Mlp final : public Model<T> {
 public:
  Mlp(const ModelConfig& config, const MlpShape& shape);

  const ParamLayout& layout() const override { return layout_; }
  int input_dim() const override { return shape_.input_dim; }
  int output_dim() const override { return shape_.output_dim; }
  int homogeneity() const override;
  void init_params(T* params, Rng& rng) const override;
  std::unique_ptr<Workspace> make_workspace(int64_t max_rows) const override;
  const T* forward(const T* params, const InputBatch<T>& x, Workspace& ws) const override;
  void backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws) const override;

  int num_layers() const { return static_cast<int>(widths_.size()) - 1; }
  // Rows per block of the blocked forward/backward (src/nn/mlp.cpp); 0 (the default) chooses it from the widths.
  // Takes effect for workspaces made afterwards. Results change only by floating-point reassociation (and not at
  // all for forward outputs of rows that stay in blocks of the same size). For tests and benchmarks.
  void set_block_rows(int rows) { block_rows_ = rows; }

 private:
  struct LayerParams {
    const ParamInfo* weight = nullptr;
    const ParamInfo* bias = nullptr;  // nullptr when the layer has none
    int in = 0;
    int out = 0;
  };
  // Block kernels (see src/nn/mlp.cpp): rows [r0, r0 + rows) of the batch, on one thread.
  void token_preactivation(const T* params, const InputBatch<T>& x, int64_t r0, int rows, T* z) const;
  void scatter_token_grad(const InputBatch<T>& x, int64_t r0, int rows, const T* delta, T* grad) const;
  void token_activations(const T* params, const InputBatch<T>& x, int64_t r0, int rows, T* z, T* h) const;
  void token_layer_backward(const InputBatch<T>& x, int64_t r0, int rows, const T* z, const T* h, T* dh,
                            T* g) const;
  void forward_block(const T* params, const InputBatch<T>& x, Workspace& ws, int thread, int64_t r0, int rows) const;
  void backward_block(const T* params, const InputBatch<T>& x, const T* d_out, T* grad, Workspace& ws, int thread,
                      int64_t r0, int rows) const;
  // Whether the activations / pre-activations of hidden layer l are stored for backward (a token layer's are
  // recomputed; pre-activations only when the derivative needs them).
  bool keeps_h(int l) const { return !(l == 0 && shape_.token_input); }
  bool keeps_z(int l) const;
  Activation activation_of(int layer) const {
    return (shape_.embedding && layer == 0) ? Activation::identity : config_.activation;
  }

  ModelConfig config_;
  MlpShape shape_;
  std::vector<int> widths_;          // input_dim, hidden..., output_dim
  ParamLayout layout_;
  std::vector<LayerParams> layers_;
  int block_rows_ = 0;
};

}  // namespace grokscope
