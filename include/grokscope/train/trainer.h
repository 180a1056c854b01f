// The engine's entry point: train one run described by a RunConfig, reporting to an observer.
// Front ends (CLI, sweeps, bindings) call only this. Bad configs throw ConfigError before any training;
// a diverging run is not an error but a summary with status `diverged`.
#pragma once

#include "grokscope/train/config.h"
#include "grokscope/core/run.h"

namespace grokscope {

RunSummary train(const RunConfig& config, RunObserver& observer);

}  // namespace grokscope
