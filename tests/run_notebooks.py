#!/usr/bin/env python3
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
import html
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The project's kernel spec lives in the venv. evcxr_jupyter itself reads
# JUPYTER_PATH as ONE directory (to refresh its own spec), so keep it single.
os.environ.setdefault("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PANIC = re.compile(r"panicked at")
NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])|(?<!\w)(?:NaN|nan|-?inf)(?!\w)"
)


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def cell_source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def first_line(cell) -> str:
    for line in cell_source(cell).splitlines():
        if line.strip():
            return line.strip()[:60]
    return ""


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


# ---------------------------------------------------------------- checking


@dataclass
class Failure:
    kind: str  # error | panic | stderr | timeout | dead-kernel | kernel-start | stale
    cell: int | None  # 1-based position among all cells, as a reader counts them
    message: str

    def render(self, notebook: str, max_lines: int = 20) -> str:
        where = f"{notebook}, cell {self.cell}" if self.cell else notebook
        lines = self.message.strip("\n").splitlines()
        if len(lines) > max_lines:
            lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
        body = "\n".join("    " + line for line in lines)
        return f"FAIL {where}: {self.kind}\n{body}"


def stream_text(outputs, name: str) -> str:
    return "".join(
        o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == name
    )


def check_cell(cell, position: int) -> Failure | None:
    """Return why a freshly executed code cell failed, or None."""
    cell_tags = tags(cell)
    if "raises-exception" in cell_tags:
        return None
    outputs = cell.get("outputs", [])
    for out in outputs:
        if out.get("output_type") == "error":
            lines = [strip_ansi(line) for line in out.get("traceback", [])]
            evalue = strip_ansi(out.get("evalue", ""))
            text = "\n".join(lines) if lines else evalue
            if evalue and evalue not in text:
                text = evalue + "\n" + text
            return Failure("error", position, text or out.get("ename", "error"))
    stderr = strip_ansi(stream_text(outputs, "stderr"))
    if PANIC.search(stderr):
        return Failure("panic", position, stderr)
    if stderr.strip() and "allow-stderr" not in cell_tags:
        return Failure(
            "stderr",
            position,
            "the cell printed to stderr (evcxr prints an error returned with `?` only there;"
            " tag the cell `allow-stderr` if this is intended):\n" + stderr,
        )
    return None


# ------------------------------------------------------------- comparison


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?s)<[^>]+>", " ", markup)
    return html.unescape(markup)


def comparable_outputs(outputs) -> list[str]:
    """The text a reader sees in a cell's outputs, in a form fit for comparing.

    stdout and stderr are joined per stream (the kernel may split and interleave
    them differently from run to run); rich outputs keep their text/plain, HTML
    without an image is reduced to its text, images and SVG become a marker.
    """
    result = []
    for name in ("stdout", "stderr"):
        text = strip_ansi(stream_text(outputs, name))
        if text.strip():
            result.append(f"{name}: {text}")
    for out in outputs:
        kind = out.get("output_type")
        if kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            plain = data.get("text/plain")
            markup = data.get("text/html")
            if isinstance(markup, list):
                markup = "".join(markup)
            if isinstance(plain, list):
                plain = "".join(plain)
            if plain is not None:
                result.append("text: " + strip_ansi(plain))
            elif any(k.startswith("image/") for k in data) or (
                markup is not None and re.search(r"(?i)<(svg|img)\b", markup)
            ):
                result.append("[image]")
            elif markup is not None:
                result.append("html: " + html_to_text(markup))
            else:
                result.append("[" + ",".join(sorted(data)) + "]")
        elif kind == "error":
            result.append("error: " + strip_ansi(out.get("evalue", "")))
    return result


def split_numbers(text: str):
    """Split text into (words, numbers): the words between numbers, whitespace collapsed."""
    words, numbers, last = [], [], 0
    for m in NUMBER.finditer(text):
        words.append(" ".join(text[last : m.start()].split()))
        numbers.append(m.group(0))
        last = m.end()
    words.append(" ".join(text[last:].split()))
    return words, numbers


def to_float(token: str) -> float:
    t = token.lower()
    if t in ("nan",):
        return math.nan
    return float(t)


def texts_match(a: str, b: str, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    wa, na = split_numbers(a)
    wb, nb = split_numbers(b)
    if wa != wb or len(na) != len(nb):
        return False
    for x, y in zip(na, nb):
        fx, fy = to_float(x), to_float(y)
        if math.isnan(fx) and math.isnan(fy):
            continue
        if not math.isclose(fx, fy, rel_tol=rtol, abs_tol=atol):
            return False
    return True


def first_difference(a: str, b: str) -> tuple[str, str]:
    la, lb = a.splitlines() or [""], b.splitlines() or [""]
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<nothing>"
        y = lb[i] if i < len(lb) else "<nothing>"
        if not texts_match(x, y):
            return x, y
    return a[:200], b[:200]


def compare_cell(committed, fresh, position: int, rtol: float, atol: float) -> Failure | None:
    if "nocompare" in tags(fresh):
        return None
    old = comparable_outputs(committed.get("outputs", []))
    new = comparable_outputs(fresh.get("outputs", []))
    if len(old) == len(new) and all(texts_match(x, y, rtol, atol) for x, y in zip(old, new)):
        return None
    if not old:
        detail = "the notebook was committed without this cell's output"
    else:
        x, y = first_difference("\n".join(old), "\n".join(new))
        detail = f"committed: {x.strip()[:300]}\nfresh:     {y.strip()[:300]}"
    return Failure(
        "stale",
        position,
        "committed output differs from a fresh run (run `make book` and commit):\n" + detail,
    )


# --------------------------------------------------------------- running


def drain_late_output(client, cell, timeout: float = 60) -> None:
    """Collect stream output that evcxr sends after a cell has already finished.

    evcxr forwards stdout/stderr lines from a background thread, parented to the latest
    execute request: under load a panic message or a `?` error (both stderr only) can arrive
    after the cell's idle status, where nbclient drops it (seen here at load 9 on 2 cores).
    So after each cell the runner sends an empty request (evcxr runs nothing for it) and
    keeps every stream message that arrives until that request is idle: it belongs to the
    cell just run.
    """
    from jupyter_core.utils import run_sync
    from nbformat.v4 import new_output

    kc = client.kc
    time.sleep(0.05)
    msg_id = kc.execute("", silent=False, store_history=False, allow_stdin=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = run_sync(kc.get_iopub_msg)(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:  # queue.Empty
            break
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            cell.outputs.append(new_output("stream", name=content["name"], text=content["text"]))
        elif kind == "status" and content.get("execution_state") == "idle" and msg["parent_header"].get("msg_id") == msg_id:
            break


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
    if write and result.passed:
        count = 0
        for cell in nb.cells:  # the runner's empty requests advanced evcxr's counter
            if cell.cell_type == "code":
                count += 1
                cell.execution_count = count
                for out in cell.outputs:
                    if "execution_count" in out:
                        out["execution_count"] = count
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
