# grokscope.train and Run: the same run as the CLI, bit for bit; arrays equal to the files; errors; stopping.
import os
import signal
import subprocess
import sys
import threading
import time
import tomllib

import numpy as np
import pytest

import grokscope

# The demo cut short (100 steps, fewer evaluations: about a second) on a fixed thread count (the CLI's and the
# module's arithmetic match only on the same thread count).
SHORT = {"train.steps": 100, "train.threads": 2, "eval.points_per_decade": 10}


def demo_dict(source_dir):
    with open(source_dir / "configs" / "demo.toml", "rb") as f:
        config = tomllib.load(f)
    config["train"]["steps"] = 300
    config["train"]["threads"] = 2
    return config


def cli_train(cli, config, out, *sets):
    args = [cli, "train", str(config), "--out", str(out), "-q"]
    for s in sets:
        args += ["--set", s]
    return subprocess.run(args, capture_output=True, text=True)


def test_dict_run_equals_cli_run(source_dir, cli, tmp_path):
    r = cli_train(cli, source_dir / "configs" / "demo.toml", tmp_path / "cli", "train.steps=300", "train.threads=2")
    assert r.returncode == 0, r.stderr
    run = grokscope.train(demo_dict(source_dir), out=tmp_path / "py")
    for name in ("metrics.csv", "config.toml"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    for which in ("init", "final"):
        with np.load(tmp_path / "cli" / f"params_{which}.npz") as z:
            cli_params = {k: z[k] for k in z.files}
        py_params = run.params(which)
        assert list(py_params) == list(cli_params)
        for k in cli_params:
            assert py_params[k].dtype == cli_params[k].dtype and py_params[k].shape == cli_params[k].shape
            assert py_params[k].tobytes() == cli_params[k].tobytes(), k
    assert run.summary["config_hash"] == grokscope.load_run(tmp_path / "cli").summary["config_hash"]


def test_path_string_and_overrides_give_the_same_run(source_dir, tmp_path):
    path = source_dir / "configs" / "demo.toml"
    a = grokscope.train(str(path), overrides=SHORT)
    b = grokscope.train(path.read_text(), overrides=["train.steps=100", "train.threads=2", "eval.points_per_decade=10"])
    assert a.path != b.path
    assert (a.path / "metrics.csv").read_bytes() == (b.path / "metrics.csv").read_bytes()


def test_arrays_equal_the_files(source_dir, tmp_path):
    run = grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r", overrides=SHORT)
    lines = (tmp_path / "r" / "metrics.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert list(run.metrics) == header
    rows = [[float(x) for x in line.split(",")] for line in lines[1:]]
    for j, name in enumerate(header):
        assert run.metrics[name].dtype == np.float64
        np.testing.assert_array_equal(run.metrics[name], [r[j] for r in rows])
    with np.load(tmp_path / "r" / "params_final.npz") as z:
        assert set(z.files) == {"w1", "b1", "w2"}
        for k in z.files:
            np.testing.assert_array_equal(run.params()[k], z[k])
    assert run.params("init")["w1"].shape == (256, 194)
    assert run.status == run.summary["status"] == "completed"
    assert run.clocks["t_fit"]["fired"] in (True, False)
    assert run.config["train"]["steps"] == 100 and run.config["optim"]["kind"] == "adamw"
    assert set(run.split()) >= {"train_idx", "test_idx"}


def test_temporary_run_lives_as_long_as_the_run(source_dir):
    run = grokscope.train(source_dir / "configs" / "demo.toml", overrides=SHORT)
    path = run.path
    assert (path / "summary.json").is_file()
    del run
    assert not path.exists()


def test_callback_sees_every_row_and_stops_the_run(source_dir, tmp_path):
    rows = []

    def stop_at_fifth(row):
        rows.append(row)
        return len(rows) < 5

    run = grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r",
                          overrides={"train.steps": 5000, "train.threads": 2}, callback=stop_at_fifth)
    assert len(rows) == 5
    assert run.status == "stopped"
    assert run.summary["steps_done"] < 5000
    for i, row in enumerate(rows):
        assert list(row) == list(run.metrics)
        for k, v in row.items():
            assert v == run.metrics[k][i] or (np.isnan(v) and np.isnan(run.metrics[k][i])), k


def test_callback_exception_propagates(source_dir, tmp_path):
    def fail(row):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r", overrides=SHORT, callback=fail)


def test_ctrl_c_stops_the_run_cleanly(source_dir, tmp_path):
    # SIGINT from another thread once training is under way (past step 0), while the GIL is released: the trainer's
    # stop poll runs Python's handler, the run ends with status stopped, then KeyboardInterrupt is raised.
    started = threading.Event()

    def interrupt():
        if started.wait(60):
            time.sleep(0.3)
            os.kill(os.getpid(), signal.SIGINT)

    def watch(row):
        if row["step"] > 0:
            started.set()

    timer = threading.Thread(target=interrupt)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt) as info:
        grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r", callback=watch,
                        overrides={"train.steps": 10**6, "train.early_stop": False, "train.threads": 2})
    timer.join()
    assert time.monotonic() - t0 < 30
    run = info.value.run
    assert run.status == "stopped"
    assert 0 < run.summary["steps_done"] < 10**6
    assert set(run.params("final")) == {"w1", "b1", "w2"}


