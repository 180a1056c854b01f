// Peak memory of a run, estimated from its resolved config before anything is allocated, and the guards built on it:
// a run (or a sweep's runs at once) that cannot fit is refused with one line naming the keys that drive its size,
// and an allocation that fails anyway becomes a MemoryError naming the phase instead of a bare std::bad_alloc.
// The estimate adds up the data and the split (with the copies written to split.npz), the flat parameter buffers
// (parameters, initial and last-good copies, gradients, per-thread gradient scratch, optimizer state, exports),
// the activations of a training batch and of an evaluation chunk, the probes' workspaces, and the process baseline
// (code, libraries, BLAS buffers). It is a budget, not an accounting of every byte: tests/cli keeps it within 2x of
// the measured peak RSS on the zoo configs. What it does not do: measure anything (peak_rss_bytes does), or cover
// the theory instruments (`grokscope theory`), whose memory is their (small) model's.
#pragma once

#include <cstdint>
#include <functional>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "grokscope/core/run.h"
#include "grokscope/core/run_config.h"

namespace grokscope {

struct MemoryPart {
  std::string name;               // "data", "parameters", "activations", "probes", "baseline"
  int64_t bytes = 0;
  // The config keys that drive it, most important first, with their values as written in messages ("" for none).
  std::vector<std::pair<std::string, std::string>> keys;
};

struct MemoryEstimate {
  int64_t total = 0;
  std::vector<MemoryPart> parts;
  const MemoryPart& largest() const;   // the largest part other than the baseline
};

// The estimate of a validated config. Never allocates in proportion to the run (sizes are computed, not built);
// counts saturate at INT64_MAX instead of overflowing.
MemoryEstimate estimate_memory(const RunConfig& config);

// A size in bytes from text: an integer, optionally with a unit K, M, G or T (powers of 1024; "8G", "8GB" and
// "8GiB" all mean 8 * 2^30; decimals allowed: "1.5G"). Throws ConfigError(key, text) when it is not one.
int64_t parse_memory_size(const std::string& key, const std::string& text);
// "1.2 GiB", "512 MiB", "3.4 KiB", "12 B".
std::string format_bytes(int64_t bytes);

// Memory this process may still use: MemAvailable of /proc/meminfo, lowered to the cgroup's memory.max minus its
// memory.current when the process runs under a cgroup limit. nullopt when neither can be read.
std::optional<int64_t> available_memory();
// The most memory this machine (or the cgroup) can ever give: MemTotal, or the cgroup's memory.max when lower.
std::optional<int64_t> total_memory();
// Peak resident set size of this process so far (getrusage), in bytes.
int64_t peak_rss_bytes();

// Refuses a run whose estimate exceeds the limit: train.max_memory when set, else `fallback_limit` (nullopt: no
// check), described as `fallback_label` (e.g. "--max-memory = 8G"; empty: the memory this machine has available).
// Throws ConfigError whose key and value are those of the largest part's first driving key, with the estimate, the
// other driving keys and the limit in the reason. `runs_at_once` > 1 (a sweep's workers) multiplies the estimate.
void check_memory(const RunConfig& config, const MemoryEstimate& estimate, std::optional<int64_t> fallback_limit,
                  int runs_at_once = 1, const std::string& fallback_label = "");

// An allocation that failed although the run was admitted: what() is one line naming the phase and the estimate.
class MemoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs body(guarded), where `guarded` forwards everything to observer and:
//  - tracks the phase of the run (setting up: data, model, optimizer state, probes until on_start; writing the
//    start files; training; writing the final outputs), so that a std::bad_alloc (or std::length_error) thrown
//    inside becomes a MemoryError "out of memory while <phase> (the run was estimated at <total>, ...)";
//  - fills RunSummary::memory_estimate and peak_rss before forwarding on_finish (and in the returned summary).
RunSummary run_with_memory_guard(const MemoryEstimate& estimate, RunObserver& observer,
                                 const std::function<RunSummary(RunObserver&)>& body);
std::string out_of_memory_message(const MemoryEstimate& estimate, const std::string& phase);

}  // namespace grokscope
