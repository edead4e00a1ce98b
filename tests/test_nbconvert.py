#!/usr/bin/env python3
"""The users' notebook CI catches what the project's runner catches.

Runs, with this environment's own tools and no extra flags or environment variables:
  * `jupyter nbconvert --to notebook --execute` on every notebook of tests/notebooks/ (each plants one
    failure: a failing assert!, a panic, an unwrap on a library Err, an Err through `?`, a compile error,
    a cell past its timeout) and on tests/notebooks/pass.ipynb: it must exit non-zero on each failure,
    naming the notebook and the cell, and zero on the passing one;
  * `papermill --engine calc_dl` on the same notebooks;
  * with --book, nbconvert on every notebook of the book (all must pass).
Each tool's time per notebook is printed. Closes with `N passed, N failed`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from calc_dl_nb.env import ROOT

BIN = Path(sys.prefix) / "bin"
HERE = Path(__file__).resolve().parent
# The one planted failure that needs a flag: a short timeout, so the check does not wait 15 minutes.
TIMEOUT_FLAG = {"nbconvert": "--ExecutePreprocessor.timeout={}", "papermill": "--execution-timeout={}"}


def command(tool: str, notebook: Path, out: Path, timeout: int | None) -> list[str]:
    if tool == "nbconvert":
        cmd = [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--output-dir", str(out), str(notebook)]
    else:
        cmd = [str(BIN / "papermill"), "--engine", "calc_dl", str(notebook), str(out / notebook.name)]
    if timeout:
        cmd.insert(2 if tool == "nbconvert" else 1, TIMEOUT_FLAG[tool].format(timeout))
    return cmd


def run(tool: str, notebook: Path, expect: dict | None) -> tuple[str, bool, str, float]:
    """Runs one tool on one notebook; returns (name, ok, detail, seconds)."""
    timeout = (expect or {}).get("timeout")
    with tempfile.TemporaryDirectory() as out:
        t0 = time.monotonic()
        # The environment as a user's CI has it: no variable of ours (JUPYTER_PATH is the venv's own).
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CALC_DL", "NOTEBOOK"))}
        p = subprocess.run(command(tool, notebook, Path(out), timeout), capture_output=True, text=True, env=env,
                           cwd=notebook.parent, timeout=1800)
        seconds = time.monotonic() - t0
    text = p.stdout + p.stderr
    kind = (expect or {}).get("kind")
    name = f"{tool} {notebook.relative_to(ROOT)}: " + ("exits 0" if kind is None else f"exits non-zero on {kind} in cell {expect['cell']}")
    if kind is None:
        return name, p.returncode == 0, text[-1500:], seconds
    cell = expect["cell"]
    named = f"{notebook.name}, cell {cell}" in text
    # The runner says "still running"; nbclient, under both tools, "timed out".
    contains = "timed out" if kind == "timeout" else expect.get("contains", "")
    ok = p.returncode != 0 and contains in text and named
    return name, ok, f"exit {p.returncode}; output ends:\n{text[-1500:]}", seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--book", action="store_true", help="also run nbconvert on every notebook of the book")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("NOTEBOOK_JOBS", "2")))
    ap.add_argument("--only", default="", help="run only the checks whose notebook name contains this")
    args = ap.parse_args()

    jobs = []
    for path in sorted((HERE / "notebooks").glob("*.ipynb")):
        expect = json.loads(path.read_text())["metadata"].get("runner_test", {})
        if expect.get("kind") == "stale" or expect.get("compare") and expect.get("kind") is None and path.name != "pass.ipynb":
            continue  # a stale output is our runner's own check: nbconvert does not compare outputs
        for tool in ("nbconvert", "papermill"):
            # papermill fails on any error output, even in a cell tagged raises-exception (pass.ipynb has one).
            if tool == "nbconvert" or expect.get("kind"):
                jobs.append((tool, path, expect if expect.get("kind") else None))
    book = sorted((ROOT / "notebooks").glob("*.ipynb"))
    jobs += [("papermill", p, None) for p in book[1:2]]  # a notebook of the book passes papermill too
    if args.book:
        jobs += [("nbconvert", p, None) for p in book]

    jobs = [j for j in jobs if args.only in j[1].name]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, ok, detail, seconds in pool.map(lambda j: run(*j), jobs):
            print(f"{'ok  ' if ok else 'FAIL'} {name} ({seconds:.1f}s)" + ("" if ok else "\n     " + detail.replace("\n", "\n     ")),
                  flush=True)
            results.append(ok)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
