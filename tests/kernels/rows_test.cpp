// The operation table of the row kernels (kernels/rows.h; dot_lanes and axpy_row included): each kernel in f32 and
// f64 against a plain f64 reference on odd shapes (width 1, 3, 7, 33, 130; 1, 2, 3 and 5 tokens per row; repeated tokens), to round-off. This is the
// table a GPU backend's kernels will be checked against.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "grokscope/kernels/rows.h"
#include "op_table_util.h"

namespace gk = grokscope::kernels;

namespace {

using grokscope::test::cast;
using grokscope::test::expect_near;

struct Shape {
  int64_t rows;
  int width, tokens_per_row, table_rows;
};
const Shape kShapes[] = {{1, 1, 1, 1}, {5, 3, 2, 4}, {17, 7, 3, 5}, {64, 33, 2, 97}, {9, 130, 5, 3}};

std::vector<double> random_values(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

std::vector<int32_t> random_tokens(const Shape& s, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> u(0, s.table_rows - 1);
  std::vector<int32_t> t(static_cast<size_t>(s.rows * s.tokens_per_row));
  for (auto& x : t) x = u(rng);
  if (t.size() >= 2) t[1] = t[0];   // a repeated token within a row
  return t;
}

template <class T>
void check_all(double tol) {
  unsigned seed = 1;
  for (const Shape& s : kShapes) {
    const auto table = random_values(static_cast<size_t>(s.table_rows * s.width), seed++);
    const auto bias = random_values(static_cast<size_t>(s.width), seed++);
    const auto delta = random_values(static_cast<size_t>(s.rows * s.width), seed++);
    const auto tokens = random_tokens(s, seed++);
    const size_t n = static_cast<size_t>(s.rows * s.width);
    const auto at = [&](int64_t i, int t) { return static_cast<int64_t>(tokens[static_cast<size_t>(i * s.tokens_per_row + t)]); };

    for (bool with_bias : {false, true}) {   // gather, with and without bias
      std::vector<double> want(n, 0.0);
      for (int64_t i = 0; i < s.rows; ++i)
        for (int j = 0; j < s.width; ++j) {
          double v = 0;
          for (int t = 0; t < s.tokens_per_row; ++t) v += table[static_cast<size_t>(at(i, t) * s.width + j)];
          want[static_cast<size_t>(i * s.width + j)] = v + (with_bias ? bias[static_cast<size_t>(j)] : 0.0);
        }
      const auto tt = cast<T>(table), bb = cast<T>(bias);
      std::vector<T> out(n, T(-7));
      gk::gather_token_rows(tt.data(), s.width, tokens.data(), s.tokens_per_row, s.rows,
                            with_bias ? bb.data() : nullptr, out.data());
      expect_near(out, want, tol, with_bias ? "gather_token_rows+bias" : "gather_token_rows");
    }
    {   // scatter-add into a nonzero table
      std::vector<double> want = table;
      for (int64_t i = 0; i < s.rows; ++i)
        for (int t = 0; t < s.tokens_per_row; ++t)
          for (int j = 0; j < s.width; ++j)
            want[static_cast<size_t>(at(i, t) * s.width + j)] += delta[static_cast<size_t>(i * s.width + j)];
      auto grad = cast<T>(table);
      const auto dd = cast<T>(delta);
      gk::scatter_token_rows(dd.data(), s.width, tokens.data(), s.tokens_per_row, s.rows, grad.data());
      expect_near(grad, want, tol * static_cast<double>(s.rows), "scatter_token_rows");
    }
    {   // bias rows and column sums
      std::vector<double> want_z = delta, want_sum = bias;
      for (int64_t i = 0; i < s.rows; ++i)
        for (int j = 0; j < s.width; ++j) {
          want_z[static_cast<size_t>(i * s.width + j)] += bias[static_cast<size_t>(j)];
          want_sum[static_cast<size_t>(j)] += delta[static_cast<size_t>(i * s.width + j)];
        }
      auto z = cast<T>(delta);
      const auto bb = cast<T>(bias), dd = cast<T>(delta);
      gk::add_bias_rows(z.data(), bb.data(), s.rows, s.width);
      expect_near(z, want_z, tol, "add_bias_rows");
      auto sum = cast<T>(bias);
      gk::add_column_sums(dd.data(), s.rows, s.width, sum.data());
      expect_near(sum, want_sum, tol * static_cast<double>(s.rows), "add_column_sums");
    }
    {   // one row's dot product (8 lanes, then the tail) and axpy, on each row of delta against the bias row
      const auto dd = cast<T>(delta), bb = cast<T>(bias);
      for (int64_t i = 0; i < s.rows; ++i) {
        const size_t r0 = static_cast<size_t>(i * s.width);
        double want = 0;
        for (int j = 0; j < s.width; ++j) want += delta[r0 + static_cast<size_t>(j)] * bias[static_cast<size_t>(j)];
        const std::vector<T> got{gk::dot_lanes(dd.data() + r0, bb.data(), s.width)};
        expect_near(got, std::vector<double>{want}, tol * s.width, "dot_lanes");
      }
      std::vector<double> want_y = bias;
      for (int j = 0; j < s.width; ++j) want_y[static_cast<size_t>(j)] += -1.5 * delta[static_cast<size_t>(j)];
      auto y = cast<T>(bias);
      gk::axpy_row(s.width, T(-1.5), dd.data(), y.data());
      expect_near(y, want_y, tol, "axpy_row");
    }
  }
}

}  // namespace

TEST(RowKernels, MatchTheF64ReferenceOnOddShapesInDouble) { check_all<double>(1e-13); }
TEST(RowKernels, MatchTheF64ReferenceOnOddShapesInFloat) { check_all<float>(2e-6); }
