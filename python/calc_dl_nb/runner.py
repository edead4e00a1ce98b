"""Execute the book's notebooks on the evcxr Rust kernel and fail loudly.

Each notebook runs top to bottom in a fresh kernel (kernel spec `rust`, the one
scripts/setup.sh installs into .venv). A notebook fails on

* an `error` output (compile errors and evcxr errors arrive that way),
* a panic: evcxr catches it and only prints `thread '...' panicked at ...` on
  stderr, the cell still reports status "ok",
* a `?` error: evcxr prints the error with `eprintln!` on stderr and nothing
  else, so any stderr text fails the cell (tag a cell `allow-stderr` if it
  prints to stderr on purpose, `raises-exception` if it must fail),
* a cell running past its time limit, or a kernel that dies,
* committed text outputs that differ from the fresh run (numbers compared with
  a tolerance, SVG / image HTML ignored; tag a cell `nocompare` to skip it):
  the book must never show a stale number.

With --write the fresh outputs of every passing notebook are saved in place
(`make book`). The closing line is `N passed, N failed`; the exit code is 1 if
anything failed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import functools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cells import Failure, check_cell, drain_late_output, first_line, renumber
from .compare import compare_cell
from .env import ROOT, use_project_kernels

use_project_kernels()


@dataclass
class CellTime:
    position: int
    seconds: float
    source: str


@dataclass
class Result:
    path: str
    failures: list[Failure] = field(default_factory=list)
    kernel_start: float = 0.0
    total: float = 0.0
    cells: list[CellTime] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def run_notebook(
    path: Path,
    kernel: str = "rust",
    timeout: int = 300,
    startup_timeout: int = 900,
    compare: bool = True,
    write: bool = False,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    save_to: Path | None = None,
) -> Result:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    shown = os.path.relpath(path)
    result = Result(shown)
    committed = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(committed)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        startup_timeout=startup_timeout,
        allow_errors=True,
        interrupt_on_timeout=False,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    t_start = time.monotonic()
    try:
        with client.setup_kernel():
            spec = client.km.kernel_spec
            result.kernel_start = time.monotonic() - t_start
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                position = index + 1
                t0 = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    result.cells.append(CellTime(position, time.monotonic() - t0, first_line(cell)))
                    result.failures.append(
                        Failure("timeout", position, f"still running after {timeout} s: {first_line(cell)}")
                    )
                    break
                except DeadKernelError as e:
                    result.failures.append(Failure("dead-kernel", position, str(e)))
                    break
                result.cells.append(CellTime(position, time.monotonic() - t0, first_line(cell)))
                drain_late_output(client, cell)
                failure = check_cell(cell, position)
                if failure is None and compare and not write:
                    failure = compare_cell(committed.cells[index], cell, position, rtol, atol)
                if failure is not None:
                    result.failures.append(failure)
                    if failure.kind != "stale":
                        break
    except (RuntimeError, TimeoutError, OSError) as e:  # kernel could not start
        if not result.failures:
            result.failures.append(Failure("kernel-start", None, f"{type(e).__name__}: {e}"))
    result.total = time.monotonic() - t_start
    if save_to is not None:  # the executed notebook, passed or not (a CI artifact)
        save_to.mkdir(parents=True, exist_ok=True)
        renumber(nb)
        nbformat.write(nb, save_to / path.name)
    if write and result.passed:
        renumber(nb)
        nb.metadata["kernelspec"] = {"name": kernel, "display_name": spec.display_name, "language": spec.language}
        nbformat.write(nb, path)
    return result


def run_all(calls: list, jobs: int, on_start=None, on_result=None) -> list[Result]:
    """Runs notebook calls (picklable, e.g. `functools.partial(run_notebook, path)`), `jobs` at a time:
    one after the other in this process when `jobs` <= 1 (`on_start` before each), otherwise each in a
    process of its own, and so its own kernel and, through scripts/kernel.sh, its own build folder.
    `on_result` sees each result as it comes; the list keeps the calls' order."""
    if jobs <= 1:
        results = []
        for call in calls:
            if on_start:
                on_start(call)
            results.append(call())
            if on_result:
                on_result(results[-1])
        return results
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(call) for call in calls]
        for fut in concurrent.futures.as_completed(futures):
            if on_result:
                on_result(fut.result())
        return [f.result() for f in futures]


