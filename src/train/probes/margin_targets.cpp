// The diagonal net's margin targets (see probes/margin_targets.h).
#include "margin_targets.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/metrics/kernel_distance.h"
#include "grokscope/data/chunks.h"
#include "grokscope/theory/max_margin.h"

namespace grokscope::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

template <class T>
MarginTargetsProbe<T>::MarginTargetsProbe(const ParamLayout& layout, int depth)
    : u_(layout.find("u")), v_(layout.find("v")), depth_(depth) {}

template <class T>
void MarginTargetsProbe<T>::build(const TaskData<T>& data) {
  const Dataset<T>& train = data.train;
  z_.resize(train.n, train.dim);
  for (int64_t i = 0; i < train.n; ++i)
    for (int j = 0; j < train.dim; ++j)
      z_(i, j) = train.labels[static_cast<size_t>(i)] *
                 static_cast<double>(train.dense[static_cast<size_t>(i * train.dim + j)]);
  try {
    const theory::MaxMargin l1 = theory::max_l1_margin(z_), l2 = theory::max_l2_margin(z_);
    w1_ = l1.weights;
    w2_ = l2.weights;
    gamma1_ = l1.margin;
    gamma2_ = l2.margin;
  } catch (const theory::MarginError&) {
    failed_ = true;   // not linearly separable: the columns stay NaN
    return;
  }
  // Test accuracies of w*_1 and w*_2, ties 1/2.
  double right1 = 0.0, right2 = 0.0;
  const int64_t rows = std::max<int64_t>(1, (int64_t{1} << 22) / std::max(data.test.dim, 1));   // 4M values
  for_each_chunk(data.test, rows, [&](int64_t, const InputBatch<T>& x, const int32_t* labels) {
    for (int64_t i = 0; i < x.n; ++i) {
      double s1 = 0.0, s2 = 0.0;
      for (int j = 0; j < x.dim; ++j) {
        const double v = static_cast<double>(x.dense[i * x.dim + j]);
        s1 += v * w1_[j];
        s2 += v * w2_[j];
      }
      right1 += (labels[i] * s1 > 0) ? 1.0 : (s1 == 0.0 ? 0.5 : 0.0);
      right2 += (labels[i] * s2 > 0) ? 1.0 : (s2 == 0.0 ? 0.5 : 0.0);
    }
  });
  acc1_ = data.test.n > 0 ? right1 / static_cast<double>(data.test.n) : kNaN;
  acc2_ = data.test.n > 0 ? right2 / static_cast<double>(data.test.n) : kNaN;
}

template <class T>
void MarginTargetsProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  if (!built_) {
    built_ = true;
    build(ctx.data);
  }
  if (failed_) {
    std::fill(out, out + 6, kNaN);
    return;
  }
  Eigen::VectorXd w(u_->size());
  for (int64_t i = 0; i < u_->size(); ++i)
    w[i] = std::pow(double(ctx.params[u_->offset + i]), depth_) - std::pow(double(ctx.params[v_->offset + i]), depth_);
  const double worst = w.size() > 0 ? (z_ * w).minCoeff() : kNaN;
  const double l1 = w.lpNorm<1>(), l2 = w.norm();
  out[0] = metrics::cosine_similarity(w.data(), w1_.data(), w.size());
  out[1] = metrics::cosine_similarity(w.data(), w2_.data(), w.size());
  out[2] = l1 > 0.0 ? worst / l1 / gamma1_ : kNaN;
  out[3] = l2 > 0.0 ? worst / l2 / gamma2_ : kNaN;
  out[4] = acc1_;
  out[5] = acc2_;
}

template class MarginTargetsProbe<float>;
template class MarginTargetsProbe<double>;

}  // namespace grokscope::detail
