"""Sweeps and reproductions: grokscope.sweep and grokscope.reproduce (the CLI's `sweep` and `reproduce ID`, same
library calls, same outputs, resumable), and the Sweep and Reproduction that read their directories back
(docs/sweep.md, docs/reproduce.md)."""

import json
import os
import pathlib

from . import _config, _grokscope, _tables
from .run import Run


class Sweep:
    """A sweep directory: .index, .cells, .fits (dicts of arrays from index.csv, cells.csv, fits.csv), .fits_json,
    .runs (the run names), .run(name), .path."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        if not (self.path / "index.sqlite").is_file():
            raise FileNotFoundError(2, "not a sweep directory (no index.sqlite)", str(self.path))
        self.index = _tables.read_csv(self.path / "index.csv")
        self.cells = _tables.read_csv(self.path / "cells.csv")
        self.fits = _tables.read_csv(self.path / "fits.csv")
        with open(self.path / "fits.json") as f:
            self.fits_json = json.load(f)

    @property
    def runs(self):
        return [str(n) for n in self.index.get("name", [])]

    def run(self, name):
        return Run(self.path / "runs" / name)

    def to_pandas(self, table="index"):
        """index, cells or fits as a pandas DataFrame (needs pandas)."""
        return _tables.to_pandas({"index": self.index, "cells": self.cells, "fits": self.fits}[table])

    def __repr__(self):
        return f"Sweep({str(self.path)!r}, runs={len(self.runs)})"


def load_sweep(path):
    return Sweep(path)


def sweep(spec, out=None, workers=None, force=False, plot=False):
    """Run (or resume) a sweep and return it. spec: a sweep file's path or its TOML text (docs/sweep.md); out: the
    sweep directory (None: runs/<sweep name>, as the CLI); workers: runs at a time (None: the file's, else all
    cores); force: delete a previous sweep in out; plot: draw the figures and report.html (needs gnuplot).
    Ctrl-C stops the running runs and raises KeyboardInterrupt; calling again resumes."""
    path, text = "", ""
    if _config.is_path(spec):
        path = os.fspath(spec)
        if not os.path.isfile(path):
            raise FileNotFoundError(2, "sweep file not found", path)
    elif isinstance(spec, str):
        text = spec
    else:
        raise TypeError(f"grokscope: spec must be a path or TOML text, not {type(spec).__name__}")
    result = _grokscope._sweep(path, text, "" if out is None else os.fspath(out), workers or 0, bool(force), bool(plot))
    return Sweep(result["out"])


class Reproduction:
    """A reproduction's verdicts (OUT/reproduce/verdicts.json): .passed, .verdicts (a list of dicts: name,
    prediction, measured, pass, value, expected), .data (the whole file), .report (report.md), .sweep, .path."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        file = self.path / "reproduce" / "verdicts.json"
        if not file.is_file():
            raise FileNotFoundError(2, "not a reproduction directory (no reproduce/verdicts.json)", str(self.path))
        with open(file) as f:
            self.data = json.load(f)
        self.passed = bool(self.data["pass"])
        self.verdicts = self.data["verdicts"]
        self.report = self.path / "reproduce" / "report.md"

    @property
    def sweep(self):
        return Sweep(self.path)

    def __repr__(self):
        n = sum(1 for v in self.verdicts if v["pass"])
        return (f"Reproduction({self.data['id']!r}, scale={self.data['scale']!r}, "
                f"{'PASS' if self.passed else 'FAIL'}, {n}/{len(self.verdicts)} verdicts passed)")


def reproduce(id, scale="quick", out=None, seeds=None, workers=None, force=False, plot=False, catalog=None):
    """Run (or resume) one experiment of the catalog (grokscope.catalog()) and return its verdicts. out: None gives
    runs/reproduce/<ID>-<scale>, as the CLI; seeds: run seeds 0..seeds-1; plot: draw its figures (needs gnuplot).
    A failed verdict is data (.passed False), not an exception."""
    r = _grokscope._reproduce(str(id), scale, "" if out is None else os.fspath(out), workers or 0, seeds or 0,
                              bool(force), bool(plot), "" if catalog is None else os.fspath(catalog))
    return Reproduction(r["out"])


def catalog(catalog=None):
    """The experiments: a list of dicts (id, title, source, claim, check, scales: {quick|paper: {changes, time}})."""
    return _grokscope._catalog("" if catalog is None else os.fspath(catalog))
