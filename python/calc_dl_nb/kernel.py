"""A real evcxr kernel (the project's `rust` kernel spec) driven cell by cell, with timings.

Used by scripts/prewarm.py and scripts/bench_notebooks.py; a cell fails exactly as it fails in the
runner (calc_dl_nb.cells.check_cell).
"""

from __future__ import annotations

import time
from pathlib import Path

from .cells import check_cell
from .env import use_project_kernels

use_project_kernels()


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
        """Execute one cell; return (seconds, {'stdout','stderr','data'}); raise CellError if it failed."""
        outputs, data = [], []

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind == "error":
                outputs.append({"output_type": "error", **content})
            elif kind in ("execute_result", "display_data"):
                data.append(content["data"])

        t0 = time.monotonic()
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=hook, allow_stdin=False)
        seconds = time.monotonic() - t0
        failure = check_cell({"outputs": outputs, "metadata": {}}, 1)
        if failure is None and reply["content"]["status"] != "ok":
            failure = reply["content"].get("evalue") or "the kernel replied with an error"
        if failure is not None:
            raise CellError(f"cell failed:\n{code}\n---\n{getattr(failure, 'message', failure)}")
        streams = {name: "".join(o["text"] for o in outputs if o.get("name") == name) for name in ("stdout", "stderr")}
        return seconds, {**streams, "data": data}

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
