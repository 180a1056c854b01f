// The operation table of the transformer's row kernels (kernels/transformer_rows.h), in f32 and f64, on odd shapes:
// forwards against plain f64 references (LayerNorm by its definition, attention through a full masked score
// matrix), backwards against central differences of the f64 reference of sum(upstream * output).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "grokscope/kernels/transformer_rows.h"
#include "op_table_util.h"

namespace gk = grokscope::kernels;

namespace {

using grokscope::test::cast;
using grokscope::test::expect_near;

std::vector<double> random_values(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

// d/dx_k of sum(up * f(x)) for every k, by central differences (f64).
std::vector<double> numeric_grad(const std::function<std::vector<double>(const std::vector<double>&)>& f,
                                 std::vector<double> x, const std::vector<double>& up) {
  std::vector<double> g(x.size());
  const double h = 1e-6;
  for (size_t k = 0; k < x.size(); ++k) {
    const double x0 = x[k];
    double s = 0;
    x[k] = x0 + h;
    auto a = f(x);
    x[k] = x0 - h;
    auto b = f(x);
    x[k] = x0;
    for (size_t i = 0; i < up.size(); ++i) s += up[i] * (a[i] - b[i]);
    g[k] = s / (2 * h);
  }
  return g;
}

std::vector<double> ref_layer_norm(const std::vector<double>& x, const std::vector<double>& w,
                                   const std::vector<double>& b, int64_t n, int width) {
  std::vector<double> y(x.size());
  for (int64_t i = 0; i < n; ++i) {
    double mean = 0, var = 0;
    for (int j = 0; j < width; ++j) mean += x[static_cast<size_t>(i * width + j)] / width;
    for (int j = 0; j < width; ++j) var += std::pow(x[static_cast<size_t>(i * width + j)] - mean, 2) / width;
    for (int j = 0; j < width; ++j) {
      const auto k = static_cast<size_t>(i * width + j);
      y[k] = (x[k] - mean) / std::sqrt(var + 1e-5) * w[static_cast<size_t>(j)] + b[static_cast<size_t>(j)];
    }
  }
  return y;
}

template <class T>
void check_layer_norm(double tol) {
  unsigned seed = 1;
  for (const auto& shape : std::vector<std::pair<int64_t, int>>{{1, 1}, {3, 2}, {5, 7}, {4, 33}, {2, 130}}) {
    const int64_t n = shape.first;   // named variables, not a structured binding: the lambdas below capture them
    const int width = shape.second;
    const auto x = random_values(static_cast<size_t>(n * width), seed++);
    const auto w = random_values(static_cast<size_t>(width), seed++);
    const auto b = random_values(static_cast<size_t>(width), seed++);
    const auto dy = random_values(static_cast<size_t>(n * width), seed++);
    const auto want = ref_layer_norm(x, w, b, n, width);
    auto xt = cast<T>(x), wt = cast<T>(w), bt = cast<T>(b), dyt = cast<T>(dy);
    std::vector<T> xhat(x.size()), rstd(static_cast<size_t>(n)), y(x.size());
    gk::layer_norm_rows(xt.data(), n, width, wt.data(), bt.data(), T(1e-5), xhat.data(), rstd.data(), y.data());
    expect_near(y, want, tol, "layer_norm y");
    std::vector<T> dx(x.size(), T(0.5)), dw(w.size(), T(0.25)), db(b.size(), T(-1));  // accumulated into
    gk::layer_norm_rows_backward(dyt.data(), xhat.data(), rstd.data(), wt.data(), n, width, dx.data(), dw.data(),
                                 db.data());
    auto gx = numeric_grad([&](const std::vector<double>& v) { return ref_layer_norm(v, w, b, n, width); }, x, dy);
    auto gw = numeric_grad([&](const std::vector<double>& v) { return ref_layer_norm(x, v, b, n, width); }, w, dy);
    auto gb = numeric_grad([&](const std::vector<double>& v) { return ref_layer_norm(x, w, v, n, width); }, b, dy);
    for (auto& v : gx) v += 0.5;
    for (auto& v : gw) v += 0.25;
    for (auto& v : gb) v -= 1;
    // width 1 normalizes to 0 whatever x: its input gradient is 0 up to the differences' noise
    expect_near(dx, gx, std::max(tol, 1e-6), "layer_norm dx");
    expect_near(dw, gw, std::max(tol, 1e-6), "layer_norm dw");
    expect_near(db, gb, std::max(tol, 1e-6), "layer_norm db");
  }
}

struct AttnShape {
  int64_t n;
  int ctx, qpos, heads, d_head;
};

// z of every query row through the full ctx x ctx score matrix with -inf above the diagonal.
std::vector<double> ref_attention(const std::vector<double>& q, const std::vector<double>& k,
                                  const std::vector<double>& v, const AttnShape& s, double scale) {
  const int hd = s.heads * s.d_head;
  std::vector<double> z(static_cast<size_t>(s.n * s.qpos * hd), 0.0);
  for (int64_t i = 0; i < s.n; ++i)
    for (int j = 0; j < s.qpos; ++j)
      for (int h = 0; h < s.heads; ++h) {
        const int pos = s.ctx - s.qpos + j;
        std::vector<double> score(static_cast<size_t>(s.ctx));
        double mx = -std::numeric_limits<double>::infinity(), sum = 0;
        for (int t = 0; t < s.ctx; ++t) {
          double dot = 0;
          for (int c = 0; c < s.d_head; ++c)
            dot += q[static_cast<size_t>((i * s.qpos + j) * hd + h * s.d_head + c)] *
                   k[static_cast<size_t>((i * s.ctx + t) * hd + h * s.d_head + c)];
          score[static_cast<size_t>(t)] = t <= pos ? dot * scale : -std::numeric_limits<double>::infinity();
          mx = std::max(mx, score[static_cast<size_t>(t)]);
        }
        for (auto& e : score) sum += (e = std::exp(e - mx));
        for (int t = 0; t < s.ctx; ++t)
          for (int c = 0; c < s.d_head; ++c)
            z[static_cast<size_t>((i * s.qpos + j) * hd + h * s.d_head + c)] +=
                score[static_cast<size_t>(t)] / sum * v[static_cast<size_t>((i * s.ctx + t) * hd + h * s.d_head + c)];
      }
  return z;
}

template <class T>
void check_attention(double tol) {
  unsigned seed = 100;
  for (const AttnShape& s : {AttnShape{1, 1, 1, 1, 1}, AttnShape{3, 3, 3, 2, 4}, AttnShape{4, 3, 1, 4, 3},
                             AttnShape{2, 5, 2, 1, 7}, AttnShape{2, 16, 16, 3, 2}}) {
    const int hd = s.heads * s.d_head;
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.d_head));
    const auto q = random_values(static_cast<size_t>(s.n * s.qpos * hd), seed++);
    const auto k = random_values(static_cast<size_t>(s.n * s.ctx * hd), seed++);
    const auto v = random_values(static_cast<size_t>(s.n * s.ctx * hd), seed++);
    const auto dz = random_values(q.size(), seed++);
    auto qt = cast<T>(q), kt = cast<T>(k), vt = cast<T>(v), dzt = cast<T>(dz);
    std::vector<T> probs(static_cast<size_t>(s.n * s.qpos * s.heads * s.ctx)), z(q.size());
    gk::causal_attention_rows(qt.data(), kt.data(), vt.data(), s.n, s.ctx, s.qpos, s.heads, s.d_head, T(scale),
                              probs.data(), z.data());
    expect_near(z, ref_attention(q, k, v, s, scale), tol, "attention z");
    for (int64_t r = 0; r < s.n * s.qpos * s.heads; ++r) {   // rows of probabilities, zero above the diagonal
      const int pos = s.ctx - s.qpos + static_cast<int>((r / s.heads) % s.qpos);
      double sum = 0;
      for (int t = 0; t < s.ctx; ++t) {
        const double p = probs[static_cast<size_t>(r * s.ctx + t)];
        sum += p;
        if (t > pos) {
          EXPECT_EQ(p, 0.0);
        }
      }
      EXPECT_NEAR(sum, 1.0, tol);
    }
    std::vector<T> dq(q.size()), dk(k.size(), T(7)), dv(v.size(), T(7));   // overwritten
    gk::causal_attention_rows_backward(dzt.data(), qt.data(), kt.data(), vt.data(), probs.data(), s.n, s.ctx, s.qpos,
                                       s.heads, s.d_head, T(scale), dq.data(), dk.data(), dv.data());
    auto f_q = [&](const std::vector<double>& x) { return ref_attention(x, k, v, s, scale); };
    auto f_k = [&](const std::vector<double>& x) { return ref_attention(q, x, v, s, scale); };
    auto f_v = [&](const std::vector<double>& x) { return ref_attention(q, k, x, s, scale); };
    expect_near(dq, numeric_grad(f_q, q, dz), std::max(tol, 1e-7), "attention dq");
    expect_near(dk, numeric_grad(f_k, k, dz), std::max(tol, 1e-7), "attention dk");
    expect_near(dv, numeric_grad(f_v, v, dz), std::max(tol, 1e-7), "attention dv");
  }
}

TEST(TransformerRows, LayerNormF64) { check_layer_norm<double>(1e-12); }
TEST(TransformerRows, LayerNormF32) { check_layer_norm<float>(2e-5); }
TEST(TransformerRows, CausalAttentionF64) { check_attention<double>(1e-12); }
TEST(TransformerRows, CausalAttentionF32) { check_attention<float>(2e-5); }

}  // namespace
