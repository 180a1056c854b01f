// Probes: extra metrics columns computed at every evaluation (model-specific quantities and representation
// diagnostics). The trainer owns a list of probes chosen from the config; each adds named columns to metrics.csv.
// A probe sees the parameters, the initial parameters, the data, and (full-batch runs) the training gradient at
// the evaluated parameters.
#pragma once

#include <string>
#include <vector>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/model.h"

namespace grokscope {

template <class T>
struct ProbeContext {
  const Model<T>& model;
  const TaskData<T>& data;
  const T* params;
  const T* params_init;
  const T* grads;          // gradient of the training loss (no weight decay) at params; nullptr when unavailable
  const BatchStats& train; // objective statistics of this evaluation
  const BatchStats& test;
  int64_t step = 0;
  double time = 0.0;
};

template <class T>
class Probe {
 public:
  virtual ~Probe() = default;
  virtual std::vector<std::string> columns() const = 0;
  // Writes one value per column into out (NaN where undefined).
  virtual void measure(const ProbeContext<T>& ctx, double* out) = 0;
  // Called by the trainer with theta_step at every step, before that step's evaluation (if any) and update, for
  // probes that need past parameters (zero_loss_direction keeps theta_{e-c} for each planned evaluation e).
  virtual void observe_step(int64_t step, const T* params) {
    (void)step;
    (void)params;
  }
};

}  // namespace grokscope
