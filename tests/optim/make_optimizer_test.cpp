// make_optimizer: accepts every configuration validate() accepts, builds the requested kind, keeps state per range
// (a multi-range optimizer equals independent single-range optimizers, bit for bit), preallocates all state (no heap
// allocation inside step), and rejects bad ranges / hyperparameters.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grokscope/core/error.h"
#include "grokscope/optim/adam.h"
#include "grokscope/optim/optimizer.h"
#include "grokscope/optim/sgd.h"
#include "grokscope/train/config.h"

// Number of global operator new calls so far in this executable (alloc_counter_test.cpp replaces operator new).
int64_t grokscope_test_allocation_count();

namespace grokscope {
namespace {

std::vector<OptimConfig> valid_configs() {
  std::vector<OptimConfig> out;
  for (OptimKind kind : {OptimKind::sgd, OptimKind::adam, OptimKind::adamw}) {
    for (double wd : {0.0, 1e-4, 1.0}) {
      for (double momentum : {0.0, 0.5, 0.99}) {
        for (bool nesterov : {false, true}) {
          for (double beta : {0.0, 0.9, 0.999}) {
            for (double eps : {1e-8, 1e-3}) {
              OptimConfig c;
              c.kind = kind;
              c.lr = 1e-3;
              c.weight_decay = wd;
              c.momentum = momentum;
              c.nesterov = nesterov && momentum > 0;
              c.beta1 = beta;
              c.beta2 = beta;
              c.eps = eps;
              c.warmup_steps = 10;
              out.push_back(c);
            }
          }
        }
      }
    }
  }
  return out;
}

std::vector<ParamRange> ranges_for(const OptimConfig& c) {
  return {{.offset = 0, .size = 5, .lr = c.lr, .weight_decay = c.weight_decay},
          {.offset = 5, .size = 0, .lr = c.lr, .weight_decay = c.weight_decay},  // empty tensor
          {.offset = 6, .size = 3, .lr = 0.0, .weight_decay = 0.0},             // frozen group (PyTorch allows lr 0)
          {.offset = 9, .size = 4, .lr = 10 * c.lr, .weight_decay = 2 * c.weight_decay}};
}

template <class T>
void accepts_every_valid_config() {
  for (const OptimConfig& c : valid_configs()) {
    RunConfig run;
    run.optim = c;
    ASSERT_NO_THROW(validate(run)) << to_string(c.kind);  // the config really is valid ...
    std::unique_ptr<Optimizer<T>> opt;
    ASSERT_NO_THROW(opt = make_optimizer<T>(c, ranges_for(c), 14)) << to_string(c.kind);  // ... so it is accepted
    ASSERT_TRUE(opt);
    std::vector<T> p(14, T(0.5)), g(14, T(-0.25));
    for (int s = 0; s < 3; ++s) opt->step(p.data(), g.data(), s / 2.0);
    EXPECT_EQ(opt->steps_taken(), 3);
    for (T x : p) EXPECT_TRUE(std::isfinite(x));
    EXPECT_EQ(p[12], p[9]);           // same range, same inputs, same result
    EXPECT_EQ(p[13], T(0.5));         // in no range
    EXPECT_EQ(p[6], T(0.5));          // lr 0 range did not move
  }
}

TEST(MakeOptimizerTest, AcceptsEveryValidConfigDouble) { accepts_every_valid_config<double>(); }
TEST(MakeOptimizerTest, AcceptsEveryValidConfigFloat) { accepts_every_valid_config<float>(); }

TEST(MakeOptimizerTest, AcceptsEmptyBuffer) {
  for (OptimKind kind : {OptimKind::sgd, OptimKind::adam, OptimKind::adamw}) {
    OptimConfig c;
    c.kind = kind;
    auto opt = make_optimizer<double>(c, {}, 0);
    opt->step(nullptr, nullptr, 1.0);
    EXPECT_EQ(opt->steps_taken(), 1);
  }
}

TEST(MakeOptimizerTest, BuildsTheRequestedKind) {
  OptimConfig c;
  c.kind = OptimKind::sgd;
  c.momentum = 0.9;
  c.nesterov = true;
  auto sgd = make_optimizer<float>(c, {{.offset = 0, .size = 4, .lr = 0.1}}, 4);
  auto* s = dynamic_cast<Sgd<float>*>(sgd.get());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->momentum(), 0.9);
  EXPECT_TRUE(s->nesterov());
  EXPECT_EQ(s->momentum_buffer().size(), 4u);

