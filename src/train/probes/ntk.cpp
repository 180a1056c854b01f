// The kernel-predictor probe (see probes/ntk.h).
#include "ntk.h"

#include <cmath>

namespace grokscope::detail {

template <class T>
void NtkProbe<T>::measure(const ProbeContext<T>& ctx, double* out) {
  if (!predictor_) {
    predictor_ = std::make_unique<theory::KernelPredictor<T>>(ctx.model, ctx.params_init, ctx.data.train);
    f0_test_ = predictor_->network(ctx.params_init, ctx.data.test);
    ntk_test_ = predictor_->predict(ctx.data.test);
    const auto& y = ctx.data.test.targets;
    double sq = 0.0;
    for (Eigen::Index i = 0; i < ntk_test_.rows(); ++i)
      for (Eigen::Index k = 0; k < ntk_test_.cols(); ++k) {
        const double d = ntk_test_(i, k) - static_cast<double>(y[static_cast<size_t>(i * ntk_test_.cols() + k)]);
        sq += d * d;
      }
    ntk_loss_ = ntk_test_.size() > 0 ? sq / static_cast<double>(ntk_test_.size()) : std::nan("");
  }
  const Eigen::MatrixXd f = predictor_->network(ctx.params, ctx.data.test);
  const Eigen::MatrixXd moved = f - f0_test_, target = ntk_test_ - f0_test_;
  const double denom = moved.norm() * target.norm();
  out[0] = denom > 0.0 ? moved.cwiseProduct(target).sum() / denom : std::nan("");
  out[1] = ntk_test_.norm() > 0.0 ? (f - ntk_test_).norm() / ntk_test_.norm() : std::nan("");
  out[2] = ntk_loss_;
}

template class NtkProbe<float>;
template class NtkProbe<double>;

}  // namespace grokscope::detail
