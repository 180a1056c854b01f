// The optimized MLP path (blocked rows, thread team, recomputed token layer, per-thread gradient buffers, chunked
// parallel loss, sliced optimizers) against an unoptimized reference written with plain loops over one-hot inputs:
// in float64, 100 training steps agree to 1e-10 relative. Also: bit-for-bit repeatability for a fixed thread count
// (whatever the buffers' alignment), forward outputs independent of the thread count.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
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

// Restores a single-threaded team when a test ends (the team is process-wide).
struct Threads {
  explicit Threads(int n) { kernels::set_blas_threads(n); }
  ~Threads() { kernels::set_blas_threads(1); }
};

struct Data {
  int p = 31;
  int input_dim = 62;  // concat encoding
  int classes = 31;
  int64_t n = 0;
  std::vector<int32_t> tokens, labels;
  std::vector<double> dense;  // the same rows as one-hot vectors
};

Data make_data(int64_t n, uint64_t seed) {
  Data d;
  d.n = n;
  Rng rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    const auto a = static_cast<int32_t>(rng.below(static_cast<uint64_t>(d.p)));
    const auto b = static_cast<int32_t>(rng.below(static_cast<uint64_t>(d.p)));
    d.tokens.push_back(a);
    d.tokens.push_back(d.p + b);
    d.labels.push_back((a + b) % d.p);
  }
  d.dense.assign(static_cast<size_t>(n * d.input_dim), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int t = 0; t < 2; ++t) d.dense[static_cast<size_t>(i * d.input_dim + d.tokens[static_cast<size_t>(2 * i + t)])] += 1.0;
  return d;
}

double act(Activation a, double z, double slope) {
  switch (a) {
    case Activation::relu: return z > 0 ? z : 0.0;
    case Activation::leaky_relu: return z > 0 ? z : slope * z;
    case Activation::quadratic: return z * z;
    case Activation::identity: return z;
    case Activation::tanh: return std::tanh(z);
  }
  return z;
}

double act_grad(Activation a, double z, double slope) {
  switch (a) {
    case Activation::relu: return z > 0 ? 1.0 : 0.0;
    case Activation::leaky_relu: return z > 0 ? 1.0 : slope;
    case Activation::quadratic: return 2 * z;
    case Activation::identity: return 1.0;
    case Activation::tanh: return 1.0 - std::tanh(z) * std::tanh(z);
  }
  return 1.0;
}

// The unoptimized path: dense one-hot inputs, weights read from the flat buffer through the layout, per-row loops.
// Returns the mean cross-entropy; grad gets its gradient.
double reference_loss_grad(const Mlp<double>& mlp, const ModelConfig& mc, const Data& d, const std::vector<double>& p,
                           std::vector<double>& grad) {
  const int L = mlp.num_layers();
  std::vector<const ParamInfo*> w(static_cast<size_t>(L)), b(static_cast<size_t>(L));
  for (int l = 0; l < L; ++l) {
    w[static_cast<size_t>(l)] = mlp.layout().find(fmt::format("w{}", l + 1));
    b[static_cast<size_t>(l)] = mlp.layout().find(fmt::format("b{}", l + 1));
  }
  auto widx = [&](int l, int o, int i) {
    const ParamInfo* pi = w[static_cast<size_t>(l)];
    return static_cast<size_t>(pi->offset + (pi->transposed ? int64_t{i} * pi->rows + o : int64_t{o} * pi->cols + i));
  };
  std::fill(grad.begin(), grad.end(), 0.0);
  double loss = 0.0;
  for (int64_t r = 0; r < d.n; ++r) {
    std::vector<std::vector<double>> a(1, std::vector<double>(d.dense.begin() + r * d.input_dim,
                                                              d.dense.begin() + (r + 1) * d.input_dim));
    std::vector<std::vector<double>> z;
    for (int l = 0; l < L; ++l) {
      const ParamInfo* pi = w[static_cast<size_t>(l)];
      std::vector<double> zl(static_cast<size_t>(pi->rows));
      for (int o = 0; o < pi->rows; ++o) {
        double s = b[static_cast<size_t>(l)] ? p[static_cast<size_t>(b[static_cast<size_t>(l)]->offset + o)] : 0.0;
        for (int i = 0; i < pi->cols; ++i) s += p[widx(l, o, i)] * a.back()[static_cast<size_t>(i)];
        zl[static_cast<size_t>(o)] = s;
      }
      z.push_back(zl);
      if (l < L - 1) {
        std::vector<double> al(zl.size());
        for (size_t k = 0; k < zl.size(); ++k) al[k] = act(mc.activation, zl[k], mc.leaky_slope);
        a.push_back(al);
      }
    }
    const std::vector<double>& out = z.back();
    const int y = d.labels[static_cast<size_t>(r)];
    const double m = *std::max_element(out.begin(), out.end());
    double s = 0.0;
    for (double v : out) s += std::exp(v - m);
    loss += m + std::log(s) - out[static_cast<size_t>(y)];
    std::vector<double> delta(out.size());
    for (size_t k = 0; k < out.size(); ++k)
      delta[k] = (std::exp(out[k] - m) / s - (static_cast<int>(k) == y ? 1.0 : 0.0)) / static_cast<double>(d.n);
    for (int l = L - 1; l >= 0; --l) {
      const ParamInfo* pi = w[static_cast<size_t>(l)];
      const std::vector<double>& in = a[static_cast<size_t>(l)];
      for (int o = 0; o < pi->rows; ++o) {
        for (int i = 0; i < pi->cols; ++i) grad[widx(l, o, i)] += delta[static_cast<size_t>(o)] * in[static_cast<size_t>(i)];
        if (b[static_cast<size_t>(l)]) grad[static_cast<size_t>(b[static_cast<size_t>(l)]->offset + o)] += delta[static_cast<size_t>(o)];
      }
      if (l == 0) break;
      std::vector<double> prev(static_cast<size_t>(pi->cols), 0.0);
      for (int i = 0; i < pi->cols; ++i) {
        double s2 = 0.0;
        for (int o = 0; o < pi->rows; ++o) s2 += p[widx(l, o, i)] * delta[static_cast<size_t>(o)];
        prev[static_cast<size_t>(i)] = s2 * act_grad(mc.activation, z[static_cast<size_t>(l - 1)][static_cast<size_t>(i)], mc.leaky_slope);
      }
      delta = prev;
    }
  }
  return loss / static_cast<double>(d.n);
}

