// The probes a run computes at each evaluation, chosen from the config and the model (see train/probe.h).
#pragma once

#include <memory>
#include <vector>

#include "grokscope/train/config.h"
#include "grokscope/train/probe.h"

namespace grokscope {

// Names accepted in eval.probes (besides "default" = every probe that applies, and "none").
const std::vector<std::string>& probe_names();

template <class T>
std::vector<std::unique_ptr<Probe<T>>> make_probes(const RunConfig& config, const Model<T>& model,
                                                   const TaskData<T>& data);

}  // namespace grokscope
