"""A real evcxr kernel (the project's `rust` kernel spec) driven cell by cell, with timings.

Used by scripts/prewarm.py and scripts/bench_notebooks.py.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


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


class CellError(RuntimeError):
    pass


class Kernel:
    def __init__(self, cwd: Path, startup_timeout: float = 900):
        from jupyter_client.manager import KernelManager

        t0 = time.monotonic()
        self.km = KernelManager(kernel_name="rust")
        self.km.start_kernel(cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=startup_timeout)
        self.start_seconds = time.monotonic() - t0

    def run(self, code: str, timeout: float = 900) -> tuple[float, dict]:
        """Execute one cell; return (seconds, {'stdout','stderr','error','data'})."""
        out = {"stdout": "", "stderr": "", "error": "", "data": []}

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out[content["name"]] += content["text"]
            elif kind == "error":
                out["error"] += ANSI.sub("", "\n".join(content.get("traceback") or [content.get("evalue", "")]))
            elif kind in ("execute_result", "display_data"):
                out["data"].append(content["data"])

        t0 = time.monotonic()
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=hook, allow_stdin=False)
        seconds = time.monotonic() - t0
        failed = reply["content"]["status"] != "ok" or out["error"] or "panicked at" in out["stderr"]
        if failed:
            raise CellError(f"cell failed:\n{code}\n---\n{out['error'] or out['stderr']}")
        return seconds, out

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def book_dep_line(features: list[str] | None = None) -> str:
    """The book's set-up cell, as the notebooks in notebooks/ write it (path relative to notebooks/)."""
    extra = ", features = [" + ", ".join(f'"{f}"' for f in features) + "]" if features else ""
    return ':dep calc_dl = { path = "../crates/calc_dl"' + extra + " }"
