#!/usr/bin/env bash
# Installs grokscope's build and test dependencies from Debian 12 packages.
# Idempotent: it installs only what is missing, and does nothing (no network) when all is present.
# Usage: scripts/install-deps.sh [build|test|bench|fuzz|cluster]   (default: test; build < test < bench; fuzz and
#        cluster each add to test: clang for `make fuzz-replay`, Slurm for scripts/slurm-local.sh)
# build: compilers and libraries (SQLite for the sweep index, COIN-OR CLP for the max-margin LP/QP);
# test: GoogleTest, gnuplot (figures), and the Python module's build and tests (pybind11, Python headers, numpy,
# pytest, matplotlib for the example's test; docs/python.md).
set -euo pipefail

level="${1:-test}"
build_pkgs=(g++ cmake make pkg-config libeigen3-dev libopenblas-dev libcli11-dev libtomlplusplus-dev
            nlohmann-json3-dev libfmt-dev libzip-dev libsqlite3-dev coinor-libclp-dev)
# gnuplot-nox draws the figures of `grokscope plot` / `sweep` (a runtime tool, not linked); the plot tests need it.
test_pkgs=(libgtest-dev gnuplot-nox pybind11-dev python3-dev python3-numpy python3-pytest python3-matplotlib)
# libblis-dev: BLIS, for bench/blas_compare.cpp (OpenBLAS or BLIS behind the BLAS seam, by measurement).
bench_pkgs=(libbenchmark-dev python3-torch libblis-dev)
# fuzz: clang 14 and its runtime libraries (libFuzzer, ASan, UBSan) for `make fuzz-replay`.
fuzz_pkgs=(clang-14 libclang-rt-14-dev)
# slurm-wlm (slurmctld, slurmd, sbatch...) and munge (its authentication daemon) for scripts/slurm-local.sh.
cluster_pkgs=(slurm-wlm munge)

case "$level" in
  build) want=("${build_pkgs[@]}") ;;
  test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz)  want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  cluster) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${cluster_pkgs[@]}") ;;
  *) echo "install-deps: unknown level '$level' (known: build, test, bench, fuzz, cluster)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  # Any gnuplot will do (gnuplot-qt or gnuplot-x11 also draw PNG/SVG; installing gnuplot-nox would remove them).
  [ "$p" = gnuplot-nox ] && command -v gnuplot >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
