#!/usr/bin/python3
"""PyTorch side of the grokscope benchmark: trains the configuration of a grokscope run directory.

It reads DIR/config.toml, DIR/split.npz and DIR/params_init.npz written by `grokscope train`, so both sides train
from the same data split and the same initial parameters, with the same optimizer semantics (torch.optim.SGD /
Adam / AdamW, coupled or decoupled weight decay as in science.md §6.1), full batch, cross-entropy, f32 or f64.

Two formulations of the first layer (same function, same gradients):
  onehot  x = concat(one_hot(a), one_hot(b)) (n x 2p); z = x W1^T + b1   (nn.Linear on one-hot inputs; Lyu's code)
  gather  z = E[a] + E[p + b] + b1 with E = W1^T (2p x h) as the parameter (embedding sum; index_add backward)

Modes:
  speed  --warmup W --steps N: W untimed steps, then N timed full-batch steps (forward, loss, backward, optimizer
         step); prints JSON with steps_per_second.
  tgen   trains on the config's evaluation schedule (log or linear, same formula as src/train/eval_schedule.cpp) and
         stops at the first evaluation with test accuracy >= eval.acc_threshold (t_gen); prints JSON with the
         step and the wall time, evaluation included.
Zoo models (speed mode only):
  diagonal              f = X (u^2 - v^2) (depth 2), logistic loss softplus(-y f); u, v from params_init.npz. The
                        n x d training matrix is not in the run directory, so it is drawn here with the same shape and
                        distribution (standard normal; labels sign(X w*) with w* from split.npz): same arithmetic per
                        step, not the same numbers.
  matrix_factorization  f(i, j) = <U_i, U_j> - <V_i, V_j>, squared loss on the training cells of split.npz against
                        X* (same data and initial parameters as grokscope).
CPU time: speed mode also reports cpu_seconds (process CPU time of the timed steps) and cpu_steps_per_second, which
on a shared machine measure a 1-thread run's cost independently of time-sharing with other processes.
Threads: --threads T sets torch.set_num_threads(T); the caller should also set OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS (PyTorch 1.13 from Debian does its GEMMs in OpenBLAS, whose thread count torch does not set).
"""
import argparse
import json
import math
import os
import resource
import sys
import time
import tomllib

import numpy as np
import torch
import torch.nn.functional as F


def load_run(run_dir):
    with open(os.path.join(run_dir, "config.toml"), "rb") as f:
        cfg = tomllib.load(f)
    split = np.load(os.path.join(run_dir, "split.npz"))
    params = np.load(os.path.join(run_dir, "params_init.npz"))
    return cfg, split, {k: params[k] for k in params.files}


def eval_steps(ev, total):
    """src/train/eval_schedule.cpp: log-spaced (llround(10^(j/ppd))) or every `every` steps, plus 0 and total."""
    if ev["schedule"] == "linear":
        every = max(1, int(ev["every"]))
        out = list(range(0, total, every)) + [total]
        return sorted(set(out))
    ppd = max(1, int(ev["points_per_decade"]))
    steps = [0]
    j = 0
    while True:
        s = int(math.floor(10.0 ** (j / ppd) + 0.5))  # llround for positive values
        if s > total:
            break
        if s != steps[-1]:
            steps.append(s)
        j += 1
    if steps[-1] != total:
        steps.append(total)
    return steps