enum class Opt { sgd, adamw };

// Runs `steps` full-batch steps with the optimized path and with the reference; returns the max relative difference
// of the parameters (max |a - b| / max |b|) after the last step.
double compare_runs(const ModelConfig& mc, bool token, Opt opt, int block, int threads, int steps) {
  const Data d = make_data(300, 5);
  Mlp<double> mlp(mc, MlpShape{.input_dim = d.input_dim, .token_input = token, .output_dim = d.classes});
  mlp.set_block_rows(block);
  const int64_t size = mlp.layout().total_size();
  std::vector<double> fast(static_cast<size_t>(size));
  Rng rng(9);
  mlp.init_params(fast.data(), rng);
  std::vector<double> ref = fast;
  std::vector<ParamRange> ranges{{.offset = 0, .size = size, .lr = opt == Opt::sgd ? 0.1 : 1e-2, .weight_decay = 1e-2}};
  std::unique_ptr<Optimizer<double>> optimizer;
  if (opt == Opt::sgd)
    optimizer = std::make_unique<Sgd<double>>(ranges, size);
  else
    optimizer = std::make_unique<Adam<double>>(ranges, size, AdamOptions{.beta1 = 0.9, .beta2 = 0.98, .eps = 1e-8, .decoupled = true});
  std::vector<double> m(static_cast<size_t>(size), 0.0), v(static_cast<size_t>(size), 0.0);

  Threads team(threads);
  auto ws = mlp.make_workspace(d.n);
  InputBatch<double> x{.n = d.n, .dim = d.input_dim, .tokens_per_row = token ? 2 : 0,
                       .tokens = token ? d.tokens.data() : nullptr, .dense = token ? nullptr : d.dense.data()};
  std::vector<double> d_out(static_cast<size_t>(d.n * d.classes)), grad(static_cast<size_t>(size)),
      ref_grad(static_cast<size_t>(size));
  for (int s = 0; s < steps; ++s) {
    const double* out = mlp.forward(fast.data(), x, *ws);
    const BatchStats st = classification_loss<double>(LossConfig{}, out, d.n, d.classes, d.labels.data(), d_out.data());
    mlp.backward(fast.data(), x, d_out.data(), grad.data(), *ws);
    optimizer->step(fast.data(), grad.data(), 1.0);

    const double ref_loss = reference_loss_grad(mlp, mc, d, ref, ref_grad);
    EXPECT_NEAR(st.loss, ref_loss, 1e-10 * std::abs(ref_loss)) << "step " << s;
    const double lr = ranges[0].lr, wd = ranges[0].weight_decay;
    for (size_t k = 0; k < ref.size(); ++k) {
      if (opt == Opt::sgd) {
        ref[k] -= lr * (ref_grad[k] + wd * ref[k]);
      } else {
        const double t = s + 1;
        ref[k] *= 1 - lr * wd;
        m[k] = 0.9 * m[k] + 0.1 * ref_grad[k];
        v[k] = 0.98 * v[k] + 0.02 * ref_grad[k] * ref_grad[k];
        const double mh = m[k] / (1 - std::pow(0.9, t)), vh = v[k] / (1 - std::pow(0.98, t));
        ref[k] -= lr * mh / (std::sqrt(vh) + 1e-8);
      }
    }
  }
  double diff = 0.0, scale = 0.0;
  for (size_t k = 0; k < ref.size(); ++k) {
    diff = std::max(diff, std::abs(fast[k] - ref[k]));
    scale = std::max(scale, std::abs(ref[k]));
  }
  return diff / scale;
}

