// LY-4's direct margin verdicts (Lyu et al. §2.4, Cor. 3.6 / 3.7; probe margin_targets): the diagonal net's effective
// linear map w = u^L - v^L is compared with the two classifiers the theory names, computed from the training rows at
// the first evaluation: the max-L2-margin classifier w*_L2 (the kernel phase's implicit bias) and the max-L1-margin
// classifier w*_L1 (the rich phase's). The sparsity ratio and cos(w, w*) with the teacher (the other LY-4 verdicts)
// only say that w ends sparse and right; these say which margin problem w solves in each phase.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

std::vector<Verdict> ly4_margin_verdicts(const std::vector<double>& step, const std::vector<double>& cos_l2,
                                         const std::vector<double>& cos_l1, double t_fit, double t_star,
                                         double kernel_until, double min_cos_l2, double min_cos_l1,
                                         const std::string& tag) {
  std::vector<Verdict> out;
  const size_t n = std::min({step.size(), cos_l2.size(), cos_l1.size()});
  // Kernel phase: the evaluations in [t_fit, kernel_until x t*]; its best alignment with w*_L2.
  double best = kNaN, best_step = kNaN;
  for (size_t i = 0; i < n; ++i)
    if (step[i] >= t_fit && step[i] <= kernel_until * t_star && std::isfinite(cos_l2[i]) &&
        !(cos_l2[i] <= best))
      best = cos_l2[i], best_step = step[i];
  out.push_back(Verdict{"kernel_l2_margin" + tag,
                        fmt::format("kernel phase: w is the max-L2-margin classifier, cos(w, w*_L2) >= {} at some "
                                    "evaluation in [t_fit, {} t*]",
                                    num(min_cos_l2), num(kernel_until)),
                        fmt::format("largest cos(w, w*_L2) = {} at step {} (t_fit {}, t* {})", num(best),
                                    num(best_step), num(t_fit), num(t_star)),
                        best >= min_cos_l2, best, min_cos_l2});
  const double end_l1 = n ? cos_l1[n - 1] : kNaN, end_l2 = n ? cos_l2[n - 1] : kNaN;
  out.push_back(Verdict{"rich_l1_margin" + tag,
                        fmt::format("after the transition w is the max-L1-margin classifier: final cos(w, w*_L1) >= {}",
                                    num(min_cos_l1)),
                        fmt::format("final cos(w, w*_L1) = {} (cos(w, w*_L2) = {})", num(end_l1), num(end_l2)),
                        end_l1 >= min_cos_l1, end_l1, min_cos_l1});
  return out;
}

}  // namespace grokscope::reproduce
