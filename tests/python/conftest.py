# Shared fixtures of the Python suite (run by ctest through run_pytest.sh, with PYTHONPATH=<build>/python and
# GROKSCOPE_CLI / GROKSCOPE_SOURCE_DIR set by tests/CMakeLists.txt).
import os
import pathlib

# grokscope before numpy (which the test files import first): it sets OpenBLAS's kernels as the CLI does, which only
# works before OpenBLAS is loaded (docs/python.md); otherwise it warns and runs differ from the CLI's at round-off.
import grokscope  # noqa: F401

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("GROKSCOPE_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("GROKSCOPE_CLI", str(SOURCE_DIR / "build" / "grokscope"))


@pytest.fixture
def source_dir():
    return SOURCE_DIR


@pytest.fixture
def cli():
    if not os.path.isfile(CLI):
        pytest.fail(f"the grokscope executable is missing: {CLI}")
    return CLI
