"""Train the demo (configs/demo.toml: a + b mod 97, width-256 ReLU MLP, AdamW) from Python and plot train and test
accuracy against the step with the two clocks t_fit and t_gen marked; a live line per evaluation on the terminal.

    make python        # or make test: builds build/python/grokscope
    PYTHONPATH=build/python /usr/bin/python3 examples/train_demo.py                 # the whole demo, ~1 min
    PYTHONPATH=build/python /usr/bin/python3 examples/train_demo.py --steps 2000 --out acc.png

Without a display, matplotlib draws with its Agg backend (set MPLBACKEND=Agg to be sure); --show opens a window.
"""

import argparse
import pathlib
import sys

import grokscope   # before numpy and matplotlib: it chooses OpenBLAS's kernels as the CLI does

import matplotlib.pyplot as plt

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, help="train.steps (default: the demo's 20000, early stop on)")
    ap.add_argument("--out", default="demo_accuracy.png", help="the figure (PNG)")
    ap.add_argument("--run", help="keep the run directory here (default: a temporary one)")
    ap.add_argument("--show", action="store_true", help="also open the figure in a window")
    args = ap.parse_args()

    def progress(row):
        print(f"\rstep {int(row['step']):6d}  train acc {row['acc_train']:.3f}  test acc {row['acc_test']:.3f}",
              end="", file=sys.stderr, flush=True)

    overrides = {"train.steps": args.steps} if args.steps else None
    run = grokscope.train(ROOT / "configs" / "demo.toml", out=args.run, overrides=overrides, callback=progress,
                          force=args.run is not None)
    print(file=sys.stderr)

    m = run.metrics
    later = m["step"] > 0   # step 0 has no place on a log axis
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(m["step"][later], m["acc_train"][later], label="train accuracy")
    ax.plot(m["step"][later], m["acc_test"][later], label="test accuracy")
    for name, style in (("t_fit", ":"), ("t_gen", "--")):
        clock = run.clocks[name]
        if clock["fired"]:
            ax.axvline(clock["step"], color="black", linestyle=style, label=f"{name} = {clock['step']}")
    ax.set_xscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("accuracy")
    ax.set_title(f"demo: a + b mod 97 ({run.status}, {run.summary['steps_done']} steps)")
    ax.legend(loc="center left")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"{run}\nfigure: {args.out}")
    if args.show:
        plt.show()


if __name__ == "__main__":
    main()
