"""A config given to grokscope.train as a path, a TOML string or a nested dict, turned into what the C++ parser
reads: a file path, TOML text, or `--set`-style overrides ("section.key=value") applied to an empty file. A dict and
the same keys in a file give the same RunConfig (the parser is the CLI's)."""

import json
import math
import numbers
import os
import re
from collections.abc import Mapping

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(segment):
    segment = str(segment)
    return segment if _BARE_KEY.fullmatch(segment) else json.dumps(segment)


def toml_value(value):
    """One value as TOML text (floats in the shortest form that reads back to the same double)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()   # numpy arrays and scalars
        if not isinstance(value, list):
            return toml_value(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"grokscope: cannot write a {type(value).__name__} as a config value: {value!r}")


def flatten(config, prefix=""):
    """A nested dict as overrides: {"optim": {"lr": 0.1}} -> ["optim.lr=0.1"]."""
    out = []
    for k, v in config.items():
        dotted = prefix + _key(k)
        if isinstance(v, Mapping):
            out += flatten(v, dotted + ".")
        else:
            out.append(f"{dotted}={toml_value(v)}")
    return out


def overrides_list(overrides):
    """overrides as a dict {"optim.lr": 0.02} (dotted keys as written) or a list of "key=value" strings."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{k}={toml_value(v)}" for k, v in overrides.items()]
    if isinstance(overrides, str):
        return [overrides]
    return [str(o) for o in overrides]


def is_path(config):
    """A path-like, or a one-line string without '=' (TOML text needs one): read as a file name."""
    if isinstance(config, os.PathLike):
        return True
    return isinstance(config, str) and "\n" not in config and "=" not in config


def source(config, overrides):
    """(path, text, source_name, overrides) for the C++ module; FileNotFoundError for a missing file."""
    extra = overrides_list(overrides)
    if isinstance(config, Mapping):
        return "", "", "<dict>", flatten(config) + extra
    if is_path(config):
        path = os.fspath(config)
        if not os.path.isfile(path):
            raise FileNotFoundError(2, "config file not found", path)
        return path, "", path, extra
    if isinstance(config, str):
        return "", config, "<string>", extra
    raise TypeError(f"grokscope: config must be a path, a TOML string or a dict, not {type(config).__name__}")