class Mlp(torch.nn.Module):
    def __init__(self, cfg, params, variant, dtype):
        super().__init__()
        model = cfg["model"]
        if model["activation"] != "relu":
            raise SystemExit("torch_train.py: only relu is implemented")
        self.p = int(cfg["task"]["p"])
        self.encoding = cfg["task"]["encoding"]
        self.variant = variant
        names = sorted({k[1:] for k in params if k.startswith("w")}, key=int)
        self.n_layers = len(names)
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        self.has_bias = []
        for i in names:
            w = torch.tensor(params[f"w{i}"], dtype=dtype)
            if i == "1" and variant == "gather":
                w = w.t().contiguous()  # E = W1^T, (input_dim x h)
            self.weights.append(torch.nn.Parameter(w))
            b = params.get(f"b{i}")
            self.has_bias.append(b is not None)
            if b is not None:
                self.biases.append(torch.nn.Parameter(torch.tensor(b, dtype=dtype)))

    def tokens(self, a, b):
        return torch.stack([a, b + (self.p if self.encoding == "concat" else 0)], dim=1)

    def dense_input(self, tok, input_dim, dtype):
        x = torch.zeros(tok.shape[0], input_dim, dtype=dtype)
        x.scatter_add_(1, tok, torch.ones(tok.shape, dtype=dtype))  # sum encoding: a == b gives a 2
        return x

    def forward(self, inp):
        bi = 0
        h = None
        for l in range(self.n_layers):
            w = self.weights[l]
            b = None
            if self.has_bias[l]:
                b = self.biases[bi]
                bi += 1
            if l == 0 and self.variant == "gather":
                z = F.embedding(inp, w).sum(dim=1)  # rows of E for both tokens
                if b is not None:
                    z = z + b
            else:
                z = F.linear(inp if l == 0 else h, w, b)
            if l < self.n_layers - 1:
                h = F.relu(z)
            else:
                return z


class Diagonal(torch.nn.Module):
    def __init__(self, cfg, params, dtype):
        super().__init__()
        if int(cfg["model"]["depth"]) != 2:
            raise SystemExit("torch_train.py: the diagonal net is implemented for depth 2 only")
        self.u = torch.nn.Parameter(torch.tensor(params["u"], dtype=dtype))
        self.v = torch.nn.Parameter(torch.tensor(params["v"], dtype=dtype))

    def forward(self, x):
        return x @ ((self.u - self.v) * (self.u + self.v))


class Factorization(torch.nn.Module):
    def __init__(self, params, dtype):
        super().__init__()
        self.U = torch.nn.Parameter(torch.tensor(params["U"], dtype=dtype))
        self.V = torch.nn.Parameter(torch.tensor(params["V"], dtype=dtype))

    def forward(self, ij):
        i, j = ij[:, 0], ij[:, 1]
        return (self.U[i] * self.U[j]).sum(dim=1) - (self.V[i] * self.V[j]).sum(dim=1)


