#!/usr/bin/env python3
"""Self-test of the notebook runner (tests/run_notebooks.py, calc_dl_nb).

--unit: the output comparison alone (no kernel, instant).
default: also runs every notebook in tests/notebooks/ in a real evcxr kernel
and checks the runner reports exactly the failure each one declares in its
metadata `runner_test` (kind, cell, text the message must contain).
Closes with `N passed, N failed`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from calc_dl_nb import cells, compare, runner

HERE = Path(__file__).resolve().parent

checks: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    checks.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f"\n     {detail}" if not ok and detail else ""), flush=True)


def unit() -> None:
    m = compare.texts_match
    check("equal text matches", m("loss = 0.25\n", "loss = 0.25\n"))
    check("float noise within tolerance", m("x = 0.30000000000000004", "x = 0.3"))
    check("exponent forms compare as numbers", m("1e-3 and 2.5E+2", "0.001 and 250"))
    check("a changed number is caught", not m("total = 10", "total = 11"))
    check("a small relative change is caught", not m("w = 1.0001", "w = 1.0002"))
    check("changed words are caught", not m("loss = 1", "gain = 1"))
    check("extra number is caught", not m("[1, 2]", "[1, 2, 3]"))
    check("whitespace runs are ignored", m("a  =\t1 \n", "a = 1"))
    check("NaN equals NaN", m("NaN", "NaN"))
    check("inf vs number is caught", not m("inf", "1e308"))
    check("identifiers with digits are words", not m("x1 = 2", "x2 = 2"))
    svg = {"output_type": "display_data", "data": {"text/html": "<div><svg width='10'></svg></div>"}}
    svg2 = {"output_type": "display_data", "data": {"text/html": "<div><svg width='99'><path/></svg></div>"}}
    check("SVG outputs are ignored", compare.comparable_outputs([svg]) == compare.comparable_outputs([svg2]))
    table = {"output_type": "display_data", "data": {"text/html": "<table><tr><td>1.5</td></tr></table>"}}
    table2 = {"output_type": "display_data", "data": {"text/html": "<table><tr><td>2.5</td></tr></table>"}}
    a, b = compare.comparable_outputs([table]), compare.comparable_outputs([table2])
    check("HTML tables compare by their text", len(a) == 1 and not compare.texts_match(a[0], b[0]))
    split = [
        {"output_type": "stream", "name": "stdout", "text": "a = "},
        {"output_type": "stream", "name": "stderr", "text": "note\n"},
        {"output_type": "stream", "name": "stdout", "text": "1\n"},
    ]
    joined = [
        {"output_type": "stream", "name": "stdout", "text": "a = 1\n"},
        {"output_type": "stream", "name": "stderr", "text": "note\n"},
    ]
    check("streams are joined per name", compare.comparable_outputs(split) == compare.comparable_outputs(joined))
    panic_cell = {"outputs": [{"output_type": "stream", "name": "stderr",
                               "text": "thread '<unnamed>' panicked at src/lib.rs:3:1:\nboom\n"}], "metadata": {}}
    f = cells.check_cell(panic_cell, 3)
    check("panic text on stderr is a panic", f is not None and f.kind == "panic" and f.cell == 3)
    allowed = {"outputs": [{"output_type": "stream", "name": "stderr", "text": "fine\n"}],
               "metadata": {"tags": ["allow-stderr"]}}
    check("allow-stderr tag lets stderr pass", cells.check_cell(allowed, 1) is None)


def notebooks() -> None:
    import functools
    import os

    import nbformat

    paths = sorted((HERE / "notebooks").glob("*.ipynb"))
    expects = [nbformat.read(p, as_version=4).metadata.get("runner_test", {}) for p in paths]
    # Each in its own kernel, NOTEBOOK_JOBS at a time (as make test runs the book).
    jobs = int(os.environ.get("NOTEBOOK_JOBS", "1"))
    # Only pass.ipynb and stale.ipynb are committed with outputs to compare against.
    calls = [
        functools.partial(runner.run_notebook, p, timeout=e.get("timeout", 120), compare=e.get("compare", False))
        for p, e in zip(paths, expects)
    ]
    results = runner.run_all(calls, jobs)
    for path, expect, r in zip(paths, expects, results):
        kind = expect.get("kind")
        name = f"{path.name}: " + ("passes" if kind is None else f"{kind} in cell {expect.get('cell')}")
        got = r.failures[0] if r.failures else None
        if kind is None:
            check(name, r.passed, "; ".join(f"{f.kind} cell {f.cell}: {f.message[:200]}" for f in r.failures))
        else:
            ok = (
                got is not None
                and got.kind == kind
                and got.cell == expect.get("cell")
                and expect.get("contains", "") in got.message
            )
            check(name, ok, f"got {got.kind if got else None} cell {got.cell if got else None}: "
                  f"{(got.message[:300] if got else '')!r}")
        for f in r.failures:
            print("     reported: " + f.render(r.path).replace("\n", "\n     "))


def main() -> int:
    unit()
    if "--unit" not in sys.argv:
        notebooks()
    bad = sum(not ok for _, ok, _ in checks)
    print(f"{len(checks) - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
