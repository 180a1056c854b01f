#!/bin/sh
# ctest's entry to the Python suite (tests/python): runs one test file with pytest. It is skipped (exit 77, which
# ctest reports as a skip) with a clear message only when the interpreter, numpy or pytest is missing; on a machine
# set up by scripts/install-deps.sh (CI) it always runs.
# Usage: run_pytest.sh PYTHON TEST_FILE
py="$1"
shift
if ! command -v "$py" >/dev/null 2>&1; then
  echo "SKIPPED: Python interpreter $py not found (scripts/install-deps.sh installs python3-dev)"; exit 77
fi
for mod in numpy pytest; do
  if ! "$py" -c "import $mod" 2>/dev/null; then
    echo "SKIPPED: $py has no $mod (apt install python3-$mod; scripts/install-deps.sh installs it)"; exit 77
  fi
done
exec "$py" -m pytest -q -p no:cacheprovider "$@"
