#!/usr/bin/env python3
"""Warm this user's kernel build folder for the class layout (run by `scripts/setup.sh --hub`).

The hub's `rust` kernel spec (scripts/setup.sh --hub) builds in /var/tmp/calc_dl-kernels-$USER
(one slot per running kernel, scripts/kernel.sh) with evcxr's cache beside it (XDG_CACHE_HOME), all
outside the home folder. This starts that kernel in notebooks/ and runs the book's set-up cell
(`:dep calc_dl = ...`, `use calc_dl::prelude::*;`, one stored variable), so calc_dl and every
dependency are compiled there and a learner's first `:dep` cell only checks fingerprints.

- In an image (binder/postBuild, as jovyan) this folder is the learner's own, kept in the image.
- On a machine with a hub (deploy/local/jupyterhub_config.py) it is the template that the hub copies
  into each new learner's /var/tmp/calc_dl-kernels-<name> before their first server starts.

Skipped when a stamp of everything that decides the build (evcxr, rustc, the kernel spec, Cargo.lock,
calc_dl's sources, evcxr's init files, the variants) matches. PREWARM_TABLES=1 also warms
`features = ["tables"]` (polars, notebook 08: several minutes and ~1 GB more).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
# This environment's kernel spec (the hub's), whatever JUPYTER_PATH the caller had (the Makefile sets .venv's).
os.environ["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")

from calc_dl_nb.env import book_dep_line  # noqa: E402
from calc_dl_nb.kernel import Kernel  # noqa: E402


def work_dir(user: str | None = None) -> Path:
    """Where the hub's kernel spec builds for this user (its CALC_DL_KERNEL_WORK)."""
    return Path("/var/tmp") / f"calc_dl-kernels-{user or os.environ['USER']}"


SPEC = Path(sys.prefix, "share/jupyter/kernels/rust/kernel.json")


def library_digest() -> str:
    """calc_dl's sources and their times: a library changed since the warm-up would be compiled again by
    every learner (cargo decides by modification time, so a file rewritten unchanged counts too)."""
    h = hashlib.sha256()
    for path in sorted(p for p in (ROOT / "crates/calc_dl").rglob("*") if p.is_file() and "target" not in p.parts):
        h.update(f"{path.relative_to(ROOT)}\0{path.stat().st_mtime_ns}\0".encode() + path.read_bytes())
    return h.hexdigest()


def stamp_key(variants: list[list[str]]) -> str:
    spec = json.loads(SPEC.read_text())
    rustc = Path(spec["env"]["PATH"].split(":")[0]) / "rustc"
    h = hashlib.sha256()
    for part in (
        subprocess.run([str(rustc), "-vV"], capture_output=True, text=True).stdout,
        SPEC.read_text(),
        hashlib.sha256(Path(spec["argv"][1]).read_bytes()).hexdigest(),  # evcxr_jupyter has no --version
        (ROOT / "Cargo.lock").read_text(),
        library_digest(),
        (ROOT / ".cache/evcxr-config/init.evcxr").read_text(),
        (ROOT / ".cache/evcxr-config/prelude.rs").read_text(),
        repr(variants),
    ):
        h.update(part.encode())
    return h.hexdigest()


def main() -> int:
    variants = [[]] + ([["tables"]] if os.environ.get("PREWARM_TABLES") == "1" else [])
    work = work_dir()
    stamp = work / "warm.stamp"
    key = stamp_key(variants)
    if stamp.exists() and stamp.read_text().strip() == key and (work / "slot-0" / "target").is_dir():
        print(f"    ok: kernel build folder warm ({work})")
        return 0
    for features in variants:
        label = "calc_dl" + (f" with features {features}" if features else "")
        print(f"\n==> Building {label} for the hub's kernels in {work} (once; about a minute, polars several)", flush=True)
        t0 = time.monotonic()
        k = Kernel(ROOT / "notebooks")
        try:
            dep, _ = k.run(book_dep_line(features), timeout=3600)
            use, _ = k.run("use calc_dl::prelude::*;")
            first, _ = k.run("let warm_up = 1.0_f64;\nwarm_up + 1.0")
        finally:
            k.close()
        print(
            f"    done in {time.monotonic() - t0:.0f}s (kernel start {k.start_seconds:.1f}s, :dep {dep:.1f}s,"
            f" use {use:.1f}s, first cell {first:.1f}s)",
            flush=True,
        )
    stamp.write_text(key + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
