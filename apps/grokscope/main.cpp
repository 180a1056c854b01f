// grokscope command-line front end. All training logic lives in the library; this file only dispatches.
// Exit codes: 0 success, 1 the run failed (diverged or an internal error), 2 bad input (config, flags, --out).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "commands.h"
#include "grokscope/core/error.h"
#include "grokscope/core/version.h"
#include "grokscope/kernels/blas.h"
#include "grokscope/train/memory_estimate.h"

namespace {
// OpenBLAS chooses its kernels when the library loads, from OPENBLAS_CORETYPE or the CPU model. On a machine whose
// model it does not know (a VM's "Intel Xeon Processor") it falls back to generic SSE3 kernels; then run this
// program again with the core type the CPU's features call for (kernels/blas.h). Nothing else differs: same
// process arguments, same environment plus OPENBLAS_CORETYPE (set it yourself to choose, e.g. to Prescott).
void use_the_cpus_blas_kernels(char** argv) {
  if (const char* chosen = std::getenv("OPENBLAS_CORETYPE"); chosen && *chosen) return;   // empty means unset
  const std::string core = grokscope::kernels::preferred_blas_core();
  if (core.empty()) return;
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  execv("/proc/self/exe", argv);   // returns only on failure: go on with the generic kernels
}
}  // namespace

int main(int argc, char** argv) {
  use_the_cpus_blas_kernels(argv);
  CLI::App app{"grokscope: a laboratory for grokking (the delay between fitting and generalizing)", "grokscope"};
  app.set_version_flag("--version", std::string("grokscope ") + grokscope::version() + " (" +
                                        grokscope::git_describe() + ")");
  app.require_subcommand(1);
  auto train = grokscope::cli::add_train_command(app);
  auto sweep = grokscope::cli::add_sweep_command(app);
  auto plot = grokscope::cli::add_plot_command(app);
  auto reproduce = grokscope::cli::add_reproduce_command(app);
  auto theory = grokscope::cli::add_theory_command(app);
  auto columns = grokscope::cli::add_columns_command(app);
  // An unknown command gets its own one-line error (CLI11 would only say that a subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const auto* sub : app.get_subcommands({})) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->get_name() == argv[1];
    }
    if (!found) {
      std::fprintf(stderr, "grokscope: error: %s: unknown command (known: %s)\n", argv[1], known.c_str());
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    for (auto* sub : app.get_subcommands()) {
      if (sub->get_name() == "train") return train();
      if (sub->get_name() == "sweep") return sweep();
      if (sub->get_name() == "plot") return plot();
      if (sub->get_name() == "reproduce") return reproduce();
      if (sub->get_name() == "theory") return theory();
      if (sub->get_name() == "columns") return columns();
    }
  } catch (const grokscope::ConfigError& e) {
    std::fprintf(stderr, "grokscope: error: %s\n", e.what());
    return 2;
  } catch (const grokscope::IoError& e) {
    std::fprintf(stderr, "grokscope: error: %s\n", e.what());
    return 2;
  } catch (const grokscope::MemoryError& e) {   // at setup, before anything was written
    std::fprintf(stderr, "grokscope: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "grokscope: internal error: %s\n", e.what());
    return 1;
  }
  return 2;
}
