"""A transformer run's weights in TransformerLens's names, from Python: train configs/zoo/nanda.toml (Nanda et al.'s
1-layer transformer on a + b mod 113) for a few steps, recompute its logits on the training set in numpy from
run.params() (the TransformerLens state-dict names and shapes, docs/models.md), check the train loss and accuracy
against the run's last metrics row, and, when transformer_lens is installed, load the weights into a
HookedTransformer and compare its logits with numpy's.

    PYTHONPATH=build/python /usr/bin/python3 examples/transformer_weights.py --steps 20
    PYTHONPATH=build/python /usr/bin/python3 examples/transformer_weights.py --run runs/nanda   # an existing run

TransformerLens is not a Debian package and is not installed on the development machine: the HookedTransformer part
follows its documented config fields and has not been run here; the numpy part is tested (tests/python).
"""

import argparse
import pathlib

import grokscope   # before numpy: it chooses OpenBLAS's kernels as the CLI does

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def logits_numpy(w, tokens):
    """The 1-layer transformer without LayerNorm (docs/models.md), logits at the last position: [n, p]."""
    x = w["embed.W_E"][tokens] + w["pos_embed.W_pos"]                                   # [n, 3, d]
    q = np.einsum("nd,hde->nhe", x[:, -1], w["blocks.0.attn.W_Q"])
    k = np.einsum("npd,hde->nhpe", x, w["blocks.0.attn.W_K"])
    v = np.einsum("npd,hde->nhpe", x, w["blocks.0.attn.W_V"])
    sc = np.einsum("nhe,nhpe->nhp", q, k) / np.sqrt(q.shape[-1])
    att = np.exp(sc - sc.max(-1, keepdims=True))
    att /= att.sum(-1, keepdims=True)
    r = x[:, -1] + np.einsum("nhe,hed->nd", np.einsum("nhp,nhpe->nhe", att, v), w["blocks.0.attn.W_O"])
    hidden = np.maximum(r @ w["blocks.0.mlp.W_in"] + w["blocks.0.mlp.b_in"], 0)
    r = r + hidden @ w["blocks.0.mlp.W_out"] + w["blocks.0.mlp.b_out"]
    return r @ w["unembed.W_U"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=20, help="train.steps of the run to train (default 20)")
    ap.add_argument("--run", help="use this run directory of configs/zoo/nanda.toml instead of training one")
    args = ap.parse_args()

    if args.run:
        run = grokscope.load_run(args.run)
    else:
        run = grokscope.train(ROOT / "configs" / "zoo" / "nanda.toml", overrides={"train.steps": args.steps})
    cfg = run.config
    if cfg["model"]["kind"] != "transformer" or cfg["model"]["layers"] != 1 or cfg["model"]["layer_norm"] \
            or cfg["model"]["attn_bias"] or cfg["model"]["unembed_bias"]:
        raise SystemExit("this example computes Nanda's model: 1 layer, no LayerNorm, no attention/unembed biases")
    p = cfg["task"]["p"]
    w = {k: v.astype(np.float64) for k, v in run.params("final").items()}
    for name, array in w.items():
        print(f"{name:24s} {tuple(array.shape)}")

    split = run.split()
    idx = split["train_idx"]
    a, b, c = split["a"][idx], split["b"][idx], split["c"][idx]
    tokens = np.stack([a, b, np.full_like(a, p)], 1)
    logits = logits_numpy(w, tokens)
    z = logits - logits.max(1, keepdims=True)
    loss = float(np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(len(c)), c]))
    acc = float(np.mean(logits.argmax(1) == c))
    last_loss, last_acc = run.metrics["loss_train"][-1], run.metrics["acc_train"][-1]
    print(f"train loss: numpy {loss:.6g}, the run's metrics {last_loss:.6g}; "
          f"train accuracy: numpy {acc:.4f}, the run's {last_acc:.4f}")
    tol = 1e-4 if cfg["train"]["dtype"] == "f32" else 1e-10
    if abs(loss - last_loss) > tol * max(1.0, abs(last_loss)):
        raise SystemExit(f"the numpy model does not reproduce the run's train loss ({loss} vs {last_loss})")

    try:
        import torch
        from transformer_lens import HookedTransformer, HookedTransformerConfig
    except ImportError:
        print("transformer_lens is not installed: the arrays above are its state-dict entries (pip install "
              "transformer_lens to load them into a HookedTransformer)")
        return
    d = cfg["model"]["d_model"]
    heads = cfg["model"]["heads"]
    tl_cfg = HookedTransformerConfig(n_layers=1, d_model=d, n_heads=heads, d_head=d // heads,
                                     d_mlp=cfg["model"]["d_mlp"], n_ctx=3, d_vocab=p + 1, d_vocab_out=p,
                                     act_fn="relu", normalization_type=None)
    model = HookedTransformer(tl_cfg)
    state = {k: torch.from_numpy(v).to(tl_cfg.dtype) for k, v in run.params("final").items()}
    _, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    with torch.no_grad():
        tl_logits = model(torch.from_numpy(tokens))[:, -1].double().numpy()
    print(f"HookedTransformer logits: max |difference| from numpy's {np.abs(tl_logits - logits).max():.3g}")


if __name__ == "__main__":
    main()
