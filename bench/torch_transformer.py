#!/usr/bin/python3
"""PyTorch side of the transformer benchmark: trains the transformer of a grokscope run directory (Nanda's setup).

Reads DIR/config.toml, DIR/split.npz and DIR/params_init.npz (TransformerLens names) written by `grokscope train`, so
both sides start from the same parameters and split. The model is written as Nanda et al.'s progress-measures code
and TransformerLens write it (every position through every layer, batched matrix products per head as
einsums, ReLU MLP, optional pre-LN, logits of the last position over the p answers), f32 or f64, full batch, AdamW /
Adam with his LambdaLR warmup (lr * min(step / W, 1)).

  torch_transformer.py DIR --threads T --warmup W --steps N

runs W untimed steps, then N timed full-batch steps (forward, loss, backward, optimizer step, scheduler step) and
prints one JSON line with steps_per_second and cpu_steps_per_second (process CPU time), like torch_train.py.
The caller should also set OMP_NUM_THREADS and OPENBLAS_NUM_THREADS to T.
"""
import argparse
import json
import os
import resource
import sys
import time
import tomllib

import numpy as np
import torch
import torch.nn.functional as F


class Transformer(torch.nn.Module):
    def __init__(self, cfg, params, dtype):
        super().__init__()
        m = cfg["model"]
        self.layers = int(m["layers"])
        self.ln = bool(m.get("layer_norm", False))
        self.d_head = int(m["d_model"]) // int(m["heads"])
        self.sd = torch.nn.ParameterDict(
            {k.replace(".", "__"): torch.nn.Parameter(torch.tensor(v, dtype=dtype)) for k, v in params.items()})

    def get(self, name):
        key = name.replace(".", "__")
        return self.sd[key] if key in self.sd else None

    def layer_norm(self, x, prefix):
        return F.layer_norm(x, x.shape[-1:], self.get(prefix + ".w"), self.get(prefix + ".b"), 1e-5)

    def forward(self, tokens):
        x = self.get("embed.W_E")[tokens] + self.get("pos_embed.W_pos")[None]
        ctx = tokens.shape[1]
        mask = torch.triu(torch.ones(ctx, ctx, dtype=torch.bool), diagonal=1)
        for l in range(self.layers):
            b = f"blocks.{l}."
            y = self.layer_norm(x, b + "ln1") if self.ln else x
            q = torch.einsum("npd,hde->nhpe", y, self.get(b + "attn.W_Q"))
            k = torch.einsum("npd,hde->nhpe", y, self.get(b + "attn.W_K"))
            v = torch.einsum("npd,hde->nhpe", y, self.get(b + "attn.W_V"))
            if self.get(b + "attn.b_Q") is not None:
                q = q + self.get(b + "attn.b_Q")[None, :, None]
                k = k + self.get(b + "attn.b_K")[None, :, None]
                v = v + self.get(b + "attn.b_V")[None, :, None]
            scores = torch.einsum("nhqe,nhke->nhqk", q, k) / self.d_head ** 0.5
            scores = scores.masked_fill(mask, float("-inf"))
            z = torch.einsum("nhqk,nhke->nhqe", scores.softmax(-1), v)
            x = x + torch.einsum("nhqe,hed->nqd", z, self.get(b + "attn.W_O"))
            if self.get(b + "attn.b_O") is not None:
                x = x + self.get(b + "attn.b_O")
            y = self.layer_norm(x, b + "ln2") if self.ln else x
            pre = y @ self.get(b + "mlp.W_in")
            if self.get(b + "mlp.b_in") is not None:
                pre = pre + self.get(b + "mlp.b_in")
            out = F.relu(pre) @ self.get(b + "mlp.W_out")
            if self.get(b + "mlp.b_out") is not None:
                out = out + self.get(b + "mlp.b_out")
            x = x + out
        if self.ln:
            x = self.layer_norm(x, "ln_final")
        logits = x @ self.get("unembed.W_U")
        if self.get("unembed.b_U") is not None:
            logits = logits + self.get("unembed.b_U")
        return logits[:, -1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.run_dir, "config.toml"), "rb") as f:
        cfg = tomllib.load(f)
    if cfg["model"]["kind"] != "transformer":
        raise SystemExit("torch_transformer.py: model.kind must be transformer")
    if int(cfg["train"]["batch_size"]) != 0:
        raise SystemExit("torch_transformer.py: only full-batch training is implemented")
    split = np.load(os.path.join(args.run_dir, "split.npz"))
    npz = np.load(os.path.join(args.run_dir, "params_init.npz"))
    dtype = torch.float64 if cfg["train"]["dtype"] == "f64" else torch.float32
    model = Transformer(cfg, {k: npz[k] for k in npz.files}, dtype)
    p = int(cfg["task"]["p"])
    tr = torch.tensor(split["train_idx"])
    a = torch.tensor(split["a"].astype(np.int64))[tr]
    b = torch.tensor(split["b"].astype(np.int64))[tr]
    y = torch.tensor(split["c"].astype(np.int64))[tr]
    tokens = torch.stack([a, b, torch.full_like(a, p)], dim=1)
    o = cfg["optim"]
    cls = torch.optim.AdamW if o["kind"] == "adamw" else torch.optim.Adam
    opt = cls(model.parameters(), lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], weight_decay=o["weight_decay"])
    warm = int(o.get("warmup_steps", 0))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(s / warm, 1.0)) if warm > 0 else None

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(tokens), y)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return loss

    for _ in range(args.warmup):
        train_step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        loss = train_step()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    json.dump({"model": "transformer", "threads": args.threads, "torch": torch.__version__,
               "dtype": str(dtype).replace("torch.", ""), "steps": args.steps, "seconds": dt,
               "steps_per_second": args.steps / dt, "cpu_seconds": cpu, "cpu_steps_per_second": args.steps / cpu,
               "final_loss": float(loss), "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss},
              sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