def test_bad_key_raises_config_error_and_writes_nothing(tmp_path):
    out = tmp_path / "r"
    with pytest.raises(grokscope.ConfigError) as info:
        grokscope.train({"optim": {"lrr": 0.1}}, out=out)
    assert isinstance(info.value, ValueError)
    assert "optim.lrr" in str(info.value)
    assert not out.exists()


def test_bad_value_has_the_clis_message(source_dir, cli, tmp_path):
    r = cli_train(cli, source_dir / "configs" / "demo.toml", tmp_path / "cli", "optim.lr=-1")
    assert r.returncode == 2
    with pytest.raises(grokscope.ConfigError) as info:
        grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "py", overrides={"optim.lr": -1})
    assert r.stderr.strip() == f"grokscope: error: {info.value}"
    assert info.value.key == "optim.lr"
    assert not (tmp_path / "py").exists() and not (tmp_path / "cli").exists()


def test_missing_file_and_taken_directory(source_dir, tmp_path):
    with pytest.raises(FileNotFoundError):
        grokscope.train(tmp_path / "nope.toml")
    with pytest.raises(FileNotFoundError):
        grokscope.load_run(tmp_path / "nope")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(grokscope.IoError):
        grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "taken", overrides=SHORT, force=True)
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"
    first = grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r", overrides=SHORT)
    with pytest.raises(grokscope.IoError):
        grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r", overrides=SHORT)
    again = grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r", overrides=SHORT, force=True)
    np.testing.assert_array_equal(first.metrics["loss_train"], again.metrics["loss_train"])


def test_training_releases_the_gil(source_dir, tmp_path):
    # A Python thread keeps running while the main thread trains: the largest pause between its iterations stays far
    # below the run's length (holding the GIL would stall it for the whole run).
    beats = []
    done = threading.Event()

    def heartbeat():
        while not done.is_set():
            beats.append(time.monotonic())
            time.sleep(0.005)

    thread = threading.Thread(target=heartbeat)
    thread.start()
    t0 = time.monotonic()
    grokscope.train(source_dir / "configs" / "demo.toml", out=tmp_path / "r",
                    overrides={"train.steps": 400, "train.threads": 2, "eval.points_per_decade": 5})
    t1 = time.monotonic()
    done.set()
    thread.join()
    during = [b for b in beats if t0 <= b <= t1]
    gaps = np.diff([t0] + during + [t1])
    assert t1 - t0 > 0.5
    assert gaps.max() < 0.25 * (t1 - t0), (gaps.max(), t1 - t0)


def test_openblas_kernels_chosen_like_the_cli_or_a_warning():
    # Without OPENBLAS_CORETYPE, importing grokscope first sets the CLI's choice (on a CPU OpenBLAS does not know, e.g.
    # this VM: SkylakeX); importing numpy first loads OpenBLAS too early, and grokscope then warns.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    first = subprocess.run([sys.executable, "-c", "import grokscope, os; print(grokscope.blas_core(),"
                            " os.environ.get('OPENBLAS_CORETYPE', ''))"], env=env, capture_output=True, text=True,
                           check=True)
    core, chosen = (first.stdout.split() + [""])[:2]   # chosen: "" when OpenBLAS's own choice was kept
    if chosen:
        assert core == chosen
    late = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", "import numpy, grokscope"], env=env,
                          capture_output=True, text=True)
    if chosen:
        assert late.returncode != 0 and "Import grokscope before numpy" in late.stderr, late.stderr
    else:
        assert late.returncode == 0, late.stderr


def test_to_pandas_or_a_clear_import_error(source_dir):
    run = grokscope.train(source_dir / "configs" / "zoo" / "one_plus_one.toml", overrides={"train.steps": 50})
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="needs pandas"):
            run.to_pandas()
        return
    df = run.to_pandas()
    assert list(df.columns) == list(run.metrics)
    np.testing.assert_array_equal(df["loss_train"].to_numpy(), run.metrics["loss_train"])
