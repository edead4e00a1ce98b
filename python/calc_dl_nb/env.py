"""Where the project's kernels live and build, for every script, test and Jupyter hook."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def use_project_kernels() -> None:
    """Point Jupyter at the venv's kernel specs (the `rust` spec scripts/setup.sh writes), unless the
    caller chose. evcxr_jupyter reads JUPYTER_PATH as ONE folder (to refresh its own spec): keep it single."""
    os.environ.setdefault("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))


def kernel_work_dir() -> Path:
    """Where the kernels build (scripts/kernel.sh keeps one slot per running kernel there).
    Two constraints, both measured:
    - outside the repository: a crate inside it is claimed by the workspace's Cargo.toml;
    - not sharing a top folder with the Rust toolchain (~/.rustup): evcxr loads the compiled cell
      one folder above where rustc linked it, so rustc's relative RUNPATH to libstd then misses
      by one `..` (dlopen fails) unless the only common ancestor is `/`.
    One folder for every checkout on the machine: the dependencies compiled there serve them all
    (cargo rebuilds calc_dl for a checkout whose sources differ), and a CI that clones the project
    afresh each run does not leave a new folder behind each time.
    """
    rustup = Path(os.environ.get("RUSTUP_HOME", Path.home() / ".rustup")).resolve()
    for base in (Path("/var/tmp"), Path("/tmp")):
        if base.parts[1] != rustup.parts[1] and os.access(base, os.W_OK):
            return base / f"calc_dl-kernels-{os.getuid()}"  # per user: a JupyterHub has many
    raise SystemExit("no folder for the kernels' builds: /var/tmp and /tmp are not usable")


def book_dep_line(features: list[str] | None = None) -> str:
    """The book's set-up cell, as the notebooks in notebooks/ write it (path relative to notebooks/)."""
    extra = ", features = [" + ", ".join(f'"{f}"' for f in features) + "]" if features else ""
    return ':dep calc_dl = { path = "../crates/calc_dl"' + extra + " }"
