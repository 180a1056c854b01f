// S_5 in lexicographic order (data/permutations.h): the Lehmer code of a permutation is its lexicographic rank.
#include "grokscope/data/permutations.h"

#include "grokscope/core/error.h"

namespace grokscope::s5 {

namespace {
constexpr std::array<int, kDegree> kFactorial = {24, 6, 2, 1, 1};   // (4 - i)!
}  // namespace

Perm element(int index) {
  GS_CHECK(index >= 0 && index < kOrder);
  std::array<bool, kDegree> used{};
  Perm p{};
  for (int i = 0; i < kDegree; ++i) {
    int rank = index / kFactorial[static_cast<size_t>(i)];
    index %= kFactorial[static_cast<size_t>(i)];
    for (int v = 0; v < kDegree; ++v) {
      if (used[static_cast<size_t>(v)]) continue;
      if (rank-- == 0) {
        p[static_cast<size_t>(i)] = v;
        used[static_cast<size_t>(v)] = true;
        break;
      }
    }
  }
  return p;
}

int index_of(const Perm& p) {
  int index = 0;
  std::array<bool, kDegree> seen{};
  for (int i = 0; i < kDegree; ++i) {
    const int v = p[static_cast<size_t>(i)];
    GS_CHECK(v >= 0 && v < kDegree && !seen[static_cast<size_t>(v)]);
    int smaller_unused = 0;
    for (int u = 0; u < v; ++u) smaller_unused += seen[static_cast<size_t>(u)] ? 0 : 1;
    index += smaller_unused * kFactorial[static_cast<size_t>(i)];
    seen[static_cast<size_t>(v)] = true;
  }
  return index;
}

int identity() { return 0; }

int compose(int x, int y) {
  const Perm a = element(x), b = element(y);
  Perm c{};
  for (size_t i = 0; i < kDegree; ++i) c[i] = b[static_cast<size_t>(a[i])];   // c = b[a]
  return index_of(c);
}

int inverse(int x) {
  const Perm a = element(x);
  Perm inv{};
  for (size_t i = 0; i < kDegree; ++i) inv[static_cast<size_t>(a[i])] = static_cast<int>(i);
  return index_of(inv);
}

}  // namespace grokscope::s5
