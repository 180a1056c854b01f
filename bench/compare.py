#!/usr/bin/python3
"""End-to-end benchmark driver: grokscope vs PyTorch on the same configurations (called by bench/run.sh).

For every configuration it trains with `grokscope train` (steps/s from summary.json's timing, evaluation excluded:
the throughput runs evaluate only at step 0 and at the end, with no probes) and with bench/torch_train.py on the
grokscope run directory (same split, same initial parameters, same optimizer semantics, same precision). Both sides
are tried at 1 and 2 threads (grokscope: train.threads; PyTorch: torch.set_num_threads plus OMP/OpenBLAS thread
variables), measurements of the two sides are interleaved and repeated, and the best of each side is reported with
its thread count. Peak RSS: /usr/bin/time for grokscope, getrusage inside the PyTorch process. The machine's 1-minute
load average is recorded before each measurement and printed with the table: on a shared machine the numbers are
only as good as the load column says.

The demo configuration (configs/demo.toml, AdamW, default diagnostics) is also run to its t_gen on both sides: wall
time to t_gen, evaluation included. grokscope's wall time to t_gen is seconds x t_gen / steps_done of its run (the
run continues past t_gen until the early stop; evaluation is under 1% of the time, so the proportion is accurate).

GFLOP/s counts the arithmetic of grokscope's formulation (the same useful work is credited to PyTorch):
  two-layer token MLP (n rows, width W, C classes): 6 n W C per step (forward head GEMM, its weight gradient, the
  hidden-layer delta; the first layer is a gather and scatter-add, counted as 0); diagonal net: 4 n d (two GEMVs);
  matrix factorization: 8 d^3 (its dense path: four d x d x d GEMMs; the row-by-row formulation PyTorch runs does
  12 n d = 4.4 MFLOP at d = 97, 40% observed, against 7.3); Nanda's 1-layer transformer
  (n rows, d_model d, d_mlp m, C answers, U = (p + 1) * 3 token-position pairs): n (12 d m + 6 d^2 + 6 d C) + 18 U d^2
  (MLP, W_O and W_U at the last position, Q/K/V on the pair table; attention scores and softmax not counted).
  PyTorch runs Nanda's formulation (bench/torch_transformer.py: every position through every layer), so it does
  about twice that arithmetic for the same step.
The share of the GEMM peak divides by the best square sgemm rate measured by grokscope_gemm_peak at the same thread
count (same BLAS, same kernel set).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH = os.path.join(ROOT, "bench", "torch_train.py")
TORCH_TRANSFORMER = os.path.join(ROOT, "bench", "torch_transformer.py")
PY = "/usr/bin/python3"


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.loads = []

    def gs_run(self, name, config, sets, threads):
        out = os.path.join(self.work, name)
        cmd = ["/usr/bin/time", "-f", "%M %U %S", self.args.grokscope, "train", config, "--out", out, "--force",
               "--set", f"train.threads={threads}"]
        for s in sets:
            cmd += ["--set", s]
        self.loads.append(load1())
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"compare.py: grokscope failed ({' '.join(cmd)}):\n{p.stderr[-2000:]}")
        rss, user, sys_ = p.stderr.strip().splitlines()[-1].split()
        rss_kib = int(rss)
        self.last_cpu = float(user) + float(sys_)
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        return out, summary, rss_kib

    def gs_speed(self, name, config, sets, steps, threads):
        sets = list(sets) + [f"train.steps={steps}", "train.early_stop=false", "eval.schedule=linear",
                             "eval.every=1000000000", 'eval.probes=["none"]']
        out, s, rss = self.gs_run(name, config, sets, threads)
        t = s["timing"]
        train_seconds = t["seconds"] - t["eval_seconds"]
        # CPU time of the training steps alone (summary.json's cpu_seconds - eval_cpu_seconds), as PyTorch's side
        # measures its timed steps; the whole process's CPU time (setup, data, evaluations) stays as a lower bound.
        step_cpu = t.get("cpu_seconds", 0.0) - t.get("eval_cpu_seconds", 0.0)
        return out, {"sps": steps / train_seconds, "rss_kib": rss, "threads": threads, "load": self.loads[-1],
                     "eval_fraction": t["eval_fraction"], "cpu_sps_process": steps / self.last_cpu,
                     "cpu_sps": steps / step_cpu if step_cpu > 0 else steps / self.last_cpu}

    def torch(self, run_dir, threads, extra, coretype=None, script=TORCH):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                   MKL_NUM_THREADS=str(threads))
        if coretype:
            env["OPENBLAS_CORETYPE"] = coretype
        self.loads.append(load1())
        cmd = [PY, script, run_dir, "--threads", str(threads)] + extra
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if p.returncode != 0:
            raise SystemExit(f"compare.py: torch_train.py failed ({' '.join(cmd)}):\n{p.stderr[-2000:]}")
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r["load"] = self.loads[-1]
        return r

    def speed_pair(self, name, config, sets, gs_steps, torch_steps, torch_warmup, flops, script=TORCH):
        """Interleaved, repeated measurements; best of each side over threads {1, 2} and repeats."""
        best_gs, best_torch, cpu_gs, cpu_torch, cpu_gs_process = None, None, 0.0, 0.0, 0.0
        gs_by_threads = {}  # threads -> best grokscope steps/s (training time, evaluation excluded)
        run_dir = None
        for rep in range(self.args.repeats):
            for threads in self.args.threads:
                run_dir, g = self.gs_speed(f"{name}-t{threads}", config, sets, gs_steps, threads)
                log(f"  {name}: grokscope threads={threads} {g['sps']:.1f} steps/s (load {g['load']:.2f})")
                if best_gs is None or g["sps"] > best_gs["sps"]:
                    best_gs = g
                gs_by_threads[threads] = max(gs_by_threads.get(threads, 0.0), g["sps"])
                t = self.torch(run_dir, threads, ["--warmup", str(torch_warmup), "--steps", str(torch_steps)],
                               self.args.torch_coretype, script)
                t["sps"] = t["steps_per_second"]
                log(f"  {name}: pytorch   threads={threads} {t['sps']:.1f} steps/s (load {t['load']:.2f})")
                if best_torch is None or t["sps"] > best_torch["sps"]:
                    best_torch = t
                if threads == 1:  # CPU-time rates of the 1-thread runs (the training steps on both sides)
                    cpu_gs = max(cpu_gs, g["cpu_sps"])
                    cpu_gs_process = max(cpu_gs_process, g["cpu_sps_process"])
                    cpu_torch = max(cpu_torch, t.get("cpu_steps_per_second", 0.0))
        return {"config": name, "gs": best_gs, "torch": best_torch, "flops": flops, "cpu_gs": cpu_gs,
                "cpu_torch": cpu_torch, "gs_by_threads": gs_by_threads, "cpu_gs_process": cpu_gs_process}

    def eval_share(self, widths, lengths):
        """Share of the run time spent in evaluation with the default diagnostics (issue: at most 5%): the Lyu setup,
        log schedule (20 points per decade), 1 thread, and the same run with no probes (the test-set pass alone)."""
        config = os.path.join(ROOT, "configs", "modadd.toml")
        out = []
        for width in widths:
            for steps in lengths:
                row = {"width": width, "steps": steps}
                for probes in ("default", "none"):
                    _, s, _ = self.gs_run(f"eval-w{width}-s{steps}-{probes}", config,
                                          [f"model.hidden=[{width}]", f"train.steps={steps}", "train.early_stop=false",
                                           f'eval.probes=["{probes}"]'], 1)
                    t = s["timing"]
                    with open(os.path.join(self.work, f"eval-w{width}-s{steps}-{probes}", "metrics.csv")) as f:
                        evals = sum(1 for _ in f) - 1
                    row[probes] = {"fraction": t["eval_fraction"], "eval_seconds": t["eval_seconds"],
                                   "seconds": t["seconds"], "evals": evals, "load": self.loads[-1]}
                log(f"  eval share W={width} steps={steps}: {100 * row['default']['fraction']:.1f}% "
                    f"({100 * row['none']['fraction']:.1f}% without probes) (load {self.loads[-1]:.2f})")
                out.append(row)
        return out

    def demo(self):
        """Wall time to t_gen of configs/demo.toml on both sides."""
        config = os.path.join(ROOT, "configs", "demo.toml")
        threads = self.args.demo_threads
        out, s, rss = self.gs_run("demo", config, [], threads)
        t_gen = s["clocks"].get("t_gen")
        if not t_gen or t_gen.get("step") is None:
            raise SystemExit("compare.py: the demo run did not reach t_gen")
        gs_step = int(t_gen["step"])
        steps_done = int(s["steps_done"])
        gs_wall = s["timing"]["seconds"] * gs_step / steps_done
        gs = {"t_gen": gs_step, "wall": gs_wall, "sps": s["timing"]["steps_per_second"], "threads": threads,
              "rss_kib": rss, "eval_fraction": s["timing"]["eval_fraction"], "load": self.loads[-1]}
        log(f"  demo: grokscope t_gen={gs_step} wall {gs_wall:.1f} s (load {gs['load']:.2f})")
        # PyTorch thread count: the faster of 1 and 2 on a short speed run of the same configuration.
        rates = {}
        for th in self.args.threads:
            r = self.torch(out, th, ["--warmup", "20", "--steps", str(self.args.demo_probe_steps)],
                           self.args.torch_coretype)
            rates[th] = r["steps_per_second"]
            log(f"  demo: pytorch speed threads={th} {rates[th]:.1f} steps/s (load {r['load']:.2f})")
        th = max(rates, key=rates.get)
        r = self.torch(out, th, ["--mode", "tgen", "--max-steps", str(int(self.args.demo_max_steps))],
                       self.args.torch_coretype)
        log(f"  demo: pytorch t_gen={r['t_gen_step']} wall {r['seconds']:.1f} s threads={th} (load {r['load']:.2f})")
        return {"gs": gs, "torch": r, "torch_rates": rates}


def fmt_row(cols, widths):
    return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cols, widths)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grokscope", required=True)
    ap.add_argument("--peak", required=True, help="JSON of grokscope_gemm_peak")
    ap.add_argument("--work", required=True, help="scratch folder for run directories")
    ap.add_argument("--results", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--demo-threads", type=int, default=0, help="grokscope's train.threads for the demo (0: all)")
    ap.add_argument("--demo-probe-steps", type=int, default=200)
    ap.add_argument("--demo-max-steps", type=int, default=20000)
    ap.add_argument("--torch-coretype", default=None,
                    help="OPENBLAS_CORETYPE for the PyTorch processes (default: the environment's)")
    ap.add_argument("--only", default="", help="comma-separated subset: lyu128,lyu512,lyu1024,demo,diag,mc,nanda,eval")
    ap.add_argument("--docs", default=os.path.join(ROOT, "docs", "performance.md"),
                    help="replace the block between the bench markers of this file ('' to skip)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.results, exist_ok=True)
    with open(args.peak) as f:
        peak = json.load(f)
    peak_by_threads = {r["threads"]: r["peak"] for r in peak["results"]}
    peak_cpu_by_threads = {r["threads"]: r.get("peak_cpu", 0.0) for r in peak["results"]}
    # The rate of the step's own three GEMM shapes (equal flops each): 3 / (1/fwd + 1/dw + 1/dh), per width.
    step_rate = {(r["threads"], int(w)): 3.0 / sum(1.0 / x for x in rates)
                 for r in peak["results"] for w, rates in r.get("step_shapes", {}).items()}
    # BLAS milliseconds of one step of the diagonal net (two GEMVs) and of matrix completion (four GEMMs).
    kernel_ms = {(r["threads"], k): v for r in peak["results"] for k, v in r.get("kernel_ms", {}).items()}
    b = Bench(args)
    only = set(filter(None, args.only.split(",")))
    want = lambda k: not only or k in only

    n, C = 3763, 97
    modadd = os.path.join(ROOT, "configs", "modadd.toml")
    # (key, width, grokscope steps, torch steps, torch warm-up)
    lyu = [("lyu128", 128, 2000, 400, 50), ("lyu512", 512, 500, 100, 10), ("lyu1024", 1024, 300, 60, 5)]
    rows = []
    for key, width, gs_steps, torch_steps, warm in lyu:
        if not want(key):
            continue
        log(f"[{key}] Lyu setup, width {width}, SGD, f32")
        rows.append(b.speed_pair(f"Lyu W={width} SGD", modadd, [f"model.hidden=[{width}]"], gs_steps, torch_steps,
                                 warm, 6.0 * n * width * C))
        rows[-1]["width"] = width
    zoo_dir = os.path.join(ROOT, "bench", "configs")
    if want("diag"):
        log("[diag] diagonal net d=1e5, n=256, logistic, SGD")
        rows.append(b.speed_pair("diag d=1e5 n=256", os.path.join(zoo_dir, "diagonal.toml"), [], 300, 60, 5,
                                 4.0 * 256 * 100000))
        rows[-1]["kernel"] = "diag"
    if want("mc"):
        log("[mc] matrix completion d=97, squared, SGD")
        rows.append(b.speed_pair("matrix compl. d=97", os.path.join(zoo_dir, "matrix_completion.toml"), [], 5000,
                                 500, 20, 8.0 * 97 ** 3))
        rows[-1]["kernel"] = "mc"
    if want("nanda"):
        log("[nanda] Nanda's 1-layer transformer, p = 113, 30% train, full-batch AdamW, f32")
        d, m, C, U, n_nanda = 128, 512, 113, 114 * 3, 3830
        rows.append(b.speed_pair("Nanda transformer", os.path.join(ROOT, "configs", "zoo", "nanda.toml"), [], 60, 10,
                                 2, n_nanda * (12 * d * m + 6 * d * d + 6 * d * C) + 18 * U * d * d,
                                 TORCH_TRANSFORMER))
    demo = b.demo() if want("demo") else None
    if want("eval"):
        log("[eval] evaluation share, default diagnostics, Lyu setup, log schedule, 1 thread")
    evals = b.eval_share([128, 512, 1024], [300, 3000]) if want("eval") else []

    # ---- the tables ----
    lines, out_rows = [], []
    if rows or demo:
        head = ["config", "gs steps/s", "(thr)", "torch steps/s", "(thr)", "ratio", "GFLOP/s", "% peak", "% step",
                "step/BLAS", "gs RSS MiB", "torch RSS MiB", "load"]
        widths = [20, 10, 5, 13, 5, 6, 8, 7, 7, 9, 10, 13, 9]
        lines += [fmt_row(head, widths), fmt_row(["-" * w for w in widths], widths)]
        for r in rows:
            g, t = r["gs"], r["torch"]
            gflops = r["flops"] * g["sps"] / 1e9
            pk = peak_by_threads.get(g["threads"], max(peak_by_threads.values()))
            loads = f"{min(g['load'], t['load']):.1f}-{max(g['load'], t['load']):.1f}"
            sr = step_rate.get((g["threads"], r.get("width", 0)))
            km = kernel_ms.get((g["threads"], r.get("kernel", "")))
            lines.append(fmt_row([r["config"], f"{g['sps']:.1f}", g["threads"], f"{t['sps']:.1f}", t["threads"],
                                  f"{g['sps'] / t['sps']:.2f}x", f"{gflops:.1f}", f"{100 * gflops / pk:.0f}%",
                                  f"{100 * gflops / sr:.0f}%" if sr else "",
                                  f"{1e3 / g['sps'] / km:.2f}x" if km else "", f"{g['rss_kib'] / 1024:.0f}",
                                  f"{t['max_rss_kib'] / 1024:.0f}", loads], widths))
            out_rows.append(dict(r, gflops=gflops, peak=pk, step_rate=sr, kernel_ms=km))
        if demo:
            g, t = demo["gs"], demo["torch"]
            lines.append(fmt_row(["demo AdamW W=256", f"{g['sps']:.1f}", g["threads"] or "all", f"{t['steps_per_second']:.1f}",
                                  t["threads"], f"{g['sps'] / t['steps_per_second']:.2f}x",
                                  f"{6.0 * n * 256 * C * g['sps'] / 1e9:.1f}", "", "", "", f"{g['rss_kib'] / 1024:.0f}",
                                  f"{t['max_rss_kib'] / 1024:.0f}", f"{g['load']:.1f}-{t['load']:.1f}"], widths))
            lines.append("")
            lines.append(f"demo time to t_gen (evaluation included): grokscope {g['wall']:.1f} s (t_gen = step {g['t_gen']}), "
                         f"PyTorch {t['seconds']:.1f} s (t_gen = step {t['t_gen_step']}, {t['threads']} thread(s)); "
                         f"{t['seconds'] / g['wall']:.2f}x shorter")
        lines.append("")
        lines.append("1 thread, steps per CPU-second of the training steps (process CPU time: insensitive to time-sharing with")
        lines.append("other processes; grokscope: summary.json's cpu_seconds - eval_cpu_seconds, PyTorch: its timed steps;")
        lines.append("'gs process': grokscope's whole process incl. setup and two evaluations, a lower bound)")
        h2 = ["config", "gs", "torch", "ratio", "GFLOP/CPU-s", "% peak", "gs process", "ratio"]
        w2 = [20, 10, 10, 7, 11, 7, 10, 7]
        peak_cpu = peak_cpu_by_threads.get(1, 0.0)
        lines += [fmt_row(h2, w2), fmt_row(["-" * w for w in w2], w2)]
        for r in rows:
            if r["cpu_gs"] > 0 and r["cpu_torch"] > 0 and not r["config"].startswith("diag"):
                cp = r.get("cpu_gs_process", 0.0)
                lines.append(fmt_row([r["config"], f"{r['cpu_gs']:.1f}", f"{r['cpu_torch']:.1f}",
                                      f"{r['cpu_gs'] / r['cpu_torch']:.2f}x", f"{r['flops'] * r['cpu_gs'] / 1e9:.1f}",
                                      f"{100 * r['flops'] * r['cpu_gs'] / 1e9 / peak_cpu:.0f}%" if peak_cpu else "",
                                      f"{cp:.1f}", f"{cp / r['cpu_torch']:.2f}x"], w2))
        one = []
        for r in rows:
            sps1 = r.get("gs_by_threads", {}).get(1)
            sr, km = step_rate.get((1, r.get("width", 0))), kernel_ms.get((1, r.get("kernel", "")))
            if sps1 and sr:
                one.append(f"{r['config']}: {100 * r['flops'] * sps1 / 1e9 / sr:.0f}% of the step-shape rate")
            if sps1 and km:
                one.append(f"{r['config']}: step {1e3 / sps1:.3f} ms = {1e3 / sps1 / km:.2f}x its BLAS time {km:.3f} ms")
        if one:
            lines.append("")
            lines.append("1 thread, training time (evaluation excluded) against the BLAS on the step's own shapes:")
            lines += ["  " + o for o in one]
    if evals:
        lines.append("")
        lines.append("evaluation share of the run time, default diagnostics (Lyu setup, log schedule 20/decade, 1 thread;")
        lines.append("target <= 5%; 'test pass only' = the same run with eval.probes = [\"none\"])")
        h3 = ["width", "steps", "evals", "share", "ms/eval", "test pass only"]
        w3 = [6, 6, 6, 7, 8, 14]
        lines += [fmt_row(h3, w3), fmt_row(["-" * w for w in w3], w3)]
        for e in evals:
            d, n0 = e["default"], e["none"]
            lines.append(fmt_row([e["width"], e["steps"], d["evals"], f"{100 * d['fraction']:.1f}%",
                                  f"{1e3 * d['eval_seconds'] / d['evals']:.1f}", f"{100 * n0['fraction']:.1f}%"], w3))
    lines.append("")
    now = datetime.datetime.now()
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    cpu, isa = "unknown", "unknown ISA"
    with open("/proc/cpuinfo") as f:
        info = f.read()
    m = re.search(r"model name\s*:\s*(.*)", info)
    cpu = m.group(1) if m else cpu
    m = re.search(r"^flags\s*:\s*(.*)$", info, re.M)
    if m:
        flags = set(m.group(1).split())
        isa = ("AVX-512 (" + " ".join(sorted(f for f in flags if f.startswith("avx512"))) + ")" if "avx512f" in flags
               else "AVX2 + FMA, no AVX-512" if {"avx2", "fma"} <= flags else "no AVX2")
    header = [
        f"date {now:%Y-%m-%d %H:%M}, commit {commit}, {platform.node()}: {cpu}, {os.cpu_count()} cores, {isa}, "
        f"{platform.python_version()} / torch {rows[0]['torch']['torch'] if rows else '?'}",
        f"BLAS: {peak['blas']}, kernel set {peak['core']} (OPENBLAS_CORETYPE="
        f"{os.environ.get('OPENBLAS_CORETYPE', 'unset')}; PyTorch: {args.torch_coretype or 'same environment'})",
        "'% step': GFLOP/s over the same BLAS's rate on the step's own three GEMM shapes (Lyu rows; grokscope_gemm_peak); "
        "'step/BLAS': step time over the BLAS time of the step's GEMVs (diag) or GEMMs (matrix completion's dense path)",
        "measured sgemm peak (GFLOP/s, best square n=2048/4096; wall clock, and per CPU-second): "
        + ", ".join(f"{r['threads']} thread(s) {r['peak']:.1f} ({r.get('peak_cpu', 0):.1f})" for r in peak["results"]),
        f"1-minute load average during the measurements: {min(b.loads):.1f} to {max(b.loads):.1f} "
        f"(2 cores; above ~0.5 the machine was shared and the numbers are low and noisy)",
    ]
    text = "\n".join(header + [""] + lines) + "\n"
    print(text)
    stamp = f"{now:%Y%m%d-%H%M%S}"
    with open(os.path.join(args.results, f"bench-{stamp}.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(args.results, f"bench-{stamp}.json"), "w") as f:
        json.dump({"peak": peak, "rows": out_rows, "demo": demo, "eval_share": evals, "loads": b.loads, "header": header}, f, indent=1)
    shutil.copyfile(os.path.join(args.results, f"bench-{stamp}.txt"), os.path.join(args.results, "latest.txt"))
    if args.docs and os.path.exists(args.docs):
        with open(args.docs) as f:
            doc = f.read()
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        if begin in doc and end in doc:
            block = f"{begin}\n```\n{text}```\n{end}"
            doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
            with open(args.docs, "w") as f:
                f.write(doc)
            log(f"updated {args.docs}")


if __name__ == "__main__":
    main()
