// Grokfast gradient filters (Lee, Kang, Kim, Kim 2024, "Grokfast: Accelerated Grokking by Amplifying Slow
// Gradients", arXiv 2405.20233), over one flat gradient buffer, matching the official code to the letter
// (github.com/ironjr/grokfast, grokfast.py at 93b2248: gradfilter_ema, gradfilter_ma). The filter runs between the
// backward pass and the optimizer step and rewrites the gradient in place, as the reference rewrites p.grad before
// optimizer.step(): coupled weight decay (SGD, Adam) is added to the filtered gradient by the optimizer afterwards,
// and AdamW's decoupled decay never sees the gradient.
//
//   ema (alpha, lamb):  h = g at the first step;  then every step  h = h * alpha + g * (1 - alpha);  g = g + h * lamb
//   ma (window, lamb, mean|sum, warmup):  push g into a ring of the last `window` raw gradients; when the ring is
//       full, or always without warmup: avg = (sum of the ring, oldest first) [/ its length for "mean"];
//       g = g + avg * lamb.  Without warmup the first steps average over the gradients seen so far.
//
// The ring holds the raw (unfiltered) gradients, as the reference's deque does with PyTorch >= 2.0, whose
// zero_grad() frees p.grad (set_to_none=True). Under torch 1.x's zero_grad(set_to_none=False) the deque's entries
// pushed during the MA warmup alias p.grad and are overwritten in place by later backward passes; grokscope follows
// the intended (>= 2.0) behaviour. The reference's `trigger` argument (an ablation that disables the MA filter) is
// not reproduced. The state is allocated once, at construction: n values for EMA, (window + 1) n for MA.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "grokscope/core/run_config.h"

namespace grokscope {

template <class T>
class GradFilter {
 public:
  virtual ~GradFilter() = default;
  // Filters the gradient of one step in place (n values, the size given at construction).
  virtual void apply(T* grads) = 0;
  // Number of gradients filtered so far.
  int64_t steps_seen() const { return steps_; }

 protected:
  int64_t steps_ = 0;
};

template <class T>
class EmaGradFilter final : public GradFilter<T> {
 public:
  EmaGradFilter(int64_t n, double alpha, double lamb);
  void apply(T* grads) override;
  const std::vector<T>& average() const { return ema_; }   // the reference's grads[n] after the last step

 private:
  double alpha_, lamb_;
  std::vector<T> ema_;
};

template <class T>
class MaGradFilter final : public GradFilter<T> {
 public:
  MaGradFilter(int64_t n, int64_t window, double lamb, MaFilter type, bool warmup);
  void apply(T* grads) override;

 private:
  int64_t n_, window_;
  double lamb_;
  MaFilter type_;
  bool warmup_;
  std::vector<T> ring_;   // window slots of n values; slot (k mod window) holds the k-th gradient (0-based)
  std::vector<T> avg_;    // scratch: the window's sum (then mean)
};

// The filter of optim.grad_filter for a buffer of n gradients; null for "none".
template <class T>
std::unique_ptr<GradFilter<T>> make_grad_filter(const OptimConfig& config, int64_t n);

// Values of T the filter keeps per parameter (for the memory estimate): 0, 1 (ema) or window + 1 (ma).
int64_t grad_filter_copies(const OptimConfig& config);

}  // namespace grokscope