  c.kind = OptimKind::adam;
  c.beta1 = 0.8;
  c.beta2 = 0.98;
  c.eps = 1e-6;
  auto adam = make_optimizer<double>(c, {{.offset = 0, .size = 4, .lr = 0.1}}, 4);
  auto* a = dynamic_cast<Adam<double>*>(adam.get());
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->options().decoupled);
  EXPECT_EQ(a->options().beta1, 0.8);
  EXPECT_EQ(a->options().beta2, 0.98);
  EXPECT_EQ(a->options().eps, 1e-6);

  c.kind = OptimKind::adamw;
  auto adamw = make_optimizer<double>(c, {{.offset = 0, .size = 4, .lr = 0.1}}, 4);
  auto* w = dynamic_cast<Adam<double>*>(adamw.get());
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->options().decoupled);
  EXPECT_EQ(w->exp_avg().size(), 4u);
  EXPECT_EQ(w->exp_avg_sq().size(), 4u);
}

// Buffer of 12: ranges [0, 5) and [7, 12) with different lr / wd; [5, 7) belongs to no range.
template <class T>
void state_is_per_range(const OptimConfig& c) {
  const ParamRange a{.offset = 0, .size = 5, .lr = 0.03, .weight_decay = 0.1};
  const ParamRange b{.offset = 7, .size = 5, .lr = 0.007, .weight_decay = 0.0};
  auto both = make_optimizer<T>(c, {b, a}, 12);  // order of the ranges does not matter
  auto only_a = make_optimizer<T>(c, {{.offset = 0, .size = 5, .lr = a.lr, .weight_decay = a.weight_decay}}, 5);
  auto only_b = make_optimizer<T>(c, {{.offset = 0, .size = 5, .lr = b.lr, .weight_decay = b.weight_decay}}, 5);
  std::vector<T> p(12), pa(5), pb(5);
  for (int i = 0; i < 12; ++i) p[i] = static_cast<T>(std::sin(1.0 + i));
  std::copy(p.begin(), p.begin() + 5, pa.begin());
  std::copy(p.begin() + 7, p.end(), pb.begin());
  const std::vector<T> gap(p.begin() + 5, p.begin() + 7);
  for (int s = 0; s < 4; ++s) {
    std::vector<T> g(12), ga(5), gb(5);
    for (int i = 0; i < 12; ++i) g[i] = static_cast<T>(std::cos(0.7 * s + 0.3 * i) * (s == 2 && i >= 7 ? 0 : 1));
    std::copy(g.begin(), g.begin() + 5, ga.begin());
    std::copy(g.begin() + 7, g.end(), gb.begin());
    const double mult = s == 0 ? 0.0 : 1.0;
    both->step(p.data(), g.data(), mult);
    only_a->step(pa.data(), ga.data(), mult);
    only_b->step(pb.data(), gb.data(), mult);
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(p[i], pa[i]) << "step " << s << " element " << i;
      EXPECT_EQ(p[7 + i], pb[i]) << "step " << s << " element " << 7 + i;
    }
    EXPECT_EQ(p[5], gap[0]);
    EXPECT_EQ(p[6], gap[1]);
  }
  if (auto* adam = dynamic_cast<Adam<T>*>(both.get())) {
    EXPECT_EQ(adam->exp_avg()[5], T(0));
    EXPECT_EQ(adam->exp_avg_sq()[6], T(0));
  }
}

TEST(MakeOptimizerTest, StateIsPerRange) {
  for (OptimKind kind : {OptimKind::sgd, OptimKind::adam, OptimKind::adamw}) {
    for (double momentum : {0.0, 0.9}) {
      for (bool nesterov : {false, true}) {
        if (nesterov && momentum == 0) continue;
        if (kind != OptimKind::sgd && (momentum != 0 || nesterov)) continue;
        OptimConfig c;
        c.kind = kind;
        c.momentum = momentum;
        c.nesterov = nesterov;
        c.beta2 = 0.98;
        SCOPED_TRACE(std::string(to_string(kind)) + " momentum " + std::to_string(momentum) +
                     (nesterov ? " nesterov" : ""));
        state_is_per_range<double>(c);
        state_is_per_range<float>(c);
      }
    }
  }
}

