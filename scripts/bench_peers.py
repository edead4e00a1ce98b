#!/usr/bin/env python3
"""Runs the issue's three workloads in micrograd, PyTorch (one thread) and numpy, where installed, runs
calc-dl-bench, and prints a ratio table (peer seconds / calc_dl seconds: above 1 means calc_dl is faster).

    python3 scripts/bench_peers.py            # builds and runs calc-dl-bench itself
    python3 scripts/bench_peers.py --ours FILE # reads calc-dl-bench's JSON lines from FILE instead

A throwaway environment with the peers:  python3 -m venv /tmp/peers-venv &&
/tmp/peers-venv/bin/pip install micrograd numpy torch  (then run this script with /tmp/peers-venv/bin/python).

Workloads (as in calc-dl-bench):
  mlp-step      MLP 2-16-16-1 relu, 100 two-moons points, hinge loss mean(relu(1 - y*score)),
                one forward + backward + SGD update
  rosenbrock    n = 1000, f and its gradient, x = (-1.2, 1, -1.2, 1, ...)
  linreg-epoch  N = 100,000 samples, 8 features, one full-batch MSE gradient and update
"""
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time

# One thread everywhere, as calc_dl runs: set before numpy or torch load their thread pools.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_secs(f, samples=11, target=0.02):
    """Median seconds per call: batches of about `target` seconds after a warm-up, as calc-dl-bench."""
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < 0.2 or calls < 3:
        f()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    batch = max(1, math.ceil(target / per_call))
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(batch):
            f()
        times.append((time.perf_counter() - t) / batch)
    return statistics.median(times)


def two_moons(n=100, noise=0.1, seed=0):
    rng = random.Random(seed)
    outer, inner = n // 2, n - n // 2
    xs, ys = [], []
    for i in range(outer):
        t = math.pi * i / (outer - 1)
        xs.append([math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)])
        ys.append(-1.0)
    for i in range(inner):
        t = math.pi * i / (inner - 1)
        xs.append([1 - math.cos(t) + rng.gauss(0, noise), 0.5 - math.sin(t) + rng.gauss(0, noise)])
        ys.append(1.0)
    return xs, ys


def peers():
    results = {}
    xs, ys = two_moons()
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP

        random.seed(1337)
        model = MLP(2, [16, 16, 1])

        def step():
            inputs = [list(map(Value, x)) for x in xs]
            scores = list(map(model, inputs))
            losses = [(1 + -y * s).relu() for y, s in zip(ys, scores)]
            loss = sum(losses) * (1.0 / len(losses))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.05 * p.grad

        results[("mlp-step", "scalar_s", "micrograd")] = median_secs(step, samples=3, target=0.0)
    except ImportError:
        print("micrograd not installed: skipped", file=sys.stderr)
    try:
        import torch

        torch.set_num_threads(1)
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1)
        ).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        X = torch.tensor(xs, dtype=torch.float64)
        Y = torch.tensor(ys, dtype=torch.float64).reshape(-1, 1)

        def step():
            opt.zero_grad()
            loss = torch.relu(1 - Y * model(X)).mean()
            loss.backward()
            opt.step()

        results[("mlp-step", "tensor_s", "pytorch")] = median_secs(step)

        x0 = torch.tensor([-1.2 if i % 2 == 0 else 1.0 for i in range(1000)], dtype=torch.float64)

        def rosen(x):
            return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()

        def f():
            with torch.no_grad():
                rosen(x0)

        def grad():
            x = x0.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(rosen(x), x)
            return g

        results[("rosenbrock", "f_s", "pytorch")] = median_secs(f)
        results[("rosenbrock", "grad_s", "pytorch")] = median_secs(grad)

        gen = torch.Generator().manual_seed(0)
        Xl = torch.randn(100_000, 8, dtype=torch.float64, generator=gen)
        yl = Xl @ torch.arange(1.0, 9.0, dtype=torch.float64) + 0.1 * torch.randn(100_000, dtype=torch.float64, generator=gen)
        w = torch.zeros(8, dtype=torch.float64, requires_grad=True)
        b = torch.zeros((), dtype=torch.float64, requires_grad=True)
        lopt = torch.optim.SGD([w, b], lr=0.01)

        def epoch():
            lopt.zero_grad()
            loss = ((Xl @ w + b - yl) ** 2).mean()
            loss.backward()
            lopt.step()

        results[("linreg-epoch", "epoch_s", "pytorch")] = median_secs(epoch)
    except ImportError:
        print("torch not installed: skipped", file=sys.stderr)
    try:
        import numpy as np

        rng = np.random.default_rng(0)
        Xn = rng.standard_normal((100_000, 8))
        yn = Xn @ np.arange(1.0, 9.0) + 0.1 * rng.standard_normal(100_000)
        state = {"w": np.zeros(8), "b": 0.0}

        def epoch():
            err = Xn @ state["w"] + state["b"] - yn
            gw = 2.0 / len(yn) * (Xn.T @ err)
            gb = 2.0 * err.mean()
            state["w"] -= 0.01 * gw
            state["b"] -= 0.01 * gb

        results[("linreg-epoch", "epoch_s", "numpy")] = median_secs(epoch)

        xr = np.array([-1.2 if i % 2 == 0 else 1.0 for i in range(1000)])

        def f():
            return np.sum(100 * (xr[1:] - xr[:-1] ** 2) ** 2 + (1 - xr[:-1]) ** 2)

        def grad():  # written by hand: numpy has no autodiff
            a = xr[1:] - xr[:-1] ** 2
            g = np.zeros_like(xr)
            g[:-1] = -400 * xr[:-1] * a - 2 * (1 - xr[:-1])
            g[1:] += 200 * a
            return g

        results[("rosenbrock", "f_s", "numpy")] = median_secs(f)
        results[("rosenbrock", "grad_s", "numpy (hand-written gradient)")] = median_secs(grad)
    except ImportError:
        print("numpy not installed: skipped", file=sys.stderr)
    return results


def ours(path):
    if path:
        text = open(path).read()
    else:
        text = subprocess.run(
            ["cargo", "run", "--quiet", "--release", "--bin", "calc-dl-bench"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    return {d["workload"]: d for d in map(json.loads, filter(str.strip, text.splitlines()))}


def main():
    path = sys.argv[sys.argv.index("--ours") + 1] if "--ours" in sys.argv else None
    mine = ours(path)
    theirs = peers()
    print(f"{'workload':<14} {'measure':<10} {'peer':<32} {'peer':>12} {'calc_dl':>12} {'ratio':>9}")
    for (workload, key, peer), t in theirs.items():
        m = mine.get(workload, {}).get(key)
        ratio = f"{t / m:8.1f}x" if m else "-"
        m_text = f"{m:12.3e}" if m else f"{'-':>12}"
        print(f"{workload:<14} {key:<10} {peer:<32} {t:12.3e} {m_text} {ratio:>9}")
    print("ratio = peer time / calc_dl time (higher is better for calc_dl); seconds per iteration, median")


if __name__ == "__main__":
    main()
