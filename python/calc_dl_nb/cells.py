"""What counts as a failed cell of the evcxr kernel, judged the same way by every tool of the project.

evcxr replies `ok` to a cell that panicked or returned an `Err` through `?`: both only print on
stderr. So a cell fails on

* an `error` output (compile errors and evcxr's own errors arrive that way),
* a panic: `thread '...' panicked at ...` on stderr,
* any other stderr text (a `?` error is printed there and nowhere else); tag a cell
  `allow-stderr` if it prints to stderr on purpose, `raises-exception` if it must fail.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PANIC = re.compile(r"panicked at")


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def joined(value) -> str:
    """A notebook's multi-line string (a cell's source, an output's text or data) as one str: the
    file may hold it as a list of lines."""
    return "".join(value) if isinstance(value, list) else value


def cell_source(cell) -> str:
    return joined(cell.get("source", ""))


def first_line(cell) -> str:
    for line in cell_source(cell).splitlines():
        if line.strip():
            return line.strip()[:60]
    return ""


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


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


def renumber(nb) -> None:
    """Execution counts 1, 2, 3, ... as a reader expects: drain_late_output's empty requests advanced
    evcxr's counter between the cells."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = count