def zoo_setup(cfg, split, params, dtype):
    """(model, train_input, loss_fn) of a zoo run."""
    kind = cfg["model"]["kind"]
    if kind == "diagonal":
        model = Diagonal(cfg, params, dtype)
        n, d = int(cfg["task"]["n_train"]) or 256, int(cfg["task"]["d"])
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(n, d, generator=gen, dtype=dtype)
        y = torch.sign(x @ torch.tensor(split["w_star"], dtype=dtype))
        return model, x, lambda f: F.softplus(-y * f).mean()
    if kind == "matrix_factorization":
        model = Factorization(params, dtype)
        d = int(params["U"].shape[0])
        cells = torch.tensor(split["train_cells"])
        ij = torch.stack([cells // d, cells % d], dim=1)
        target = torch.tensor(split["X_star"], dtype=dtype).reshape(-1)[cells]
        return model, ij, lambda f: F.mse_loss(f, target)
    raise SystemExit(f"torch_train.py: model.kind {kind} not implemented")


def make_optimizer(cfg, params):
    o = cfg["optim"]
    if o.get("groups"):
        raise SystemExit("torch_train.py: optim.groups not implemented")
    if o["kind"] == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], weight_decay=o["weight_decay"], momentum=o["momentum"],
                               nesterov=o["nesterov"], foreach=False)
    cls = torch.optim.AdamW if o["kind"] == "adamw" else torch.optim.Adam
    return cls(params, lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], weight_decay=o["weight_decay"],
               foreach=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir")
    ap.add_argument("--mode", choices=["speed", "tgen"], default="speed")
    ap.add_argument("--variant", choices=["onehot", "gather"], default="onehot")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--max-steps", type=int, default=0, help="tgen mode: give up after this many steps "
                    "(default: the config's train.steps)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    cfg, split, params = load_run(args.run_dir)
    if cfg["model"].get("kind", "mlp") != "mlp":
        return zoo_main(args, cfg, split, params)
    if cfg["loss"]["kind"] != "cross_entropy" or int(cfg["train"]["batch_size"]) != 0:
        raise SystemExit("torch_train.py: only full-batch cross-entropy is implemented")
    dtype = torch.float64 if cfg["train"]["dtype"] == "f64" else torch.float32
    torch.manual_seed(0)
    model = Mlp(cfg, params, args.variant, dtype)
    a = torch.tensor(split["a"].astype(np.int64))
    b = torch.tensor(split["b"].astype(np.int64))
    c = torch.tensor(split["c"].astype(np.int64))
    tr = torch.tensor(split["train_idx"])
    te = torch.tensor(split["test_idx"])
    input_dim = (2 if cfg["task"]["encoding"] == "concat" else 1) * model.p
    tok_train, tok_test = model.tokens(a[tr], b[tr]), model.tokens(a[te], b[te])
    if args.variant == "onehot":
        x_train = model.dense_input(tok_train, input_dim, dtype)
        x_test = model.dense_input(tok_test, input_dim, dtype)
    else:
        x_train, x_test = tok_train, tok_test
    y_train, y_test = c[tr], c[te]
    opt = make_optimizer(cfg, model.parameters())
    warmup_steps = int(cfg["optim"]["warmup_steps"])
    sched = None
    if warmup_steps > 0:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(s / warmup_steps, 1.0))

    def train_step():
        opt.zero_grad(set_to_none=True)
        out = model(x_train)
        loss = F.cross_entropy(out, y_train)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return out, loss

    result = {"variant": args.variant, "threads": args.threads, "torch": torch.__version__,
              "dtype": str(dtype).replace("torch.", "")}
    if args.mode == "speed":
        for _ in range(args.warmup):
            train_step()
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.steps):
            _, loss = train_step()
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        result.update(steps=args.steps, seconds=dt, steps_per_second=args.steps / dt, final_loss=float(loss),
                      cpu_seconds=cpu, cpu_steps_per_second=args.steps / cpu)
    else:
        total = args.max_steps or int(cfg["train"]["steps"])
        schedule = set(eval_steps(cfg["eval"], total))
        threshold = float(cfg["eval"]["acc_threshold"])
        t0 = time.perf_counter()
        step, t_gen, evals, eval_seconds = 0, None, 0, 0.0
        while True:
            if step in schedule:
                e0 = time.perf_counter()
                with torch.no_grad():
                    acc = (model(x_test).argmax(dim=1) == y_test).double().mean().item()
                evals += 1
                eval_seconds += time.perf_counter() - e0
                if acc >= threshold:
                    t_gen = step
                    break
            if step >= total:
                break
            train_step()
            step += 1
        dt = time.perf_counter() - t0
        result.update(t_gen_step=t_gen, steps=step, seconds=dt, evals=evals, eval_seconds=eval_seconds,
                      steps_per_second=step / dt if dt > 0 else 0.0)
    result["max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


def zoo_main(args, cfg, split, params):
    if args.mode != "speed":
        raise SystemExit("torch_train.py: zoo models support --mode speed only")
    dtype = torch.float64 if cfg["train"]["dtype"] == "f64" else torch.float32
    model, x, loss_fn = zoo_setup(cfg, split, params, dtype)
    opt = make_optimizer(cfg, model.parameters())

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x))
        loss.backward()
        opt.step()
        return loss

    for _ in range(args.warmup):
        train_step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        loss = train_step()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    result = {"cpu_seconds": cpu, "cpu_steps_per_second": args.steps / cpu,"model": cfg["model"]["kind"], "threads": args.threads, "torch": torch.__version__,
              "dtype": str(dtype).replace("torch.", ""), "steps": args.steps, "seconds": dt,
              "steps_per_second": args.steps / dt, "final_loss": float(loss),
              "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
