#!/usr/bin/env bash
# The end-to-end test of grokscope sweeps on Slurm (docs/cluster.md), on a real single-node cluster started here:
#  1. starts munged, slurmctld and slurmd on localhost from a configuration generated in a temporary directory
#     (scripts/slurm-cluster.sh; Debian's slurm-wlm and munge, scripts/install-deps.sh cluster);
#  2. runs a small sweep (8 runs, a few seconds each) whole, without Slurm, as the reference;
#  3. submits the same sweep with `grokscope sweep --slurm --submit` (4 array tasks of 2 runs, one CPU each, and
#     the merge job, afterany);
#  4. while task 1 trains its second run, requeues it (Slurm kills it with SIGTERM and starts it again): the run it
#     finished is not run again, the killed one is rerun;
#  5. waits for the merge job and checks that the merged sweep equals the whole one: the same run names,
#     byte-identical metrics.csv of every run, cells.csv, fits.csv, fits.json, and index.csv but for its timing
#     columns (seconds, steps_per_second, started_at, finished_at);
#  6. stops the cluster and removes the temporary directory, also on failure or Ctrl-C (trap).
# Usage: scripts/slurm-local.sh [path/to/grokscope]   (default build/grokscope; needs root). Exit 0 on success, 1 on
# a failure, 77 (ctest's "skipped") when it cannot run here: not root, or Slurm or munge not installed; with
# GROKSCOPE_REQUIRE_SLURM=1 (make slurm-check) those are failures too. KEEP=1 keeps the temporary directory (its
# path is printed) for a look at the logs; it is kept after a failure anyway.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
exe=$(realpath "${1:-$here/../build/grokscope}")
t_start=$(date +%s)
say() { echo "slurm-local: $*"; }
fail() { echo "slurm-local: FAIL: $*" >&2; exit 1; }

skip() {
  [ "${GROKSCOPE_REQUIRE_SLURM:-0}" = 1 ] && fail "$*"
  echo "slurm-local: SKIPPED: $*" >&2
  exit 77
}
[ -x "$exe" ] || fail "no grokscope executable at $exe (build it: cmake --build build --target grokscope_cli)"
[ "$(id -u)" -eq 0 ] || skip "needs root (slurmd runs the jobs as their user; this script starts it)"
for tool in munged slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
  command -v "$tool" >/dev/null || skip "$tool not found: scripts/install-deps.sh cluster installs slurm-wlm and munge"
done

