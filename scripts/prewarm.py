#!/usr/bin/env python3
"""Build the book's dependencies into evcxr's cache (~/.cache/evcxr) once, in a headless kernel.

Runs the set-up cell of the book (`:dep calc_dl = ...` then `use calc_dl::prelude::*;`) in a new
kernel started in notebooks/, exactly as a notebook does, and again with `features = ["tables"]`
when a notebook uses that variant (or PREWARM_TABLES=1). Skipped when nothing that decides
the cache keys has changed since the last warm-up on this machine (stamp beside the build slots).

Kernels build in kept folders (scripts/kernel.sh: one slot per running kernel, in
kernel_work_dir()), so the warm-up leaves calc_dl and its dependencies compiled in as many slots as
notebooks run at once (NOTEBOOK_JOBS), where the next kernels (notebooks in JupyterLab, or the
runner's) find them fresh. evcxr's cache serves any further slot. Its entries are keyed on the rustc command line, including the dep-info (.d) that
lists every file a crate read: for crates that include a file their build script generated
(thiserror's `$OUT_DIR/private.rs`, many of polars' dependencies) that names the slot that filled
the cache. Slots are kept, so those files stay; entries that name missing files (a deleted folder)
are removed and built again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from calc_dl_nb.env import ROOT, book_dep_line, kernel_work_dir
from calc_dl_nb.kernel import CellError, Kernel

NOTEBOOKS = ROOT / "notebooks"
EVCXR_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "evcxr"
WORK_DIR = kernel_work_dir()
# Kept beside the slots, not in the checkout: a fresh clone on a machine whose slots and evcxr cache
# already hold every dependency (a CI runner) skips the warm-up; its first kernel per slot then
# compiles only calc_dl (~10 s in its `:dep` cell) instead of the warm-up building four kernels.
STAMP = WORK_DIR / "prewarm.stamp"
# As many warm build slots as `make test` runs notebooks at once (NOTEBOOK_JOBS).
SLOTS = max(1, int(os.environ.get("NOTEBOOK_JOBS", "2")))


def broken_entries() -> list[Path]:
    """Cache entries whose dep-info names a file that no longer exists."""
    broken = []
    if not EVCXR_CACHE.is_dir():
        return broken
    for entry in EVCXR_CACHE.iterdir():
        for dep_info in entry.glob("*.d"):
            missing = False
            for line in dep_info.read_text(errors="replace").splitlines():
                if line.startswith("#") or ": " not in line:
                    continue
                for dep in line.split(": ", 1)[1].split():
                    if dep.startswith("/") and not os.path.exists(dep):
                        missing = True
                        break
                if missing:
                    break
            if missing:
                broken.append(entry)
                break
    return broken


def clear_free_slots() -> None:
    """Empty the build folders of the slots no running kernel holds."""
    for slot in sorted(WORK_DIR.glob("slot-*")):
        with open(slot / ".lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            for child in slot.iterdir():
                if child.name != ".lock":
                    shutil.rmtree(child, ignore_errors=True)


def command_output(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return f"{cmd[0]}: not found"


def variants() -> list[list[str]]:
    wanted = [[]]
    # In the notebook's JSON the quotes of `features = ["tables"]` are escaped: match either form.
    tables = re.compile(r'features\s*=\s*\[\\?"tables')
    uses_tables = any(tables.search(p.read_text(errors="replace")) for p in NOTEBOOKS.glob("*.ipynb"))
    cargo_toml = (ROOT / "crates/calc_dl/Cargo.toml").read_text()
    if (uses_tables or os.environ.get("PREWARM_TABLES") == "1") and "\ntables" in cargo_toml:
        wanted.append(["tables"])
    return wanted


def stamp_key(wanted: list[list[str]]) -> str:
    h = hashlib.sha256()
    for part in (
        command_output("cargo", "install", "--list"),  # evcxr_jupyter has no --version
        command_output("rustc", "-vV"),
        command_output("mold", "--version"),  # evcxr links with mold when it is on PATH
        (ROOT / "Cargo.lock").read_text(),
        (ROOT / "crates/calc_dl/Cargo.toml").read_text(),
        (ROOT / ".cache/evcxr-config/init.evcxr").read_text(),
        (ROOT / ".cache/evcxr-config/prelude.rs").read_text(),
        repr(wanted),
        str(SLOTS),
    ):
        h.update(part.encode())
    return h.hexdigest()


def warm_all(wanted: list[list[str]]) -> None:
    """Builds every `:dep` variant of the book, each in a new kernel as a notebook does, in as many
    build slots as notebooks run at once (the kernels of one variant stay up together, so each
    takes its own slot)."""
    for features in wanted:
        label = "calc_dl" + (f" with features {features}" if features else "")
        slow = "3-5 minutes (polars)" if features else "about 1 minute"
        print(f"\n==> Building {label} and its dependencies for the kernels (once; usually {slow})", flush=True)
        with contextlib.ExitStack() as running:
            for slot in range(SLOTS):
                t0 = time.monotonic()
                k = running.enter_context(Kernel(NOTEBOOKS))
                dep, _ = k.run(book_dep_line(features), timeout=3600)
                use, _ = k.run("use calc_dl::prelude::*;")
                first, _ = k.run("let warm_up = 1.0_f64;\nwarm_up + 1.0")
                print(
                    f"    kernel {slot + 1} of {SLOTS}: done in {time.monotonic() - t0:.0f}s (kernel start"
                    f" {k.start_seconds:.1f}s, :dep {dep:.1f}s, use {use:.1f}s, first cell {first:.1f}s)",
                    flush=True,
                )


def main() -> int:
    wanted = variants()
    key = stamp_key(wanted)
    warm = EVCXR_CACHE.is_dir() and any(EVCXR_CACHE.iterdir()) and all((WORK_DIR / f"slot-{i}" / "target").is_dir() for i in range(SLOTS))
    if STAMP.exists() and STAMP.read_text().strip() == key and warm:
        print(f"    ok: evcxr cache warm ({EVCXR_CACHE})")
        return 0
    NOTEBOOKS.mkdir(exist_ok=True)
    broken = broken_entries()
    if broken:
        print(f"    removing {len(broken)} evcxr cache entries that name files of deleted build folders")
        for entry in broken:
            shutil.rmtree(entry, ignore_errors=True)
    try:
        warm_all(wanted)
    except CellError as e:
        # An entry of evcxr's cache can name files that a deleted kernel folder held (seen as "can't find
        # crate for `polars`"): start the cache afresh, once, rather than leave every kernel failing.
        reason = str(e).strip().splitlines()[-1][:160]
        print(f"    warm-up failed ({reason}); emptying {EVCXR_CACHE} and the kernels' builds, building again", flush=True)
        shutil.rmtree(EVCXR_CACHE, ignore_errors=True)
        clear_free_slots()
        warm_all(wanted)
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(key + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
