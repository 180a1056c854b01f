// The transformer's training step allocates nothing: forward, backward and the AdamW step on preallocated buffers
// (the counter of alloc_counter_test.cpp), with LayerNorm and every bias on, 2 layers, f32 and f64, batches of any
// size up to the workspace's.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "grokscope/core/rng.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/nn/transformer.h"
#include "grokscope/optim/optimizer.h"
#include "grokscope/optim/param_groups.h"

int64_t grokscope_test_allocation_count();

namespace grokscope {
namespace {

template <class T>
void check_no_allocation() {
  ModelConfig mc;
  mc.kind = ModelKind::transformer;
  mc.layers = 2, mc.d_model = 16, mc.heads = 4, mc.d_mlp = 24;
  mc.layer_norm = mc.attn_bias = mc.unembed_bias = true;
  const Transformer<T> model(mc, TransformerShape{.vocab = 12, .ctx = 3, .outputs = 11});
  const int64_t n = 40;
  std::vector<int32_t> tokens;
  for (int64_t i = 0; i < n; ++i) tokens.insert(tokens.end(), {static_cast<int32_t>(i % 11), static_cast<int32_t>((3 * i) % 11), 11});
  std::vector<T> params(static_cast<size_t>(model.layout().total_size())), grads(params.size());
  Rng rng(1);
  model.init_params(params.data(), rng);
  OptimConfig oc;
  oc.weight_decay = 1.0;
  auto opt = make_optimizer<T>(oc, resolve_param_ranges(model.layout(), oc), model.layout().total_size());
  auto ws = model.make_workspace(n);
  std::vector<T> d_out(static_cast<size_t>(n * 11), T(0.01));
  const int64_t before = grokscope_test_allocation_count();
  for (int64_t rows : {n, int64_t{17}, n}) {
    const InputBatch<T> x{.n = rows, .dim = 12, .tokens_per_row = 3, .tokens = tokens.data()};
    model.forward(params.data(), x, *ws);
    model.backward(params.data(), x, d_out.data(), grads.data(), *ws);
    opt->step(params.data(), grads.data(), 1.0);
  }
  EXPECT_EQ(grokscope_test_allocation_count() - before, 0);
}

TEST(TransformerAllocation, StepAllocatesNothing) {
  kernels::set_blas_threads(1);
  check_no_allocation<float>();
  check_no_allocation<double>();
}

}  // namespace
}  // namespace grokscope