TEST(MakeOptimizerTest, StepDoesNotAllocate) {
  for (OptimKind kind : {OptimKind::sgd, OptimKind::adam, OptimKind::adamw}) {
    OptimConfig c;
    c.kind = kind;
    c.momentum = kind == OptimKind::sgd ? 0.9 : 0.0;
    const std::vector<ParamRange> ranges = {{.offset = 0, .size = 1000, .lr = 0.01, .weight_decay = 0.1},
                                            {.offset = 1000, .size = 24, .lr = 0.02, .weight_decay = 0.0}};
    auto opt = make_optimizer<float>(c, ranges, 1024);
    std::vector<float> p(1024, 0.5f), g(1024, 0.125f);
    const int64_t before = grokscope_test_allocation_count();
    for (int s = 0; s < 5; ++s) opt->step(p.data(), g.data(), 1.0);
    EXPECT_EQ(grokscope_test_allocation_count() - before, 0) << to_string(kind);
  }
  // Sanity check that the counter sees allocations at all.
  const int64_t before = grokscope_test_allocation_count();
  void* probe = ::operator new(64);  // a direct call of the function cannot be elided
  ::operator delete(probe);
  EXPECT_EQ(grokscope_test_allocation_count() - before, 1);
}

TEST(MakeOptimizerTest, RejectsBadRangeGeometry) {
  OptimConfig c;
  for (OptimKind kind : {OptimKind::sgd, OptimKind::adam, OptimKind::adamw}) {
    c.kind = kind;
    EXPECT_THROW(make_optimizer<double>(c, {{.offset = 0, .size = 5}, {.offset = 4, .size = 2}}, 10),
                 std::logic_error);  // overlap (PyTorch: a parameter in two groups)
    EXPECT_THROW(make_optimizer<double>(c, {{.offset = 8, .size = 3}}, 10), std::logic_error);  // past the end
    EXPECT_THROW(make_optimizer<double>(c, {{.offset = -1, .size = 3}}, 10), std::logic_error);
    EXPECT_THROW(make_optimizer<double>(c, {{.offset = 0, .size = -1}}, 10), std::logic_error);
    EXPECT_NO_THROW(make_optimizer<double>(c, {{.offset = 5, .size = 5}, {.offset = 0, .size = 5}}, 10));
  }
}

TEST(MakeOptimizerTest, RejectsBadHyperparameters) {
  OptimConfig c;
  c.kind = OptimKind::sgd;
  EXPECT_THROW(make_optimizer<double>(c, {{.offset = 0, .size = 1, .lr = -0.1}}, 1), ConfigError);
  EXPECT_THROW(make_optimizer<double>(c, {{.offset = 0, .size = 1, .lr = NAN}}, 1), ConfigError);
  EXPECT_THROW(make_optimizer<double>(c, {{.offset = 0, .size = 1, .lr = 0.1, .weight_decay = -1}}, 1), ConfigError);
  c.momentum = -0.5;
  EXPECT_THROW(make_optimizer<double>(c, {}, 0), ConfigError);
  c.momentum = 0;
  c.nesterov = true;
  EXPECT_THROW(make_optimizer<double>(c, {}, 0), ConfigError);  // PyTorch: Nesterov needs momentum
  for (OptimKind kind : {OptimKind::adam, OptimKind::adamw}) {
    OptimConfig a;
    a.kind = kind;
    a.beta1 = 1.0;
    EXPECT_THROW(make_optimizer<float>(a, {}, 0), ConfigError);
    a.beta1 = 0.9;
    a.beta2 = -0.1;
    EXPECT_THROW(make_optimizer<float>(a, {}, 0), ConfigError);
    a.beta2 = 0.999;
    a.eps = -1e-8;
    EXPECT_THROW(make_optimizer<float>(a, {}, 0), ConfigError);
  }
}

}  // namespace
}  // namespace grokscope