def report(results: list[Result], slowest: int = 8, wall: str = "") -> None:
    if results:
        width = max(len(r.path) for r in results)
        print()
        print(f"{'notebook':<{width}}  {'result':<6} {'cells':>5} {'kernel':>8} {'median':>8} {'total':>8}")
        for r in results:
            times = sorted(c.seconds for c in r.cells)
            median = times[len(times) // 2] if times else 0.0
            print(
                f"{r.path:<{width}}  {'pass' if r.passed else 'FAIL':<6} {len(r.cells):>5}"
                f" {r.kernel_start:>7.1f}s {median:>7.2f}s {r.total:>7.1f}s"
            )
        cells = sorted(((c, r.path) for r in results for c in r.cells), key=lambda x: -x[0].seconds)
        if cells:
            print("\nslowest cells:")
            for c, p in cells[:slowest]:
                print(f"  {c.seconds:7.2f}s  {p} cell {c.position}: {c.source}")
        print()
    if wall:
        print(wall)
    passed = sum(r.passed for r in results)
    print(f"{passed} passed, {len(results) - passed} failed")


def collect(paths: list[str]) -> list[Path]:
    found = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found += sorted(path.glob("*.ipynb"))
        elif path.exists():
            found.append(path)
        else:
            raise SystemExit(f"no such notebook or folder: {p}")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=[str(ROOT / "notebooks")], help="notebooks or folders (default: notebooks/)")
    ap.add_argument("--write", action="store_true", help="save fresh outputs into passing notebooks (make book)")
    ap.add_argument("--no-compare", action="store_true", help="do not compare with the committed outputs")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("CELL_TIMEOUT", "300")), help="seconds per cell")
    ap.add_argument("--startup-timeout", type=int, default=900, help="seconds for the kernel to start")
    ap.add_argument("--kernel", default="rust")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-9)
    ap.add_argument("--json", help="also write the timings to this JSON file")
    ap.add_argument("--save-to", type=Path, help="also save each executed notebook into this folder")
    ap.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("NOTEBOOK_JOBS", "1")),
        help="notebooks run at once, each in its own kernel (cell times then include the other's load)",
    )
    args = ap.parse_args(argv)

    notebooks = collect(args.paths)
    run = functools.partial(
        run_notebook,
        kernel=args.kernel,
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        compare=not args.no_compare,
        write=args.write,
        rtol=args.rtol,
        atol=args.atol,
        save_to=args.save_to,
    )

    def finished(r: Result) -> None:
        for f in r.failures:
            print(f.render(r.path), flush=True)
        if args.write and r.passed:
            print(f"  wrote outputs into {r.path}")
        print(f"{'passed' if r.passed else 'FAILED'} {r.path} in {r.total:.1f}s", flush=True)

    t0 = time.monotonic()
    if args.jobs > 1:
        print(f"running {len(notebooks)} notebooks, {args.jobs} at a time ...", flush=True)
    results = run_all(
        [functools.partial(run, path) for path in notebooks],
        args.jobs,
        on_start=lambda call: print(f"running {os.path.relpath(call.args[0])} ...", flush=True),
        on_result=finished,
    )
    report(results, wall=f"wall time {time.monotonic() - t0:.1f}s, {args.jobs} notebook(s) at a time")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        "path": r.path,
                        "passed": r.passed,
                        "kernel_start": r.kernel_start,
                        "total": r.total,
                        "cells": [{"cell": c.position, "seconds": c.seconds, "source": c.source} for c in r.cells],
                        "failures": [{"kind": f.kind, "cell": f.cell, "message": f.message} for f in r.failures],
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
