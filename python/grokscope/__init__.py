"""grokscope from Python: the C++ engine of the `grokscope` CLI with numpy arrays in and out (docs/python.md).

    import grokscope
    run = grokscope.train("configs/demo.toml", overrides={"train.steps": 3000})
    run.metrics["acc_test"], run.clocks["t_fit"], run.params("final")["w1"]
"""

import os as _os
import subprocess as _subprocess
import sys as _sys
import warnings as _warnings


def _choose_blas_kernels():
    # OpenBLAS picks its kernels when it loads. The CLI re-executes itself with the OPENBLAS_CORETYPE its CPU's
    # features call for when OpenBLAS fell back to generic kernels (a VM hiding the CPU model; kernels/blas.h); a
    # module cannot, so a child process asks the extension which core that would be, and the variable is set before
    # this process loads OpenBLAS. Then runs here are bit-identical to the CLI's (and as fast).
    if _os.environ.get("OPENBLAS_CORETYPE"):
        return
    try:
        with open("/proc/self/maps") as f:
            if "libopenblas" in f.read():
                return   # already loaded (numpy was imported first): too late, see the warning below
    except OSError:
        return
    here = _os.path.dirname(_os.path.abspath(__file__))
    probe = ("import importlib.util, sys, glob\n"
             f"p = glob.glob({here!r} + '/_grokscope*.so')[0]\n"
             "s = importlib.util.spec_from_file_location('_grokscope', p)\n"
             "m = importlib.util.module_from_spec(s); s.loader.exec_module(m)\n"
             "print(m.preferred_blas_core())\n")
    env = {k: v for k, v in _os.environ.items() if k != "OPENBLAS_CORETYPE"}
    try:
        core = _subprocess.run([_sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                               timeout=60).stdout.strip()
    except (OSError, _subprocess.SubprocessError):
        return
    if core:
        _os.environ["OPENBLAS_CORETYPE"] = core


_choose_blas_kernels()

from . import _grokscope  # noqa: E402
from ._errors import ConfigError, IoError  # noqa: E402
from .batch import Reproduction, Sweep, catalog, load_sweep, reproduce, sweep  # noqa: E402
from .run import Run, load_run, train  # noqa: E402

__version__ = _grokscope.version()

if _grokscope.preferred_blas_core():
    _warnings.warn(f"grokscope: OpenBLAS was loaded before grokscope with its generic kernels "
                   f"({_grokscope.blas_core()}); runs differ from the CLI's at round-off and are slower. Import "
                   f"grokscope before numpy, or start Python with OPENBLAS_CORETYPE="
                   f"{_grokscope.preferred_blas_core()}.", RuntimeWarning, stacklevel=2)


def blas_core():
    """The OpenBLAS kernel set this process runs (e.g. SkylakeX)."""
    return _grokscope.blas_core()


__all__ = ["ConfigError", "IoError", "Run", "Reproduction", "Sweep", "blas_core", "catalog", "load_run",
           "load_sweep", "reproduce", "sweep", "train"]
