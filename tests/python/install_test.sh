#!/bin/sh
# `make install-python` into a temporary prefix (cmake --install BUILD --component python --prefix TMP), then, from
# another directory, the installed package imports and trains. Skipped (exit 77) like run_pytest.sh.
# Usage: install_test.sh CMAKE BUILD_DIR PYTHON SOURCE_DIR
set -e
cmake="$1" build="$2" py="$3" src="$4"
if ! "$py" -c "import numpy" 2>/dev/null; then
  echo "SKIPPED: $py or its numpy is missing (scripts/install-deps.sh installs python3-numpy)"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cmake" --install "$build" --component python --prefix "$tmp/prefix"
init=$(find "$tmp/prefix" -path '*-packages/grokscope/__init__.py')
[ -n "$init" ] || { echo "FAILED: no grokscope/__init__.py installed under $tmp/prefix"; exit 1; }
site=$(dirname "$(dirname "$init")")
cd "$tmp"
PYTHONPATH="$site" "$py" - "$tmp" "$src" <<'PY'
import sys
import grokscope
tmp, src = sys.argv[1], sys.argv[2]
assert grokscope.__file__.startswith(tmp), grokscope.__file__
run = grokscope.train(src + "/configs/zoo/one_plus_one.toml", overrides={"train.steps": 100})
assert run.status == "completed", run.status
assert run.params()["w1"].shape == (1, 2), run.params()["w1"].shape
print("installed grokscope", grokscope.__version__, "trains:", run)
PY
