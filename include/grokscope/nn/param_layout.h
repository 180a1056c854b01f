// Where each named parameter tensor lives in the flat parameter buffer shared by model, optimizer and trainer.
// Shapes are given in PyTorch nn.Linear orientation (out x in). A tensor marked `transposed` is stored as its
// transpose (in x out, row-major) because the model reads it by rows of the input index (a gather); exporters
// transpose it back so that saved arrays always have the PyTorch shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace grokscope {

struct ParamInfo {
  std::string name;     // w1, b1, w2, ... (1-based layer numbers)
  std::string group;    // parameter group for learning-rate / weight-decay overrides: input, hidden, head
  int64_t rows = 0;     // PyTorch shape (out, in); a bias has rows = out, cols = 1 and is saved 1-D
  int64_t cols = 0;
  int64_t offset = 0;   // first element in the flat buffer
  bool transposed = false;
  bool is_bias = false;
  // The saved shape when it is not (rows, cols) / (rows,) (the transformer's TransformerLens shapes, e.g.
  // [heads, d_model, d_head]): stored row-major in that shape, rows = shape[0], cols = the product of the rest.
  std::vector<int64_t> shape;
  int64_t size() const { return rows * cols; }
};

class ParamLayout {
 public:
  const ParamInfo& add(std::string name, std::string group, int64_t rows, int64_t cols, bool transposed = false,
                       bool is_bias = false);
  // A tensor of any rank, stored row-major in `shape` and saved with that shape (is_bias: excluded from the
  // weight-matrix probes).
  const ParamInfo& add_shaped(std::string name, std::string group, std::vector<int64_t> shape, bool is_bias);
  const std::vector<ParamInfo>& params() const { return params_; }
  int64_t total_size() const { return total_; }
  // nullptr if there is no such parameter.
  const ParamInfo* find(const std::string& name) const;
  std::vector<std::string> group_names() const;   // distinct, in order of first appearance

 private:
  std::vector<ParamInfo> params_;
  int64_t total_ = 0;
};

}  // namespace grokscope
