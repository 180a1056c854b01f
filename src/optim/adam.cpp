// torch.optim.Adam and torch.optim.AdamW (PyTorch 1.13, _single_tensor_adam / _single_tensor_adamw with
// amsgrad=False, maximize=False, capturable=False, differentiable=False) over contiguous ranges.
//
// At each step() (t = number of steps including this one; PyTorch's state['step'] after step_t += 1), in double:
//   bias_correction1 = 1 - beta1 ** t          bias_correction2 = 1 - beta2 ** t        (Python floats)
//   bias_correction2_sqrt = sqrt(bias_correction2)
// Per range r, with lr = r.lr * lr_multiplier (double, as LambdaLR's base_lr * lambda), wd = r.weight_decay:
//   step_size = lr / bias_correction1                                                   (double)
// and per element, every scalar cast to T once (PyTorch casts Python-float scalars to the tensor dtype; note
// T(1 - beta1) is the cast of the double difference, not T(1) - T(beta1)):
//   AdamW only:        theta = theta * T(1 - lr * wd)          (param.mul_(1 - lr * weight_decay))
//   g = grad
//   Adam, wd != 0:     g = g + T(wd) * theta                   (grad = grad.add(param, alpha=weight_decay))
//   m = m * T(beta1) + T(1 - beta1) * g                        (exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1))
//   v = v * T(beta2) + T(1 - beta2) * g * g                    (exp_avg_sq.mul_(beta2).addcmul_(grad, grad,
//                                                                value=1 - beta2); addcmul is (value * t1) * t2)
//   denom = sqrt(v) / T(bias_correction2_sqrt) + T(eps)        ((exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps))
//   theta = theta + T(-step_size) * m / denom                  (param.addcdiv_(exp_avg, denom, value=-step_size);
//                                                                addcdiv is self + (value * t1) / t2)
// A step with lr_multiplier 0 still updates m, v and the step count (as PyTorch does when LambdaLR returns 0).
// AdamW always applies the decay factor (1.0 when wd == 0); Adam skips the L2 add when wd == 0, as PyTorch does.
// Agreement with PyTorch: PyTorch 1.13's CPU kernels evaluate add(alpha=...) and addcmul with fused multiply-adds
// (AVX2 FMA). This code writes separate multiplies and adds; whether the compiler fuses some of them depends on the
// build (GCC contracts by default in C++, given -march=native on an FMA machine). Either way the result agrees with
// PyTorch to about one ulp per operation, not always bitwise (tests/optim/golden_test.cpp, 5 steps: float64 within
// 3e-16, float32 within 1.3e-7 relative, both with and without -ffp-contract=off).
#include "grokscope/optim/adam.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "grokscope/kernels/optim_updates.h"
#include "optim_checks.h"
#include "parallel_ranges.h"

namespace grokscope {

namespace {

using kernels::adam_range;
using kernels::AdamScalars;

}  // namespace

template <class T>
Adam<T>::Adam(std::vector<ParamRange> ranges, int64_t total_size, AdamOptions options)
    : ranges_(std::move(ranges)), total_size_(total_size), options_(options) {
  optim_detail::check_param_ranges(ranges_, total_size_);
  const std::string betas = fmt::format("[{}, {}]", options.beta1, options.beta2);
  if (!(options.beta1 >= 0 && options.beta1 < 1))
    throw ConfigError("optim.betas", betas, "beta1 (first element) must be in [0, 1)");
  if (!(options.beta2 >= 0 && options.beta2 < 1))
    throw ConfigError("optim.betas", betas, "beta2 (second element) must be in [0, 1)");
  if (!(options.eps >= 0 && std::isfinite(options.eps)))
    throw ConfigError("optim.eps", fmt::format("{}", options.eps), "must be finite and >= 0");
  exp_avg_.assign(static_cast<size_t>(total_size_), T(0));
  exp_avg_sq_.assign(static_cast<size_t>(total_size_), T(0));
}

template <class T>
void Adam<T>::step(T* params, const T* grads, double lr_multiplier) {
  GS_CHECK(total_size_ == 0 || (params != nullptr && grads != nullptr));
  const int64_t t = ++this->steps_;
  // Python: step = step_t.item() (a float); beta ** step and math.sqrt in double.
  const double step = static_cast<double>(t);
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, step);
  const double bias_correction2 = 1.0 - std::pow(options_.beta2, step);
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  const AdamScalars<T> s{static_cast<T>(options_.beta1),        static_cast<T>(1.0 - options_.beta1),
                         static_cast<T>(options_.beta2),        static_cast<T>(1.0 - options_.beta2),
                         static_cast<T>(bias_correction2_sqrt), static_cast<T>(options_.eps)};
  T* m = exp_avg_.data();
  T* v = exp_avg_sq_.data();
  optim_detail::for_each_range_slice(ranges_, total_size_, [&](const ParamRange& r, int64_t o, int64_t hi) {
    const double lr = r.lr * lr_multiplier;
    const double step_size = lr / bias_correction1;
    const T neg_step_size = static_cast<T>(-step_size);
    const int64_t len = hi - o;
    if (options_.decoupled) {
      const T decay = static_cast<T>(1.0 - lr * r.weight_decay);
      adam_range<T, true, false>(params + o, grads + o, m + o, v + o, len, s, decay, T(0), neg_step_size);
    } else if (r.weight_decay != 0) {
      const T wd = static_cast<T>(r.weight_decay);
      adam_range<T, false, true>(params + o, grads + o, m + o, v + o, len, s, T(1), wd, neg_step_size);
    } else {
      adam_range<T, false, false>(params + o, grads + o, m + o, v + o, len, s, T(1), T(0), neg_step_size);
    }
  });
}

template class Adam<float>;
template class Adam<double>;

}  // namespace grokscope
