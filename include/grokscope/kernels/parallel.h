// grokscope's own thread pool: a fixed team of threads (the caller is thread 0) that runs one function on every
// thread of the team, with a static partition of the work. Kernels partition by fixed rules that depend only on the
// problem size and the team size, so a run with the same config and thread count gives the same bits every time.
//
// The team is created by set_num_threads(n) (the trainer calls it through kernels::set_blas_threads with
// train.threads); until then there is no team and everything runs on the calling thread. A parallel region started
// from inside another one runs serially on the thread that started it (no nesting). Workers spin for a short while
// after a region (the next region of a training step usually follows within microseconds) and then sleep.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

namespace grokscope::kernels {

// A non-owning reference to a callable void(int thread, int threads); no allocation.
class TeamFn {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, TeamFn>>>
  TeamFn(F& f) : obj_(const_cast<void*>(static_cast<const void*>(&f))), call_([](void* o, int t, int n) { (*static_cast<F*>(o))(t, n); }) {}
  void operator()(int t, int n) const { call_(obj_, t, n); }

 private:
  void* obj_;
  void (*call_)(void*, int, int);
};

// Size of the team (1 when there is none). Threads inside a parallel region see 1.
int num_threads();
// Creates (or resizes) the team: n threads including the caller; n <= 0 means all cores. Returns the team size.
int set_num_threads(int n);
// Runs fn(t, T) for t in [0, T) with T = min(num_threads(), max_threads) (at least 1); thread 0 is the caller.
// Returns when every thread has finished. Exceptions must not escape fn.
void parallel_run(int max_threads, TeamFn fn);

template <class F>
void parallel(int max_threads, F&& f) {
  parallel_run(max_threads, TeamFn(f));
}

// Static partition of [0, n) into `parts` contiguous pieces whose boundaries are multiples of `align` (except n):
// returns piece `part`.
inline std::pair<int64_t, int64_t> partition(int64_t n, int part, int parts, int64_t align = 1) {
  const int64_t units = (n + align - 1) / align;
  const int64_t base = units / parts, extra = units % parts;
  const int64_t b = part * base + (part < extra ? part : extra);
  const int64_t e = b + base + (part < extra ? 1 : 0);
  const int64_t lo = b * align, hi = e * align;
  return {lo < n ? lo : n, hi < n ? hi : n};
}

}  // namespace grokscope::kernels
