#!/usr/bin/env bash
# The grokscope benchmark, one command (after scripts/install-deps.sh bench; `make bench` does both):
#   1. builds grokscope with GROKSCOPE_BUILD_BENCH=ON in its own build directory (build-bench-run/),
#   2. measures the machine's sgemm rate through grokscope's GEMM seam (grokscope_gemm_peak),
#   3. runs the Google Benchmark micro-benchmarks of the step's kernels (grokscope_micro),
#   4. runs the end-to-end comparison with PyTorch (bench/compare.py): Lyu setup at widths 128/512/1024, the demo
#      configuration to t_gen, a diagonal-net and a matrix-completion setup,
#   5. measures sweep throughput with 1 worker and with all cores (bench/sweep_scaling.sh),
#   6. compares OpenBLAS with BLIS on the step's GEMM shapes (grokscope_blas_compare; when libblis-dev is installed).
# Writes bench/results/ (gemm_peak.json, micro.txt, blas_compare.txt, bench-<date>.{txt,json}, latest.txt) and the table block of
# docs/performance.md. Takes about 10-15 minutes on a 2-core machine. Environment: BENCH_BUILD_DIR (build folder),
# BENCH_REPEATS (repeats per measurement, default 2), BENCH_ONLY (subset, e.g. "lyu1024,demo"), BENCH_SKIP_MICRO=1,
# BENCH_SKIP_SWEEP=1, BENCH_SKIP_BLIS=1, BENCH_NO_BUILD=1 (use the
# binaries already in the build folder),
# BENCH_TORCH_CORETYPE (OPENBLAS_CORETYPE for the PyTorch side), BENCH_DEMO_THREADS (grokscope train.threads of the
# demo run; default all cores). OPENBLAS_CORETYPE, if set, applies to both sides.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BENCH_BUILD_DIR:-build-bench-run}"
results=bench/results
mkdir -p "$results"

# Puts a table file into docs/performance.md between its <!-- NAME:begin --> and <!-- NAME:end --> markers.
update_doc_block() {
  /usr/bin/python3 - "$1" "$2" "$3" docs/performance.md <<'PY'
import re, sys
name, table, what, doc = sys.argv[1], open(sys.argv[2]).read().strip(), sys.argv[3], sys.argv[4]
text = open(doc).read()
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
block = begin + "\n```\n" + table + "\n```\n" + end
if begin in text:
    text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda m: block, text, flags=re.S)
    open(doc, "w").write(text)
    print(f"updated {doc} ({what})", file=sys.stderr)
PY
}

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "== build ($build)" >&2
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGROKSCOPE_BUILD_BENCH=ON > /dev/null
  cmake --build "$build" -j "$(nproc)" --target grokscope_cli grokscope_micro grokscope_gemm_peak > "$results/build.log"
  if cmake --build "$build" --target help | grep -q grokscope_blas_compare; then
    cmake --build "$build" -j "$(nproc)" --target grokscope_blas_compare >> "$results/build.log"
  fi
fi

echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== sgemm peak" >&2
"$build/bench/grokscope_gemm_peak" "$(nproc)" > "$results/gemm_peak.json"
cat "$results/gemm_peak.json" >&2

if [ "${BENCH_SKIP_MICRO:-0}" != 1 ]; then
  echo "== micro-benchmarks" >&2
  "$build/bench/grokscope_micro" --benchmark_min_time=0.05 | tee "$results/micro.txt" >&2
fi

echo "== end-to-end comparison with PyTorch" >&2
args=(--grokscope "$build/grokscope" --peak "$results/gemm_peak.json" --work "$build/bench-runs"
      --repeats "${BENCH_REPEATS:-2}")
[ -n "${BENCH_ONLY:-}" ] && args+=(--only "$BENCH_ONLY")
[ -n "${BENCH_TORCH_CORETYPE:-}" ] && args+=(--torch-coretype "$BENCH_TORCH_CORETYPE")
[ -n "${BENCH_DEMO_THREADS:-}" ] && args+=(--demo-threads "$BENCH_DEMO_THREADS")
/usr/bin/python3 bench/compare.py "${args[@]}" | tee "$results/table.txt"

if [ "${BENCH_SKIP_SWEEP:-0}" != 1 ]; then
  echo "== sweep throughput, 1 worker vs all cores" >&2
  bash bench/sweep_scaling.sh "$build/grokscope" "$results/sweep_scaling.txt"
  update_doc_block sweep "$results/sweep_scaling.txt" "sweep table"
fi

if [ "${BENCH_SKIP_BLIS:-0}" != 1 ] && [ -x "$build/bench/grokscope_blas_compare" ]; then
  echo "== OpenBLAS vs BLIS on the step's GEMM shapes (1 thread)" >&2
  { echo "date $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git describe --always --dirty 2>/dev/null || echo unknown)," \
         "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
    "$build/bench/grokscope_blas_compare"; } | tee "$results/blas_compare.txt" >&2
  update_doc_block blas "$results/blas_compare.txt" "BLAS comparison"
fi
