// The thread team of kernels/parallel.h.
#include "grokscope/kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace grokscope::kernels {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// True on team workers always, and on a caller while it runs its share of a region: nested regions run serially.
thread_local bool t_in_region = false;

// How long a worker spins for the next region before it sleeps. A training step runs a few dozen regions separated
// by microseconds; between steps the trainer's own serial work is short too.
constexpr auto kSpin = std::chrono::microseconds(2000);

class Team {
 public:
  explicit Team(int size) : size_(size) {
    for (int t = 1; t < size; ++t) threads_.emplace_back([this, t] { worker(t); });
  }
  ~Team() {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& th : threads_) th.join();
  }
  int size() const { return size_; }

  // Runs fn on `active` threads. Returns false (doing nothing) when another caller holds the team.
  bool run(int active, TeamFn fn) {
    if (busy_.exchange(true, std::memory_order_acquire)) return false;
    fn_ = &fn;
    active_ = active;
    remaining_.store(active - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    t_in_region = true;
    fn(0, active);
    t_in_region = false;
    for (int spins = 0; remaining_.load(std::memory_order_acquire) != 0; ++spins) {
      cpu_relax();
      if (spins > 4096) std::this_thread::yield();  // a worker was descheduled: do not burn its core
    }
    busy_.store(false, std::memory_order_release);
    return true;
  }

 private:
  void worker(int tid) {
    t_in_region = true;
    uint32_t seen = 0;
    for (;;) {
      uint32_t g = generation_.load(std::memory_order_acquire);
      if (g == seen) {
        const auto start = std::chrono::steady_clock::now();
        for (int spins = 1; (g = generation_.load(std::memory_order_acquire)) == seen; ++spins) {
          cpu_relax();
          if (spins % 256 == 0 && std::chrono::steady_clock::now() - start > kSpin) {
            generation_.wait(seen, std::memory_order_acquire);
          }
        }
      }
      seen = g;
      if (stop_.load(std::memory_order_relaxed)) return;
      if (tid < active_) {
        (*fn_)(tid, active_);
        remaining_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  const int size_;
  std::vector<std::thread> threads_;
  alignas(64) std::atomic<uint32_t> generation_{0};
  alignas(64) std::atomic<int> remaining_{0};
  alignas(64) std::atomic<bool> busy_{false};
  std::atomic<bool> stop_{false};
  const TeamFn* fn_ = nullptr;
  int active_ = 1;
};

std::mutex g_team_mutex;  // guards replacing the team
std::unique_ptr<Team> g_team;
std::atomic<int> g_size{1};

}  // namespace

int num_threads() { return t_in_region ? 1 : g_size.load(std::memory_order_relaxed); }

int set_num_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  std::lock_guard<std::mutex> lock(g_team_mutex);
  if (n == g_size.load()) return n;
  g_size.store(1);
  g_team.reset();
  if (n > 1) g_team = std::make_unique<Team>(n);
  g_size.store(n);
  return n;
}

void parallel_run(int max_threads, TeamFn fn) {
  int active = std::min(num_threads(), max_threads);
  if (active > 1 && g_team && g_team->run(active, fn)) return;
  const bool outer = t_in_region;
  t_in_region = true;
  fn(0, 1);
  t_in_region = outer;
}

}  // namespace grokscope::kernels
