"""CSV files of grokscope (metrics.csv, index.csv, cells.csv, fits.csv) as dicts of numpy arrays: a column whose
every value reads as a number is float64 (an empty cell is nan; Python's float() reads the shortest round-trip
text back to the exact double grokscope wrote), any other column an array of str."""

import csv

import numpy as np


def _number(text):
    return float("nan") if text == "" else float(text)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return {}
    header, body = rows[0], rows[1:]
    table = {}
    for i, name in enumerate(header):
        cells = [r[i] if i < len(r) else "" for r in body]
        try:
            table[name] = np.array([_number(c) for c in cells], dtype=np.float64)
        except ValueError:
            table[name] = np.array(cells, dtype=str)
    return table


def to_pandas(table):
    try:
        import pandas
    except ImportError as e:
        raise ImportError("grokscope: to_pandas() needs pandas (apt install python3-pandas)") from e
    return pandas.DataFrame(table)
