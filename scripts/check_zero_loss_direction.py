#!/usr/bin/python3
"""Independent PyTorch/NumPy check of the zero_loss_direction probe on a finished run directory.

From the run's params_final.npz (PyTorch orientation) and split.npz, recomputes for the last metrics.csv row:
theta' (torch.optim.SGD, momentum, no weight decay, nn.MSELoss mean), dist_Z = |theta - theta'|, L(theta'), the
Jacobian J of the stacked training outputs at theta' (torch.autograd.functional.jacobian), its rank (SVD) and
g~ = (I - J^+ J)(-theta) (numpy.linalg.lstsq), and prints them next to the probe's columns. Only for the bias-free
MLP of MU-4 (a + b mod p, sum encoding, one hidden ReLU layer, MSE mean). Usage:
    /usr/bin/python3 scripts/check_zero_loss_direction.py runs/mu4
"""
import csv
import sys

import numpy as np
import torch


def main(run):
    params = np.load(f"{run}/params_final.npz")
    split = np.load(f"{run}/split.npz")
    w1 = torch.tensor(params["w1"], dtype=torch.float64)   # hidden x p
    w2 = torch.tensor(params["w2"], dtype=torch.float64)   # p x hidden
    p = w1.shape[1]
    idx = split["train_idx"]
    a, b, c = split["a"][idx], split["b"][idx], split["c"][idx]
    x = torch.zeros(len(idx), p, dtype=torch.float64)
    x[np.arange(len(idx)), a] += 1.0
    x[np.arange(len(idx)), b] += 1.0
    y = torch.nn.functional.one_hot(torch.tensor(c, dtype=torch.int64), p).to(torch.float64)
    with open(f"{run}/metrics.csv") as f:
        last = list(csv.DictReader(f))[-1]

    def forward(u1, u2):
        return torch.relu(x @ u1.T) @ u2.T

    theta = torch.cat([w1.flatten(), w2.flatten()])
    q1, q2 = w1.clone().requires_grad_(), w2.clone().requires_grad_()
    opt = torch.optim.SGD([q1, q2], lr=1.0, momentum=0.9)
    for _ in range(100):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(forward(q1, q2), y)
        loss.backward()
        opt.step()
    with torch.no_grad():
        loss_prime = torch.nn.functional.mse_loss(forward(q1, q2), y).item()
    theta_prime = torch.cat([q1.detach().flatten(), q2.detach().flatten()])
    jac = torch.autograd.functional.jacobian(lambda u1, u2: forward(u1, u2).flatten(), (q1.detach(), q2.detach()))
    jmat = torch.cat([jac[0].reshape(jac[0].shape[0], -1), jac[1].reshape(jac[1].shape[0], -1)], dim=1).numpy()
    sv = np.linalg.svd(jmat, compute_uv=False)
    rank = int((sv > 1e-10 * sv[0]).sum())
    minus_theta = -theta.numpy()
    alpha = np.linalg.lstsq(jmat.T, minus_theta, rcond=1e-10)[0]
    gtilde = minus_theta - jmat.T @ alpha
    print(f"step {last['step']}")
    print(f"zl_dist         torch {float((theta - theta_prime).norm()):.10g}   probe {last['zl_dist']}")
    print(f"zl_loss         torch {loss_prime:.6g}   probe {last['zl_loss']}")
    print(f"zl_rank         torch {rank} (J {jmat.shape[0]} x {jmat.shape[1]}, sv min/max {sv[-1] / sv[0]:.3g})"
          f"   probe {last['zl_rank']}")
    print(f"zl_tangent_frac torch {np.linalg.norm(gtilde) / np.linalg.norm(minus_theta):.10g}"
          f"   probe {last['zl_tangent_frac']}")


if __name__ == "__main__":
    main(sys.argv[1])
