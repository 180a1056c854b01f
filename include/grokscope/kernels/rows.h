// Row kernels of the compute seam: the element-wise and row-wise loops the models run around their GEMMs. A future
// GPU backend implements these same operations; tests/kernels/rows_test.cpp checks each against an f64 reference on
// odd shapes (the operation table). Header-inline so that the CPU versions compile into their callers' loops.
//
//   gather_token_rows   out[i] = sum_t table[tokens[i, t]] (+ bias): a one-hot (or multi-hot) product as a gather
//   scatter_token_rows  table_grad[tokens[i, t]] += delta[i] for every t: the gather's gradient, rows in order
//   add_bias_rows       z[i] += bias
//   add_column_sums     out += sum_i m[i], rows in order
//   dot_lanes, axpy_row one row's dot product (8 fixed lanes: vectorized, same bits wherever the rows lie) and axpy
// Matrices are row-major; `width` is the row length. Every kernel processes rows in increasing order, so results
// are deterministic for given inputs.
#pragma once

#include <cstdint>
#include <cstring>

namespace grokscope::kernels {

// requires: tokens has rows * tokens_per_row entries in [0, rows of table); tokens_per_row >= 1; out does not
// overlap table or bias. ensures: out (rows x width) is the sum of the rows' table rows plus bias (when not null),
// added in token order ((a + b) + bias for two tokens).
template <class T>
void gather_token_rows(const T* table, int width, const int32_t* tokens, int tokens_per_row, int64_t rows,
                       const T* bias, T* out) {
  for (int64_t i = 0; i < rows; ++i) {
    T* __restrict row = out + i * width;
    const int32_t* tok = tokens + i * tokens_per_row;
    const T* __restrict a = table + static_cast<int64_t>(tok[0]) * width;
    if (tokens_per_row == 2) {
      const T* __restrict b = table + static_cast<int64_t>(tok[1]) * width;
      if (bias)
        for (int j = 0; j < width; ++j) row[j] = (a[j] + b[j]) + bias[j];
      else
        for (int j = 0; j < width; ++j) row[j] = a[j] + b[j];
      continue;
    }
    std::memcpy(row, a, sizeof(T) * static_cast<size_t>(width));
    for (int t = 1; t < tokens_per_row; ++t) {
      const T* __restrict src = table + static_cast<int64_t>(tok[t]) * width;
      for (int j = 0; j < width; ++j) row[j] += src[j];
    }
    if (bias)
      for (int j = 0; j < width; ++j) row[j] += bias[j];
  }
}

// requires: as gather_token_rows; delta (rows x width) does not overlap table_grad. ensures: each row of delta is
// added to the table_grad row of each of its tokens, rows in order, tokens in order.
template <class T>
void scatter_token_rows(const T* delta, int width, const int32_t* tokens, int tokens_per_row, int64_t rows,
                        T* table_grad) {
  for (int64_t i = 0; i < rows; ++i) {
    const T* __restrict src = delta + i * width;
    const int32_t* tok = tokens + i * tokens_per_row;
    for (int t = 0; t < tokens_per_row; ++t) {
      T* __restrict dst = table_grad + static_cast<int64_t>(tok[t]) * width;
      for (int j = 0; j < width; ++j) dst[j] += src[j];
    }
  }
}

// sum_c a[c] b[c] in 8 interleaved partial sums (lane c mod 8), added in lane order at the end: a fixed order that
// the compiler can vectorize without -ffast-math.
template <class T>
inline T dot_lanes(const T* __restrict a, const T* __restrict b, int n) {
  T acc[8] = {};
  int c = 0;
  for (; c + 8 <= n; c += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[c + l] * b[c + l];
  T sum = 0;
  for (int l = 0; l < 8; ++l) sum += acc[l];
  for (; c < n; ++c) sum += a[c] * b[c];
  return sum;
}

// y[0, n) += alpha x[0, n); x and y do not overlap.
template <class T>
inline void axpy_row(int n, T alpha, const T* __restrict x, T* __restrict y) {
  for (int c = 0; c < n; ++c) y[c] += alpha * x[c];
}

// z (n x width) += bias (width) on every row.
template <class T>
void add_bias_rows(T* z, const T* bias, int64_t n, int width) {
  for (int64_t i = 0; i < n; ++i) {
    T* row = z + i * width;
    for (int j = 0; j < width; ++j) row[j] += bias[j];
  }
}

// out (width) += sum_i m[i], rows in order.
template <class T>
void add_column_sums(const T* m, int64_t n, int width, T* out) {
  for (int64_t i = 0; i < n; ++i) {
    const T* row = m + i * width;
    for (int j = 0; j < width; ++j) out[j] += row[j];
  }
}

}  // namespace grokscope::kernels
