#!/usr/bin/env python3
"""Measure what a learner waits for, in a real new kernel after set-up has warmed evcxr's cache.

Prints: kernel start, the first `:dep` cell (the book's set-up cell), `use calc_dl::prelude::*;`,
the first plot cell, the median of a set of typical lesson cells, and the whole book
(every notebooks/*.ipynb through tests/run_notebooks.py), against the goals of issue 4.
  --tables     use the `features = ["tables"]` set-up cell (polars)
  --repeat N   start N kernels and report the median of each number (default 1)
  --browser    also JupyterLab in headless Chromium, kernel pool on and off in one run
               (tests/browser/bench_browser.mjs): opening a notebook to its first computing
               output, and a kernel restart to idle (issue 16)
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import time
from pathlib import Path

from calc_dl_nb import runner
from calc_dl_nb.env import ROOT, book_dep_line
from calc_dl_nb.kernel import Kernel

GOALS = {"dep": 5.0, "plot": 3.0, "median": 0.8, "book": 300.0}

# A plot as the lessons draw one: calc_dl's lesson helper, shown inline through evcxr_display.
# (Measured: a final expression ending in `?` is shown with Debug, as text; `.unwrap()` or
# `let fig = ...?; fig` shows the SVG.)
PLOT_CELL = 'plot::tangent_lines("접선의 기울기 = 미분", |x| x * x, (-3.0, 3.0), &[-2.0, 0.0, 1.5]).unwrap()'
TYPICAL_CELLS = [
    "fn f<S: Scalar>(x: S) -> S { x * x * x - x * 2.0 }",
    "derivative(f, 2.0)?",
    "let xs: Vec<f64> = (0..5).map(|i| i as f64 * 0.5).collect();",
    "xs.iter().map(|&x| derivative(f, x).unwrap()).collect::<Vec<_>>()",
    "numeric::derivative(f, 2.0)?.value",
    "let g = grad(|w: &[Var]| (w[0] - 3.0).powi(2) + w[1] * w[1], &[1.0, 2.0])?;\ng",
    "let mut w = 0.0_f64;\nfor _ in 0..50 { w -= 0.1 * derivative(|v: Dual| (v - 3.0).powi(2), w)?; }\nw",
    "println!(\"w after 50 steps = {:.6}\", w);",
    "let a = array![[1.0, 2.0], [3.0, 4.0]];\na.dot(&a)",
    "second_derivative(f, 1.0)?",
    "fn sigmoid<S: Scalar>(x: S) -> S { S::constant(1.0) / ((-x).exp() + 1.0) }",
    "derivative(sigmoid, 0.0)?",
    "let losses: Vec<f64> = (0..10).map(|k| (k as f64 - 4.0).powi(2)).collect();\nlosses.len()",
    "losses.iter().cloned().fold(f64::INFINITY, f64::min)",
    "value_and_grad(|w: &[Var]| w[0] * w[1], &[2.0, 3.0])?",
]


def one_run(features: list[str]) -> dict:
    r = {}
    with Kernel(ROOT / "notebooks") as k:
        r["kernel start"] = k.start_seconds
        r["first :dep cell"], _ = k.run(book_dep_line(features))
        r["use calc_dl::prelude::*"], _ = k.run("use calc_dl::prelude::*;")
        r["first let (stores a var)"], _ = k.run("let x0 = 1.5_f64;")
        r["first plot cell"], out = k.run(PLOT_CELL)
        if not any("<svg" in str(d) for d in out["data"]):
            raise SystemExit("the plot cell showed no SVG")
        r["second plot cell"], _ = k.run(PLOT_CELL)
        times = []
        for code in TYPICAL_CELLS:
            seconds, _ = k.run(code)
            times.append(seconds)
        r["median cell"] = statistics.median(times)
        r["slowest typical cell"] = max(times)
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tables", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-book", action="store_true", help="skip running the whole book")
    ap.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="also run the whole book this many notebooks at a time (as make test does) and report its wall time",
    )
    ap.add_argument("--browser", action="store_true", help="also measure in JupyterLab, kernel pool on and off")
    args = ap.parse_args()
    features = ["tables"] if args.tables else []
    init = (ROOT / ".cache/evcxr-config/init.evcxr").read_text().split()
    print(f"set-up cell: {book_dep_line(features)}\ninit.evcxr: {' '.join(init)}\n", flush=True)
    runs = []
    for i in range(args.repeat):
        t0 = time.monotonic()
        runs.append(one_run(features))
        print(f"kernel {i + 1}/{args.repeat}: {time.monotonic() - t0:.1f}s", flush=True)
    res = {k: statistics.median(r[k] for r in runs) for k in runs[0]}

    book = book_parallel = None
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if notebooks and not args.no_book:
        calls = [functools.partial(runner.run_notebook, p, compare=False) for p in notebooks]
        t0 = time.monotonic()
        results = runner.run_all(calls, 1)
        book = time.monotonic() - t0
        cells = sorted(c.seconds for r in results for c in r.cells)
        res["book: median cell"] = statistics.median(cells) if cells else 0.0
        failed = [r.path for r in results if not r.passed]
        if args.jobs > 1:
            t0 = time.monotonic()
            parallel = runner.run_all(calls, args.jobs)
            book_parallel = time.monotonic() - t0
            failed += [r.path for r in parallel if not r.passed]
        if failed:
            print("notebooks that failed during the bench: " + ", ".join(failed))

    def goal(name: str) -> str:
        key = {"first :dep cell": "dep", "first plot cell": "plot", "median cell": "median"}.get(name)
        if key is None:
            return ""
        return f"  goal <= {GOALS[key]:.1f}s  {'ok' if res[name] <= GOALS[key] else 'MISSED'}"

    print()
    for k, v in res.items():
        print(f"{k:<28} {v:7.2f}s{goal(k)}")
    if book is not None:
        ok = "ok" if book <= GOALS["book"] else "MISSED"
        print(f"{'whole book (' + str(len(notebooks)) + ' notebooks)':<28} {book:7.1f}s  goal <= 300s  {ok}")
        if book_parallel is not None:
            label = f"whole book, {args.jobs} at a time"
            print(f"{label:<28} {book_parallel:7.1f}s  (wall time, as make test runs it)")
    else:
        why = "skipped (--no-book)" if args.no_book else "(no notebooks in notebooks/ yet)"
        print(f"{'whole book':<28}     n/a  {why}")
    if args.browser:
        print(flush=True)
        return subprocess.run(["node", str(ROOT / "tests/browser/bench_browser.mjs")], cwd=ROOT).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
