// Counting replacement of the global allocation functions for the test_optim executable, used by
// make_optimizer_test.cpp to prove that Optimizer::step never allocates. libstdc++'s array, sized and nothrow forms
// forward to these. Kept in its own translation unit so that no inlined caller mixes them with the library default
// (GCC's -Wmismatched-new-delete). Contains no tests.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

int64_t grokscope_test_allocation_count() { return g_allocations.load(std::memory_order_relaxed); }

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
