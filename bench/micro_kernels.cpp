// Google Benchmark micro-benchmarks of the kernels that dominate a grokscope training step, at the Lyu shapes
// (a + b mod 97: n = 3763 training rows, 194 one-hot inputs, 97 classes). The last argument of every benchmark is
// the thread count (grokscope's thread team).
//   Gemm/*            the three GEMMs of a width-W step through kernels::gemm (forward z2 = h W2^T, dW2 = d^T h,
//                     dH = d W2), whole-batch calls split over the team
//   Loss              fused softmax + cross-entropy + accuracy/margin + gradient (classification_loss<float>)
//   GatherScatter     a token-input linear layer of width W: forward is the gather, backward the scatter-add
//   MlpForward/Backward  the full blocked two-layer ReLU MLP (bias on the first layer) at width W
//   Sgd / AdamW       one optimizer step on 300k parameters (the width-1024 Lyu model has 298,081)
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "grokscope/core/rng.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/mlp.h"
#include "grokscope/optim/adam.h"
#include "grokscope/optim/sgd.h"

namespace grokscope {
namespace {

constexpr int kRows = 3763, kClasses = 97, kP = 97;

void set_threads(benchmark::State& state, int arg) { kernels::set_blas_threads(static_cast<int>(state.range(arg))); }

struct Lyu {
  std::vector<int32_t> tokens, labels;
  Lyu() {
    Rng rng(1);
    for (int i = 0; i < kRows; ++i) {
      const auto a = static_cast<int32_t>(rng.below(kP)), b = static_cast<int32_t>(rng.below(kP));
      tokens.push_back(a);
      tokens.push_back(kP + b);
      labels.push_back((a + b) % kP);
    }
  }
  InputBatch<float> batch() const {
    return InputBatch<float>{.n = kRows, .dim = 2 * kP, .tokens_per_row = 2, .tokens = tokens.data()};
  }
};

std::vector<float> filled(size_t n, uint64_t seed, double scale) {
  std::vector<float> v(n);
  Rng rng(seed);
  for (auto& x : v) x = static_cast<float>(scale * rng.normal());
  return v;
}

// ---- GEMMs of the step ----
enum Shape { kForward = 0, kWeightGrad = 1, kInputGrad = 2 };

void BM_Gemm(benchmark::State& state) {
  const auto shape = static_cast<Shape>(state.range(0));
  const int width = static_cast<int>(state.range(1));
  set_threads(state, 2);
  const auto h = filled(static_cast<size_t>(kRows) * width, 1, 0.1);
  const auto w = filled(static_cast<size_t>(kClasses) * width, 2, 0.1);
  const auto d = filled(static_cast<size_t>(kRows) * kClasses, 3, 0.1);
  std::vector<float> out(h.size());
  using kernels::Trans;
  for (auto _ : state) {
    switch (shape) {
      case kForward:
        kernels::gemm<float>(Trans::no, Trans::yes, kRows, kClasses, width, 1.f, h.data(), width, w.data(), width, 0.f,
                             out.data(), kClasses);
        break;
      case kWeightGrad:
        kernels::gemm<float>(Trans::yes, Trans::no, kClasses, width, kRows, 1.f, d.data(), kClasses, h.data(), width,
                             0.f, out.data(), width);
        break;
      case kInputGrad:
        kernels::gemm<float>(Trans::no, Trans::no, kRows, width, kClasses, 1.f, d.data(), kClasses, w.data(), width,
                             0.f, out.data(), width);
        break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * kRows * width * kClasses, benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1000);
  state.SetLabel(shape == kForward ? "z2=h*W2^T" : shape == kWeightGrad ? "dW2=d^T*h" : "dH=d*W2");
  kernels::set_blas_threads(1);
}
BENCHMARK(BM_Gemm)
    ->ArgNames({"shape", "width", "threads"})
    ->ArgsProduct({{kForward, kWeightGrad, kInputGrad}, {128, 1024}, {1, 2}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// ---- fused softmax + cross-entropy ----
void BM_Loss(benchmark::State& state) {
  set_threads(state, 0);
  const Lyu lyu;
  auto logits = filled(static_cast<size_t>(kRows) * kClasses, 4, 2.0);
  std::vector<float> grad(logits.size());
  for (auto _ : state) {
    const BatchStats s = classification_loss<float>(LossConfig{}, logits.data(), kRows, kClasses, lyu.labels.data(),
                                                    grad.data());
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * kRows * kClasses);
  kernels::set_blas_threads(1);
}
BENCHMARK(BM_Loss)->ArgNames({"threads"})->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();

// ---- MLP pieces ----
struct MlpCase {
  Lyu lyu;
  std::unique_ptr<Mlp<float>> mlp;
  std::vector<float> params, grad, d_out;
  std::unique_ptr<Workspace> ws;
  MlpCase(std::vector<int> hidden, int out) {
    ModelConfig mc;
    mc.hidden = std::move(hidden);
    mc.activation = Activation::relu;
    mc.bias = BiasMode::first;
    mlp = std::make_unique<Mlp<float>>(mc, MlpShape{.input_dim = 2 * kP, .token_input = true, .output_dim = out});
    params.resize(static_cast<size_t>(mlp->layout().total_size()));
    Rng rng(5);
    mlp->init_params(params.data(), rng);
    grad.resize(params.size());
    d_out = filled(static_cast<size_t>(kRows) * out, 6, 1e-4);
    ws = mlp->make_workspace(kRows);
  }
};

void BM_GatherScatter(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  set_threads(state, 1);
  MlpCase c({}, width);  // one token layer: forward = gather (+ bias), backward = scatter-add (+ column sums)
  const bool backward = state.range(2) != 0;
  for (auto _ : state) {
    if (backward)
      c.mlp->backward(c.params.data(), c.lyu.batch(), c.d_out.data(), c.grad.data(), *c.ws);
    else
      benchmark::DoNotOptimize(c.mlp->forward(c.params.data(), c.lyu.batch(), *c.ws));
  }
  state.SetLabel(backward ? "scatter-add" : "gather");
  state.SetBytesProcessed(state.iterations() * int64_t{kRows} * width * static_cast<int64_t>(sizeof(float)));
  kernels::set_blas_threads(1);
}
BENCHMARK(BM_GatherScatter)
    ->ArgNames({"width", "threads", "backward"})
    ->ArgsProduct({{1024}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_Mlp(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  set_threads(state, 1);
  const bool backward = state.range(2) != 0;
  MlpCase c({width}, kClasses);
  c.mlp->forward(c.params.data(), c.lyu.batch(), *c.ws);
  for (auto _ : state) {
    if (backward)
      c.mlp->backward(c.params.data(), c.lyu.batch(), c.d_out.data(), c.grad.data(), *c.ws);
    else
      benchmark::DoNotOptimize(c.mlp->forward(c.params.data(), c.lyu.batch(), *c.ws));
  }
  state.counters["GFLOP/s"] = benchmark::Counter((backward ? 4.0 : 2.0) * kRows * width * kClasses,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
  state.SetLabel(backward ? "backward" : "forward");
  kernels::set_blas_threads(1);
}
BENCHMARK(BM_Mlp)
    ->ArgNames({"width", "threads", "backward"})
    ->ArgsProduct({{128, 1024}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// ---- optimizer steps ----
constexpr int64_t kParams = 300000;

void BM_Sgd(benchmark::State& state) {
  set_threads(state, 0);
  auto params = filled(kParams, 7, 0.1);
  const auto grad = filled(kParams, 8, 1e-3);
  Sgd<float> opt({{.offset = 0, .size = kParams, .lr = 0.1, .weight_decay = 1e-3}}, kParams);
  for (auto _ : state) opt.step(params.data(), grad.data(), 1.0);
  state.SetItemsProcessed(state.iterations() * kParams);
  kernels::set_blas_threads(1);
}
BENCHMARK(BM_Sgd)->ArgNames({"threads"})->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_AdamW(benchmark::State& state) {
  set_threads(state, 0);
  auto params = filled(kParams, 7, 0.1);
  const auto grad = filled(kParams, 8, 1e-3);
  Adam<float> opt({{.offset = 0, .size = kParams, .lr = 1e-3, .weight_decay = 1.0}}, kParams,
                  AdamOptions{.beta1 = 0.9, .beta2 = 0.98, .eps = 1e-8, .decoupled = true});
  for (auto _ : state) opt.step(params.data(), grad.data(), 1.0);
  state.SetItemsProcessed(state.iterations() * kParams);
  kernels::set_blas_threads(1);
}
BENCHMARK(BM_AdamW)->ArgNames({"threads"})->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace grokscope

BENCHMARK_MAIN();
