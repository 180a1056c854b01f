// The symmetric group S_5, the data of Power et al.'s permutation tasks (papers.md §4.1: x*y, x*y*x^-1, x*y*x on S5).
// Element k in [0, 120) is the k-th permutation of (0, 1, 2, 3, 4) in lexicographic order of its one-line form
// (s(0), s(1), s(2), s(3), s(4)): element 0 is the identity, 1 is (0 1 2 4 3), 119 is (4 3 2 1 0). This is the order
// of Python's itertools.permutations(range(5)), the order of Power's code (openai/grok, grok/data.py).
// Products follow Power's code and sympy's Permutation: x * y applies x first, then y, (x * y)(i) = y(x(i)) (their
// "s5" op computes c = b[a] with numpy arrays, i.e. c[i] = b[a[i]]; "s5conj" and "s5aba" use sympy's a * b).
#pragma once

#include <array>
#include <cstdint>

namespace grokscope::s5 {

constexpr int kDegree = 5;
constexpr int kOrder = 120;
using Perm = std::array<int, kDegree>;   // one-line form: p[i] = s(i)

Perm element(int index);                 // index in [0, 120)
int index_of(const Perm& p);             // the inverse of element (p must be a permutation of 0..4)
int identity();                          // 0
int compose(int x, int y);               // x * y: i -> y(x(i))
int inverse(int x);

}  // namespace grokscope::s5
