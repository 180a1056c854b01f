// Shared by the kernel operation-table tests: f64 reference values cast to the kernel's type, and an element-wise
// comparison with a relative-plus-absolute tolerance.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace grokscope::test {

template <class T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// |got[i] - want[i]| <= tol (1 + |want[i]|) for every i.
template <class T>
void expect_near(const std::vector<T>& got, const std::vector<double>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(static_cast<double>(got[i]), want[i], tol * (1 + std::abs(want[i]))) << what << " [" << i << "]";
}

}  // namespace grokscope::test
