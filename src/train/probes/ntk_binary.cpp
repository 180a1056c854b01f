// The kernel-predictor probe for binary classification (see probes/ntk_binary.h).
#include "ntk_binary.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/data/chunks.h"
#include "grokscope/theory/model_objective.h"

namespace grokscope::detail {

namespace {

constexpr int64_t kCacheValues = int64_t{1} << 26;   // keep a generated test set of up to 64M input values
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Fraction of rows with a_i b_i > 0, counting a_i b_i = 0 as 1/2 (Lyu's tie rule for accuracy).
double sign_agreement(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  double s = 0.0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    const double p = a[i] * b[i];
    s += p > 0.0 ? 1.0 : (p == 0.0 ? 0.5 : 0.0);
  }
  return a.size() > 0 ? s / static_cast<double>(a.size()) : kNaN;
}

}  // namespace

template <class T>
NtkBinaryProbe<T>::NtkBinaryProbe(const Model<T>& model, const TaskData<T>& data) : model_(model), test_(&data.test) {
  if (data.test.generated() && data.test.n * data.test.dim <= kCacheValues) {
    cached_ = theory::materialize(data.test, 1, TargetKind::binary);
    test_ = &cached_;
  }
  const int64_t rows = std::max<int64_t>(test_->n, 1);
  chunk_ = test_->generated() ? std::clamp<int64_t>((int64_t{1} << 24) / std::max(test_->dim, 1), 1, rows) : rows;
  ws_ = model.make_workspace(chunk_);
}

template <class T>
Eigen::VectorXd NtkBinaryProbe<T>::outputs(const T* params) {
  Eigen::VectorXd f(test_->n);
  for_each_chunk(*test_, chunk_, [&](int64_t first, const InputBatch<T>& x, const int32_t*) {
    const T* y = model_.forward(params, x, *ws_);
    for (int64_t i = 0; i < x.n; ++i) f[first + i] = static_cast<double>(y[i]);
  });
  return f;
}

template <class T>
void NtkBinaryProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  if (!built_) {
    built_ = true;
    try {
      const theory::KernelClassifier<T> kc(model_, ctx.params_init, ctx.data.train);
      ntk_test_ = kc.predict(*test_);
      margin_ = kc.margin();
      support_ = static_cast<double>(kc.support());
    } catch (const theory::MarginError&) {
      failed_ = true;   // not separable in the NTK features: the columns stay NaN
    }
    if (!failed_) {
      f0_test_ = outputs(ctx.params_init);
      Eigen::VectorXd y(test_->n);
      for_each_chunk(*test_, chunk_, [&](int64_t first, const InputBatch<T>& x, const int32_t* labels) {
        for (int64_t i = 0; i < x.n; ++i) y[first + i] = labels[i];
      });
      acc_ = sign_agreement(ntk_test_, y);
    }
  }
  if (failed_) {
    std::fill(out, out + 5, kNaN);
    return;
  }
  const Eigen::VectorXd f = outputs(ctx.params);
  const Eigen::VectorXd moved = f - f0_test_;
  const double denom = moved.norm() * ntk_test_.norm();
  out[0] = sign_agreement(f, ntk_test_);
  out[1] = denom > 0.0 ? moved.dot(ntk_test_) / denom : kNaN;
  out[2] = acc_;
  out[3] = margin_;
  out[4] = support_;
}

template class NtkBinaryProbe<float>;
template class NtkBinaryProbe<double>;

}  // namespace grokscope::detail