ModelConfig lyu_like(int width) {
  ModelConfig mc;
  mc.hidden = {width};
  mc.activation = Activation::relu;
  mc.bias = BiasMode::first;
  mc.init = InitKind::he;
  return mc;
}

TEST(MlpReference, LyuSetupSgdF64AgreesOver100Steps) {
  for (int threads : {1, 2})
    for (int block : {0, 16, 48}) EXPECT_LT(compare_runs(lyu_like(40), true, Opt::sgd, block, threads, 100), 1e-10)
        << "threads " << threads << " block " << block;
}

TEST(MlpReference, AdamWF64AgreesOver100Steps) {
  EXPECT_LT(compare_runs(lyu_like(24), true, Opt::adamw, 32, 2, 100), 1e-10);
}

TEST(MlpReference, DeeperNetsAndOtherActivationsAgree) {
  for (Activation a : {Activation::leaky_relu, Activation::quadratic, Activation::tanh}) {
    ModelConfig mc;
    mc.hidden = {12, 10};
    mc.activation = a;
    mc.leaky_slope = 0.1;
    mc.bias = BiasMode::all;
    mc.init = InitKind::torch_default;
    for (bool token : {true, false})
      EXPECT_LT(compare_runs(mc, token, Opt::sgd, 32, 2, 30), 1e-10) << static_cast<int>(a) << " token " << token;
  }
}

// Forward and backward at width 64 with blocks of 32 rows, on copies of the buffers at another alignment.
struct Pass {
  std::vector<double> out, grad;
};

Pass one_pass(int threads, size_t shift) {
  const Data d = make_data(301, 7);
  Mlp<double> mlp(lyu_like(64), MlpShape{.input_dim = d.input_dim, .token_input = true, .output_dim = d.classes});
  mlp.set_block_rows(32);
  const auto size = static_cast<size_t>(mlp.layout().total_size());
  std::vector<double> storage(size + shift);
  double* params = storage.data() + shift;
  Rng rng(1);
  mlp.init_params(params, rng);
  Threads team(threads);
  auto ws = mlp.make_workspace(d.n);
  InputBatch<double> x{.n = d.n, .dim = d.input_dim, .tokens_per_row = 2, .tokens = d.tokens.data()};
  const double* out = mlp.forward(params, x, *ws);
  Pass r;
  r.out.assign(out, out + d.n * d.classes);
  std::vector<double> d_out_storage(r.out.size() + shift), grad_storage(size + shift);
  classification_loss<double>(LossConfig{}, out, d.n, d.classes, d.labels.data(), d_out_storage.data() + shift);
  mlp.backward(params, x, d_out_storage.data() + shift, grad_storage.data() + shift, *ws);
  r.grad.assign(grad_storage.begin() + static_cast<std::ptrdiff_t>(shift), grad_storage.end());
  return r;
}

TEST(MlpReference, BitwiseRepeatableForAThreadCountAndForwardIndependentOfIt) {
  const Pass a = one_pass(2, 0), b = one_pass(2, 3), c = one_pass(1, 1);
  EXPECT_EQ(0, std::memcmp(a.out.data(), b.out.data(), a.out.size() * sizeof(double)));
  EXPECT_EQ(0, std::memcmp(a.grad.data(), b.grad.data(), a.grad.size() * sizeof(double)));
  EXPECT_EQ(0, std::memcmp(a.out.data(), c.out.data(), a.out.size() * sizeof(double)));  // blocks fix the outputs
  for (size_t k = 0; k < a.grad.size(); ++k) EXPECT_NEAR(a.grad[k], c.grad[k], 1e-15) << k;
}

}  // namespace
}  // namespace grokscope
