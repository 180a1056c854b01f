"""One run: grokscope.train (the C++ trainer, writing a run directory as `grokscope train` does) and the Run that
reads a run directory back (docs/outputs.md) as numpy arrays and dicts."""

import functools
import json
import os
import pathlib
import tempfile
import tomllib

import numpy as np

from . import _config, _grokscope, _tables


class Run:
    """A run directory: .metrics, .clocks, .summary, .config, .params(), .split(), .status, .path."""

    def __init__(self, path, _keep=None):
        self.path = pathlib.Path(path)
        self._keep = _keep   # the TemporaryDirectory of a run trained with out=None, removed with this object
        if not (self.path / "summary.json").is_file():
            if not self.path.exists():
                raise FileNotFoundError(2, "no such run directory", str(self.path))
            raise FileNotFoundError(2, "not a finished run directory (no summary.json)", str(self.path))

    @functools.cached_property
    def summary(self):
        """summary.json as a dict."""
        with open(self.path / "summary.json") as f:
            return json.load(f)

    @property
    def status(self):
        """completed, diverged or stopped."""
        return self.summary["status"]

    @property
    def clocks(self):
        """summary.json's clocks: t_fit, t_gen, t_cls (a list), t_rep, gen_over_fit."""
        return self.summary["clocks"]

    @functools.cached_property
    def config(self):
        """The fully resolved config (config.toml) as a nested dict."""
        with open(self.path / "config.toml", "rb") as f:
            return tomllib.load(f)

    @functools.cached_property
    def metrics(self):
        """metrics.csv: column name -> float64 array, one value per evaluation."""
        return _tables.read_csv(self.path / "metrics.csv")

    def params(self, which="final"):
        """params_final.npz or params_init.npz: name -> array (the npz's names, PyTorch/TransformerLens orientation)."""
        if which not in ("init", "final"):
            raise ValueError(f"which = {which!r}: must be 'init' or 'final'")
        return _load_npz(self.path / f"params_{which}.npz")

    def split(self):
        """split.npz: the task's data (train_idx, test_idx, the table, or the reference arrays)."""
        return _load_npz(self.path / "split.npz")

    def to_pandas(self):
        """metrics as a pandas DataFrame (needs pandas)."""
        return _tables.to_pandas(self.metrics)

    def __repr__(self):
        s = self.summary
        fired = {k: v["step"] for k, v in s["clocks"].items() if isinstance(v, dict) and v.get("fired")}
        return f"Run({str(self.path)!r}, status={s['status']!r}, steps={s['steps_done']}, clocks={fired})"


def _load_npz(path):
    with np.load(path) as z:
        return {name: z[name] for name in z.files}


def load_run(path):
    """The run in a run directory (FileNotFoundError when there is none)."""
    return Run(path)


def train(config, out=None, overrides=None, callback=None, force=False):
    """Train one run and return it.

    config: a path, a TOML string or a nested dict with the CLI's keys (docs/config.md); overrides: a dict
    {"optim.lr": 0.02} (or a list of "key=value"), applied after the config, like --set. out: the run directory
    (None: a temporary one, removed with the Run). force: replace an existing run in out. callback(row): called after
    each evaluation with that row of metrics.csv as a dict; returning False stops the run (status stopped).
    Raises ConfigError (bad keys or values; nothing written), FileNotFoundError (missing config file), IoError (out
    exists: force=True). Ctrl-C stops the run cleanly (status stopped, its files written), then raises
    KeyboardInterrupt with the stopped Run as its .run attribute.
    """
    path, text, source_name, overrides = _config.source(config, overrides)
    keep = None
    if out is None:
        keep = tempfile.TemporaryDirectory(prefix="grokscope-")
        out = os.path.join(keep.name, "run")
    out = os.fspath(out)
    try:
        _grokscope._train(path, text, source_name, overrides, out, bool(force), callback)
    except KeyboardInterrupt as e:
        if os.path.isfile(os.path.join(out, "summary.json")):
            e.run = Run(out, keep)
        raise
    return Run(out, keep)
