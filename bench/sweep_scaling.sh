#!/usr/bin/env bash
# Sweep throughput (issue 7, second table): runs per hour of the 8-run grid configs/sweeps/throughput8.toml with one
# worker and with all cores, and the scaling efficiency. Part of `make bench` (bench/run.sh), or alone:
#   bash bench/sweep_scaling.sh [GROKSCOPE_BINARY] [OUT_FILE]
# Each sweep runs from scratch (--force) into a scratch folder under the build directory; the table goes to stdout
# and to OUT_FILE (default bench/results/sweep_scaling.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build-bench-run/grokscope}"
out_file="${2:-bench/results/sweep_scaling.txt}"
work="$(dirname "$bin")/bench-sweeps"
cores="$(nproc)"
mkdir -p "$work" "$(dirname "$out_file")"
declare -A secs load
for w in 1 "$cores"; do
  [ -n "${secs[$w]:-}" ] && continue
  l0="$(cut -d' ' -f1 /proc/loadavg)"
  t0="$(date +%s.%N)"
  "$bin" sweep configs/sweeps/throughput8.toml --out "$work/w$w" --force --no-plot --workers "$w" -q
  t1="$(date +%s.%N)"
  secs[$w]="$(python3 -c "print(f'{$t1 - $t0:.1f}')")"
  load[$w]="$l0-$(cut -d' ' -f1 /proc/loadavg)"
  echo "  sweep throughput8: $w worker(s) ${secs[$w]} s (load ${load[$w]})" >&2
done
python3 - "$cores" "${secs[1]}" "${secs[$cores]}" "${load[1]}" "${load[$cores]}" <<'PY' | tee "$out_file"
import sys
cores, s1, sn, l1, ln = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"sweep throughput: configs/sweeps/throughput8.toml (8 runs: a + b mod 47, width 128, 4000 AdamW steps each), {cores} cores")
print(f"{'workers':<10}  {'seconds':>10}  {'runs/hour':>10}  {'speedup':>9}  {'load':>11}")
rows = [(1, s1, l1)] + ([(cores, sn, ln)] if cores > 1 else [])
for w, s, l in rows:
    print(f"{w:<10}  {s:>10.1f}  {8 * 3600 / s:>10.0f}  {s1 / s:>8.2f}x  {l:>11}")
print(f"scaling efficiency with {cores} workers: {100 * s1 / sn / cores:.0f}%")
PY
