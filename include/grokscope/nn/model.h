// The model interface: explicit forward and backward over a flat parameter buffer (no autograd graph).
// Inputs are either token indices (one-hot inputs that are never materialized: the first layer is a gather)
// or dense rows. Every model in the zoo implements this; the trainer knows nothing else about models.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "grokscope/core/rng.h"
#include "grokscope/data/input_batch.h"
#include "grokscope/nn/param_layout.h"

namespace grokscope {

// Scratch memory a model needs for a batch of up to max_rows rows. Opaque to the trainer.
class Workspace {
 public:
  virtual ~Workspace() = default;
};

template <class T>
class Model {
 public:
  virtual ~Model() = default;

  virtual const ParamLayout& layout() const = 0;
  virtual int input_dim() const = 0;
  virtual int output_dim() const = 0;
  // Homogeneity degree of the output in the parameters (for normalized margins); 0 if the model is not homogeneous.
  virtual int homogeneity() const = 0;

  // Fills params (layout().total_size() values) with a fresh initialization drawn from rng.
  virtual void init_params(T* params, Rng& rng) const = 0;
  virtual std::unique_ptr<Workspace> make_workspace(int64_t max_rows) const = 0;

  // Outputs (x.n x output_dim, row-major) for the batch; the pointer lives in ws until the next forward.
  virtual const T* forward(const T* params, const InputBatch<T>& x, Workspace& ws) const = 0;
  // Full gradient of sum_ij d_out[i,j] * out[i,j] with respect to params, written into grad (overwritten), for the
  // batch of the last forward on ws. d_out may be overwritten.
  virtual void backward(const T* params, const InputBatch<T>& x, T* d_out, T* grad, Workspace& ws) const = 0;
};

}  // namespace grokscope
