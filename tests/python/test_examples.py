# examples/train_demo.py runs (a short demo, matplotlib's Agg backend) and draws its figure.
import os
import subprocess
import sys


def test_train_demo_example(source_dir, tmp_path):
    png = tmp_path / "acc.png"
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, str(source_dir / "examples" / "train_demo.py"), "--steps", "600",
                        "--out", str(png), "--run", str(tmp_path / "run")],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "status='completed'" in r.stdout
    assert (tmp_path / "run" / "metrics.csv").is_file()


def test_transformer_weights_example(source_dir, tmp_path):
    # A 4-step run of configs/zoo/nanda.toml: its weights, under TransformerLens's names, recompute the run's train
    # loss in numpy (the script fails otherwise).
    r = subprocess.run([sys.executable, str(source_dir / "examples" / "transformer_weights.py"), "--steps", "4"],
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "blocks.0.attn.W_Q        (4, 128, 32)" in r.stdout
    assert "train loss: numpy" in r.stdout