work=$(mktemp -d /tmp/grokscope-slurm.XXXXXX)
chmod 755 "$work"
. "$here/slurm-cluster.sh"
cleanup() {
  local rc=$?
  cluster_stop
  if [ "${KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then say "kept $work (logs: $work/cluster/log, $work/sharded/slurm/logs)"
  else rm -rf "$work"; fi
  say "$([ $rc -eq 0 ] && echo PASS || echo FAIL) in $(( $(date +%s) - t_start )) s"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A sweep of 8 runs: a + b mod 31, width 64, 8000 full-batch AdamW steps (about 4 s each on one idle core).
mkdir -p "$work/configs"
cat > "$work/configs/e2e.toml" <<'EOF'
[sweep]
name = "slurm_e2e"
seeds = 2
threads_per_run = 1
[base]
"task.p" = 31
"task.train_fraction" = 0.5
"model.hidden" = [64]
"optim.lr" = 0.003
"optim.weight_decay" = 1.0
"train.steps" = 8000
"eval.loss_eps" = [0.1, 0.01]
[[axis]]
key = "model.init_scale"
label = "alpha"
values = [0.5, 1.0, 2.0, 4.0]
EOF
sweep_file="$work/configs/e2e.toml"

cluster_start "$work/cluster" || fail "the cluster did not start"
say "cluster up in $(( $(date +%s) - t_start )) s"

t0=$(date +%s)
"$exe" sweep "$sweep_file" --out "$work/whole" --workers 2 --no-plot -q || fail "the whole sweep failed"
say "whole sweep (reference, 2 workers, no Slurm): $(( $(date +%s) - t0 )) s"

t0=$(date +%s)
out="$work/sharded"
submitted=$("$exe" sweep "$sweep_file" --out "$out" --slurm --shards 4 --cpus-per-task 1 --no-plot --submit) ||
  fail "sweep --slurm --submit failed: $submitted"
echo "$submitted" | sed 's/^/  /'
array=$(echo "$submitted" | awk '/^array job/ { print $3 }')
merge=$(echo "$submitted" | awk '/^merge job/ { print $3 }')
[ -n "$array" ] && [ -n "$merge" ] || fail "no job ids in: $submitted"

# Requeue task 1 while it trains its second run (its first one finished): as soon as that run has written a few
# evaluations (metrics.csv has a header and one row per evaluation).
log1="$out/slurm/logs/shard-1-job-$array.out"
runs1=($("$exe" sweep "$sweep_file" --out "$out" --list --shard 1/4 | awk '/ seed=/ { print $1 }' | xargs -n1 basename))
[ ${#runs1[@]} -eq 2 ] || fail "shard 1/4 should have 2 runs: ${runs1[*]}"
second_csv="$out/runs/${runs1[1]}/metrics.csv"
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
for _ in $(seq 1 1200); do [ "$(lines "$second_csv")" -ge 4 ] && break; sleep 0.1; done
[ "$(lines "$second_csv")" -ge 4 ] || fail "task 1 did not start its second run in 120 s"
scontrol requeue "${array}_1" || fail "scontrol requeue ${array}_1 failed"
first_run=${runs1[0]}
first_mtime=$(stat -c %Y.%y "$out/runs/$first_run/summary.json")
# It starts again cred_expire seconds later (10 here, slurm-cluster.sh; 120 by default).
say "requeued task ${array}_1 after its first run ($first_run) finished"

for _ in $(seq 1 1800); do
  squeue -h -j "$merge" -o %T 2>/dev/null | grep -q . || break
  sleep 0.1
done
squeue -h -j "$merge" -o %T 2>/dev/null | grep -q . && fail "the merge job did not finish in 180 s"
say "Slurm: 4 array tasks (one requeued) and the merge job done in $(( $(date +%s) - t0 )) s"

echo "--- task 1 log ($log1):"; sed 's/^/  /' "$log1"
merge_log="$out/slurm/logs/merge-job-$merge.out"
echo "--- merge log:"; sed 's/^/  /' "$merge_log"

# The requeue: task 1 ran twice, the second time with its first run finished before, the first run untouched.
grep -q 'restart 1' "$log1" || fail "task 1 was not restarted"
grep -q "${runs1[1]}  stopped" "$log1" || fail "task 1 was not stopped by the requeue in its second run"
grep -q '1 finished before, 1 to run' "$log1" || fail "the requeued task did not skip its finished run"
[ "$(stat -c %Y.%y "$out/runs/$first_run/summary.json")" = "$first_mtime" ] || fail "$first_run was run again"
grep -q 'merged 4 shards .*: 8 runs, 8 finished' "$merge_log" || fail "the merge did not see 8 finished runs"

# The merged sweep equals the whole one.
diff <(ls "$work/whole/runs") <(ls "$out/runs") >/dev/null || fail "run names differ"
n=0
for run in "$work/whole/runs"/*; do
  name=$(basename "$run")
  cmp -s "$run/metrics.csv" "$out/runs/$name/metrics.csv" || fail "$name: metrics.csv differs"
  n=$((n + 1))
done
for f in cells.csv fits.csv fits.json; do cmp -s "$work/whole/$f" "$out/$f" || fail "$f differs"; done
drop_timing() {   # index.csv without its timing columns
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) skip[i] = ($i ~ /^(seconds|steps_per_second|started_at|finished_at)$/) }
           { line = ""; for (i = 1; i <= NF; i++) if (!skip[i]) line = line $i ","; print line }' "$1"
}
diff <(drop_timing "$work/whole/index.csv") <(drop_timing "$out/index.csv") >/dev/null || fail "index.csv differs"
say "merged sweep = whole sweep: $n run names, $n metrics.csv byte-identical, cells.csv, fits.csv, fits.json, index.csv"
