// Probe selection.
#include "grokscope/train/probes.h"

namespace grokscope {

template <class T>
std::vector<std::unique_ptr<Probe<T>>> make_probes(const RunConfig& config, const Model<T>& model,
                                                   const TaskData<T>& data) {
  std::vector<std::unique_ptr<Probe<T>>> probes;
  return probes;
}

template std::vector<std::unique_ptr<Probe<float>>> make_probes<float>(const RunConfig&, const Model<float>&,
                                                                       const TaskData<float>&);
template std::vector<std::unique_ptr<Probe<double>>> make_probes<double>(const RunConfig&, const Model<double>&,
                                                                         const TaskData<double>&);

}  // namespace grokscope
