#!/usr/bin/env python3
"""Build the book's dependencies into evcxr's cache (~/.cache/evcxr) once, in a headless kernel.

Runs the set-up cell of the book (`:dep calc_dl = ...` then `use calc_dl::prelude::*;`) in a new
kernel started in notebooks/, exactly as a notebook does, and again with `features = ["tables"]`
when a notebook uses that variant (or PREWARM_TABLES=1). Skipped when nothing that decides
the cache keys has changed since the last warm-up (stamp in .cache/prewarm.stamp).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evcxr_kernel import ROOT, Kernel, book_dep_line  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
STAMP = ROOT / ".cache" / "prewarm.stamp"
EVCXR_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "evcxr"


def command_output(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return f"{cmd[0]}: not found"


def variants() -> list[list[str]]:
    wanted = [[]]
    uses_tables = any('"tables"' in p.read_text(errors="replace") for p in NOTEBOOKS.glob("*.ipynb"))
    cargo_toml = (ROOT / "crates/calc_dl/Cargo.toml").read_text()
    if (uses_tables or os.environ.get("PREWARM_TABLES") == "1") and "\ntables" in cargo_toml:
        wanted.append(["tables"])
    return wanted


def stamp_key(wanted: list[list[str]]) -> str:
    h = hashlib.sha256()
    for part in (
        command_output("evcxr_jupyter", "--version"),
        command_output("rustc", "-vV"),
        command_output("mold", "--version"),  # evcxr links with mold when it is on PATH
        (ROOT / "Cargo.lock").read_text(),
        (ROOT / "crates/calc_dl/Cargo.toml").read_text(),
        (ROOT / ".cache/evcxr-config/init.evcxr").read_text(),
        repr(wanted),
    ):
        h.update(part.encode())
    return h.hexdigest()


def main() -> int:
    wanted = variants()
    key = stamp_key(wanted)
    if STAMP.exists() and STAMP.read_text().strip() == key and EVCXR_CACHE.is_dir() and any(EVCXR_CACHE.iterdir()):
        print(f"    ok: evcxr cache warm ({EVCXR_CACHE})")
        return 0
    NOTEBOOKS.mkdir(exist_ok=True)
    for features in wanted:
        label = "calc_dl" + (f" with features {features}" if features else "")
        slow = "3-5 minutes (polars)" if features else "about 1 minute"
        print(f"\n==> Building {label} and its dependencies into evcxr's cache (once; usually {slow})", flush=True)
        t0 = time.monotonic()
        with Kernel(NOTEBOOKS) as k:
            dep, _ = k.run(book_dep_line(features), timeout=3600)
            use, _ = k.run("use calc_dl::prelude::*;")
            first, _ = k.run("let warm_up = 1.0_f64;\nwarm_up + 1.0")
        print(
            f"    done in {time.monotonic() - t0:.0f}s (kernel start {k.start_seconds:.1f}s, :dep {dep:.1f}s,"
            f" use {use:.1f}s, first cell {first:.1f}s)",
            flush=True,
        )
    STAMP.parent.mkdir(exist_ok=True)
    STAMP.write_text(key + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
