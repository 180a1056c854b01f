# grokscope.sweep / load_sweep and grokscope.reproduce / catalog.
import os
import signal
import threading
import time

import pytest

import grokscope


def tiny_sweep(source_dir):
    return f'''
[sweep]
name = "tiny"
base = "{source_dir / "configs" / "zoo" / "one_plus_one.toml"}"
seeds = 1
workers = 2

[set]
"train.steps" = 1000

[[axis]]
key = "optim.weight_decay"
label = "wd"
values = [0.1, 0.2]
'''


def test_sweep_from_text_and_load_sweep(source_dir, tmp_path):
    s = grokscope.sweep(tiny_sweep(source_dir), out=tmp_path / "s")
    assert len(s.runs) == 2
    assert list(s.index["status"]) == ["completed", "completed"]
    again = grokscope.load_sweep(tmp_path / "s")
    assert again.runs == s.runs
    for name in s.runs:
        run = s.run(name)
        assert run.status == "completed"
        assert run.metrics["step"][-1] == 1000
    # t_gen falls with the weight decay (Musat: w1 - w2 decays as (1 - eta wd)^t)
    t_gen = [s.run(n).clocks["t_gen"]["step"] for n in s.runs]
    wd = [s.run(n).config["optim"]["weight_decay"] for n in s.runs]
    assert sorted(wd) == [0.1, 0.2]
    assert t_gen[wd.index(0.2)] < t_gen[wd.index(0.1)]
    # resuming runs nothing
    assert grokscope.sweep(tiny_sweep(source_dir), out=tmp_path / "s").runs == s.runs


def test_bad_sweep_raises_config_error(source_dir, tmp_path):
    with pytest.raises(grokscope.ConfigError):
        grokscope.sweep(tiny_sweep(source_dir).replace("optim.weight_decay", "optim.nope"), out=tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_reproduce_mu1(tmp_path):
    r = grokscope.reproduce("MU-1", out=tmp_path / "mu1")
    assert r.data["id"] == "MU-1" and r.data["scale"] == "quick"
    assert len(r.verdicts) == 13
    assert r.passed and all(v["pass"] for v in r.verdicts)
    assert r.report.is_file()
    assert len(r.sweep.runs) == 3


def test_catalog_and_unknown_id():
    ids = [e["id"] for e in grokscope.catalog()]
    assert "MU-1" in ids and "TC-3" in ids
    with pytest.raises(grokscope.ConfigError, match="unknown id"):
        grokscope.reproduce("XX-9")
    with pytest.raises(grokscope.ConfigError, match="quick or paper"):
        grokscope.reproduce("MU-1", scale="huge")


def test_ctrl_c_stops_a_sweep(source_dir, tmp_path):
    spec = f'''
[sweep]
name = "long"
base = "{source_dir / "configs" / "demo.toml"}"
seeds = 2
workers = 2

[set]
"train.steps" = 1000000
"train.early_stop" = false
'''
    timer = threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        grokscope.sweep(spec, out=tmp_path / "s")
    timer.join()
    assert time.monotonic() - t0 < 30
    s = grokscope.load_sweep(tmp_path / "s")
    assert sorted(s.index["status"]) == ["stopped", "stopped"]
    for name in s.runs:
        assert s.run(name).summary["steps_done"] < 1000000
