// torch.optim.SGD (PyTorch 1.13, _single_tensor_sgd, dampening 0, maximize False) over contiguous ranges.
//
// Per range r, with lr = r.lr * lr_multiplier (double, as LambdaLR's base_lr * lambda), wd = r.weight_decay,
// mu = momentum; every scalar below is cast to T once (PyTorch casts Python-float scalars to the tensor dtype):
//
//   g = grad                                     (d_p = grad)
//   if wd != 0:  g = g + T(wd) * theta           (d_p = d_p.add(param, alpha=wd))
//   if mu != 0:
//     first step:  buf = g                       (buf = torch.clone(d_p))
//     later:       buf = buf * T(mu) + g         (buf.mul_(momentum).add_(d_p, alpha=1 - dampening), alpha = 1)
//     g = nesterov ? g + T(mu) * buf : buf       (d_p = d_p.add(buf, alpha=momentum) : buf)
//   theta = theta + T(-lr) * g                   (param.add_(d_p, alpha=-lr))
//
// "First step" is the optimizer's first step() call (PyTorch: momentum_buffer is None), whatever lr_multiplier is.
// The wd == 0 test is PyTorch's too: it skips the add, which matters only for non-finite parameters.
// Agreement with PyTorch: PyTorch 1.13's CPU kernels evaluate add(alpha=...) and addcmul with fused multiply-adds
// (AVX2 FMA). This code writes separate multiplies and adds; whether the compiler fuses some of them depends on the
// build (GCC contracts by default in C++, given -march=native on an FMA machine). Either way the result agrees with
// PyTorch to about one ulp per operation, not always bitwise (tests/optim/golden_test.cpp, 5 steps: float64 within
// 3e-16, float32 within 1.3e-7 relative, both with and without -ffp-contract=off).
#include "grokscope/optim/sgd.h"

#include <string>

#include <fmt/format.h>

#include "grokscope/kernels/optim_updates.h"
#include "optim_checks.h"
#include "parallel_ranges.h"

namespace grokscope {

namespace {

using kernels::MomentumMode;
using kernels::sgd_range;

template <class T, bool kDecay>
void sgd_dispatch(MomentumMode mode, bool nesterov, T* p, const T* g, T* buf, int64_t n, T wd, T mu, T neg_lr) {
  switch (mode) {
    case MomentumMode::none:
      sgd_range<T, kDecay, MomentumMode::none, false>(p, g, buf, n, wd, mu, neg_lr);
      return;
    case MomentumMode::first:
      if (nesterov) sgd_range<T, kDecay, MomentumMode::first, true>(p, g, buf, n, wd, mu, neg_lr);
      else sgd_range<T, kDecay, MomentumMode::first, false>(p, g, buf, n, wd, mu, neg_lr);
      return;
    case MomentumMode::running:
      if (nesterov) sgd_range<T, kDecay, MomentumMode::running, true>(p, g, buf, n, wd, mu, neg_lr);
      else sgd_range<T, kDecay, MomentumMode::running, false>(p, g, buf, n, wd, mu, neg_lr);
      return;
  }
}

}  // namespace

template <class T>
Sgd<T>::Sgd(std::vector<ParamRange> ranges, int64_t total_size, double momentum, bool nesterov)
    : ranges_(std::move(ranges)), total_size_(total_size), momentum_(momentum), nesterov_(nesterov) {
  optim_detail::check_param_ranges(ranges_, total_size_);
  if (!(momentum >= 0 && std::isfinite(momentum)))
    throw ConfigError("optim.momentum", fmt::format("{}", momentum), "must be finite and >= 0");
  if (nesterov && !(momentum > 0)) throw ConfigError("optim.nesterov", "true", "needs optim.momentum > 0");
  if (momentum != 0) buf_.assign(static_cast<size_t>(total_size_), T(0));
}

template <class T>
void Sgd<T>::step(T* params, const T* grads, double lr_multiplier) {
  GS_CHECK(total_size_ == 0 || (params != nullptr && grads != nullptr));
  const MomentumMode mode =
      momentum_ == 0 ? MomentumMode::none : (this->steps_ == 0 ? MomentumMode::first : MomentumMode::running);
  const T mu = static_cast<T>(momentum_);
  T* buf = buf_.data();
  optim_detail::for_each_range_slice(ranges_, total_size_, [&](const ParamRange& r, int64_t lo, int64_t hi) {
    const double lr = r.lr * lr_multiplier;
    const T neg_lr = static_cast<T>(-lr);
    const T wd = static_cast<T>(r.weight_decay);
    T* p = params + lo;
    const T* g = grads + lo;
    T* b = mode == MomentumMode::none ? nullptr : buf + lo;
    if (r.weight_decay != 0) sgd_dispatch<T, true>(mode, nesterov_, p, g, b, hi - lo, wd, mu, neg_lr);
    else sgd_dispatch<T, false>(mode, nesterov_, p, g, b, hi - lo, wd, mu, neg_lr);
  });
  ++this->steps_;
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace grokscope
