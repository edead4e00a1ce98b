#!/usr/bin/env python3
"""The kernel pool (calc_dl_nb.pool, issue 16) in a real Jupyter server, through its REST API and
kernel websockets, as JupyterLab uses them.

The server is `.venv/bin/jupyter server` with the venv's Jupyter config (what scripts/setup.sh
writes; `make lab` reads the same), serving a copy of notebooks/ (with crates/ linked next to it,
so the book's `:dep` path resolves) and empty Jupyter data/config/runtime folders.
Four servers: the default pool; a notebook opened while it warms up; a pool whose warm-up fails;
CALC_DL_POOL=0.
Prints one line per check, closes with `N passed, N failed`, exits 1 on a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tornado.websocket import websocket_connect

from calc_dl_nb.env import ROOT, book_dep_line

PLAIN, TABLES = book_dep_line(), book_dep_line(["tables"])
COMPUTE = "use calc_dl::prelude::*;\nderivative(|x: Dual| x * x * x, 2.0)?"  # a computing cell: 12.0
COMPUTED = "12.0"
FIRST_CELL_GOAL = 1.0  # seconds, issue 16
WARM_TIMEOUT = 900  # a cold slot compiles calc_dl (and polars' crates link) once

checks: list[tuple[str, bool]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    checks.append((name, ok))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f"\n     {detail}" if detail and not ok else ""), flush=True)
    return ok


def info(text: str) -> None:
    print(f"     {text}", flush=True)


class Server:
    """A jupyter server on loopback with the venv's config, a copy of the book, its own log."""

    def __init__(self, env: dict | None = None, config: dict | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="calc-dl-pool-"))
        shutil.copytree(ROOT / "notebooks", self.dir / "notebooks")
        (self.dir / "crates").symlink_to(ROOT / "crates")
        for sub in ("data", "config", "runtime"):
            (self.dir / sub).mkdir()
        if config:
            (self.dir / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.token = uuid.uuid4().hex
        self.runtime = str(self.dir / "runtime")
        full_env = {
            **{k: v for k, v in os.environ.items() if k != "CALC_DL_POOL"},  # unset: the default
            "PATH": f"{Path.home()}/.cargo/bin:{os.environ['PATH']}",
            "JUPYTER_PATH": str(ROOT / ".venv/share/jupyter"),
            "JUPYTER_DATA_DIR": str(self.dir / "data"),
            "JUPYTER_CONFIG_DIR": str(self.dir / "config"),
            "JUPYTER_RUNTIME_DIR": self.runtime,
            **(env or {}),
        }
        args = [str(ROOT / ".venv/bin/jupyter"), "server", "--no-browser", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.dir / 'notebooks'}"]
        if os.getuid() == 0:
            args.append("--allow-root")
        self.log_path = self.dir / "server.log"
        self.proc = subprocess.Popen(args, env=full_env, cwd=ROOT, stdout=open(self.log_path, "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                self.api("GET", "/api/status")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the jupyter server did not start:\n" + self.log()[-3000:])
                time.sleep(0.3)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def api(self, method: str, path: str, body=None):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=WARM_TIMEOUT) as r:
            data = r.read()
        return json.loads(data) if data else None

    def session(self, notebook: str, kernel: str = "rust") -> tuple[str, float]:
        """Open a session as JupyterLab does when a notebook opens: (kernel id, seconds)."""
        t0 = time.monotonic()
        s = self.api("POST", "/api/sessions", {"path": notebook, "name": notebook, "type": "notebook",
                                               "kernel": {"name": kernel}})
        return s["kernel"]["id"], time.monotonic() - t0

    # What the pool logged: ids warmed, handed out, died.
    def warmed(self, line: str | None = None) -> list[str]:
        return [m[0] for m in re.findall(r"calc_dl kernel pool: (\S+) warm in \S+ \((.*)\)", self.log())
                if line is None or m[1] == line]

    def handed(self) -> set[str]:
        """Pooled kernels handed out: by id for a new notebook, by the pooled id for a restart."""
        log = self.log()
        return set(re.findall(r"Kernel started: (\S+) \(warm", log)) | set(re.findall(r"swapped in ([0-9a-f-]+)", log))

    def ready(self, line: str) -> list[str]:
        """Pooled kernels of this variant that are warm and not handed out (nor dead)."""
        gone = self.handed() | set(re.findall(r"pooled kernel (\S+) died", self.log()))
        return [k for k in self.warmed(line) if k not in gone]

    def wait_ready(self, line: str, n: int = 1, timeout: float = WARM_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.ready(line)) < n:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
        return True

    def kernel_pids(self) -> dict[str, int]:
        """evcxr_jupyter processes of this server, by kernel id (their connection file names it)."""
        found = {}
        for proc in Path("/proc").iterdir():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            for arg in cmd:
                m = re.match(rf"{re.escape(self.runtime)}/kernel-(.+)\.json$", arg.decode(errors="replace"))
                if m and b"evcxr_jupyter" in cmd[0]:
                    found[m[1]] = int(proc.name)
        return found

    def stop(self) -> int | None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return None


def keep_log(server: Server, failed_before: int) -> None:
    """On a failure, keep the server's log (the server's folder is removed)."""
    if sum(not ok for _, ok in checks) > failed_before:
        kept = Path(tempfile.mkstemp(prefix="calc-dl-pool-", suffix=".log")[1])
        shutil.copy(server.log_path, kept)
        info(f"server log kept: {kept}")


@contextlib.contextmanager
def served(title: str, env: dict | None = None, config: dict | None = None):
    """One part of the check: a Server, stopped, its log kept if a check failed, its folder removed."""
    failed = sum(not ok for _, ok in checks)
    print(f"-- {title}", flush=True)
    srv = Server(env=env, config=config)
    try:
        yield srv
    finally:
        srv.stop()
        keep_log(srv, failed)
        shutil.rmtree(srv.dir, ignore_errors=True)


def family(pid: int) -> list[int]:
    """A process and its children (evcxr runs the cells in a child process)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return [pid] + kids


def rss_mib(pid: int) -> float:
    out = subprocess.run(["ps", "-o", "rss=", "-p", ",".join(map(str, family(pid)))], capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split()) / 1024


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


class Channels:
    """A kernel websocket as JupyterLab opens one (legacy JSON protocol), running cells."""

    def __init__(self, server: Server, kernel_id: str, session: str | None = None):
        self.server, self.kernel_id, self.session = server, kernel_id, session or uuid.uuid4().hex

    async def __aenter__(self):
        url = (f"ws://127.0.0.1:{self.server.port}/api/kernels/{self.kernel_id}/channels"
               f"?token={self.server.token}&session_id={self.session}")
        self.ws = await websocket_connect(url)
        return self

    async def __aexit__(self, *exc):
        self.ws.close()

    async def run(self, code: str, timeout: float = 300) -> tuple[float, str, str]:
        """(seconds, reply status or "timeout", text of the outputs). Once in a dozen runs, an evcxr
        kernel started beside others stopped answering even kernel_info: a timeout, not a hang."""
        mid = uuid.uuid4().hex
        t0 = time.monotonic()
        self.ws.write_message(json.dumps({
            "header": {"msg_id": mid, "msg_type": "execute_request", "session": self.session, "username": "t",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        texts, status, idle = [], None, False
        while status is None or not idle:
            try:
                raw = await asyncio.wait_for(self.ws.read_message(), timeout)
            except asyncio.TimeoutError:
                return time.monotonic() - t0, "timeout", "".join(texts)
            if raw is None:
                return time.monotonic() - t0, "closed", "".join(texts)
            m = json.loads(raw)
            if m["parent_header"].get("msg_id") != mid:
                continue
            kind, content = m["msg_type"], m["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "status":
                idle = content["execution_state"] == "idle"
            elif kind == "stream":
                texts.append(content["text"])
            elif kind == "error":
                texts.append(content.get("evalue", ""))
            elif kind == "execute_result":
                texts.append(content["data"].get("text/plain", ""))
        return time.monotonic() - t0, status, "".join(texts)


async def ready_in(server: Server, kernel_id: str) -> float:
    """Seconds until the kernel answers a first (empty) cell (the websocket opens once it is up);
    inf if it did not within 2 minutes."""
    t0 = time.monotonic()
    async with Channels(server, kernel_id) as ch:
        _, status, _ = await ch.run("", timeout=120)
    return time.monotonic() - t0 if status == "ok" else float("inf")


async def first_cells(server: Server, kernel_id: str, dep: str, label: str) -> None:
    """The notebook's own `:dep` cell, then a computing cell: each under the goal."""
    async with Channels(server, kernel_id) as ch:
        s_dep, st, out = await ch.run(dep)
        check(f"{label}: its `:dep` cell ran ({s_dep:.2f}s, goal < {FIRST_CELL_GOAL:.0f}s)",
              st == "ok" and s_dep < FIRST_CELL_GOAL, out)
        s_cell, st, out = await ch.run(COMPUTE)
        check(f"{label}: a computing cell then answered ({s_cell:.2f}s, goal < {FIRST_CELL_GOAL:.0f}s)",
              st == "ok" and out.strip() == COMPUTED and s_cell < FIRST_CELL_GOAL, out)


def write_notebook(server: Server, name: str, first_cell: str) -> str:
    nb = {"cells": [{"cell_type": "code", "source": first_cell, "metadata": {}, "outputs": [],
                     "execution_count": None}],
          "metadata": {"kernelspec": {"name": "rust", "display_name": "Rust (calc_dl)", "language": "rust"}},
          "nbformat": 4, "nbformat_minor": 5}
    (server.dir / "notebooks" / name).write_text(json.dumps(nb))
    return name


async def default_pool() -> None:
    failed = sum(not ok for _, ok in checks)
    print("-- server with the venv's config and CALC_DL_POOL unset (the default: 1 per variant)", flush=True)
    srv = Server()
    try:
        check("the venv's Jupyter config turns the pool on",
              "calc_dl kernel pool: 1 per variant" in srv.log(), srv.log()[-2000:])
        t0 = time.monotonic()
        ok = srv.wait_ready(PLAIN) and srv.wait_ready(TABLES)
        check(f"both variants warm ({time.monotonic() - t0:.0f}s after the server started)", ok, srv.log()[-3000:])
        if not ok:
            return
        pids = srv.kernel_pids()
        check("the pool started exactly its size (2 kernels) and the API lists none",
              len(pids) == 2 and srv.api("GET", "/api/kernels") == [], f"{pids}")
        for line, name in ((PLAIN, "plain"), (TABLES, "tables")):
            info(f"idle pooled kernel ({name}): RSS {rss_mib(pids[srv.ready(line)[0]]):.0f} MiB"
                 " (evcxr_jupyter and its child)")

        warm_plain = srv.ready(PLAIN)
        k1, secs = srv.session("01_why_calculus.ipynb")
        secs += await ready_in(srv, k1)
        check(f"notebook 01 got a pre-started kernel, ready at once ({secs:.2f}s)", k1 in warm_plain and secs < 1, k1)
        model = srv.api("GET", f"/api/kernels/{k1}")
        check("it is a normal server kernel now (listed, idle)", model["execution_state"] == "idle", f"{model}")
        await first_cells(srv, k1, PLAIN, "notebook 01")
        async with Channels(srv, k1) as ch:
            await ch.run("let only_in_01 = 1;")

        k2, _ = srv.session("02_derivative_rate_of_change.ipynb")
        secs = await ready_in(srv, k2)
        check(f"notebook 02, opened while the refill waits its delay, starts its own (ready in {secs:.1f}s)",
              k2 != k1 and k2 not in srv.warmed(PLAIN) and secs < float("inf"), k2)
        async with Channels(srv, k2) as ch:
            _, st, out = await ch.run("only_in_01")
            check("no state from notebook 01 in notebook 02's kernel", st == "error", out)

        # Restart: a warm kernel swapped in under the same id, as JupyterLab sees it (it reconnects).
        check("the pool refilled", srv.wait_ready(PLAIN))
        old_pid = srv.kernel_pids()[k1]
        session = uuid.uuid4().hex
        async with Channels(srv, k1, session) as ch:
            t0 = time.monotonic()
            srv.api("POST", f"/api/kernels/{k1}/restart")
            secs = time.monotonic() - t0
        check(f"restart of notebook 01's kernel answered ({secs:.2f}s, goal < {FIRST_CELL_GOAL:.0f}s)",
              secs < FIRST_CELL_GOAL)
        async with Channels(srv, k1, session) as ch:  # the same client session, as JupyterLab reconnects
            s1, st, out = await ch.run("only_in_01")
            check(f"after the restart: same id, fresh state ({s1:.2f}s)", st == "error", out)
            s2, st2, out2 = await ch.run(PLAIN)
            s3, st3, out3 = await ch.run(COMPUTE)
            check(f"after the restart: `:dep` {s2:.2f}s and a computing cell {s3:.2f}s (goal < 1s each)",
                  st2 == st3 == "ok" and out3.strip() == COMPUTED and max(s2, s3) < FIRST_CELL_GOAL, out2 + out3)
        time.sleep(6)
        check("the replaced kernel's process ended", not alive(old_pid))

        # With no warm kernel ready, a restart is the usual one.
        swaps = srv.log().count("swapped in")
        t0 = time.monotonic()
        srv.api("POST", f"/api/kernels/{k2}/restart")
        async with Channels(srv, k2) as ch:
            _, st, out = await ch.run("1 + 1")
        check(f"a restart with no warm kernel ready is the usual one ({time.monotonic() - t0:.1f}s)",
              st == "ok" and out.strip() == "2" and srv.log().count("swapped in") == swaps, out)

        # A pooled kernel killed: dropped and replaced.
        check("pool ready again", srv.wait_ready(PLAIN))
        victim = srv.ready(PLAIN)[0]
        os.kill(srv.kernel_pids()[victim], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while f"pooled kernel {victim} died" not in srv.log() and time.monotonic() < deadline:
            time.sleep(0.5)
        check("a killed pooled kernel is noticed", f"pooled kernel {victim} died" in srv.log())
        check("and replaced by a new warm one", srv.wait_ready(PLAIN) and victim not in srv.ready(PLAIN))
        k3, _ = srv.session("03_tangents_and_rules.ipynb")
        check("a notebook opened after that gets the replacement", k3 in srv.warmed(PLAIN) and k3 != victim)

        # Notebook 08: the tables variant.
        k8, secs = srv.session("08_regression_on_data.ipynb")
        check(f"notebook 08 got the pre-started tables kernel ({secs:.2f}s)", k8 in srv.warmed(TABLES), k8)
        async with Channels(srv, k8) as ch:
            s_dep, st, out = await ch.run(TABLES)
            check(f"notebook 08: its `:dep` line ran ({s_dep:.2f}s, goal < 1s)", st == "ok" and s_dep < 1, out)
            _, st, out = await ch.run("calc_dl::polars::prelude::DataFrame::empty().height()")
            check("notebook 08's kernel has polars (feature tables)", st == "ok" and out.strip() == "0", out)

        # Other notebooks and kernels go the normal way. First let 08's refill finish: a tables warm-up in
        # a build slot that never had polars compiles it (minutes of both cores), and a kernel started
        # meanwhile answered only after the 2-minute limit (Dec 3).
        check("pool ready again after 08", srv.wait_ready(PLAIN) and srv.wait_ready(TABLES))
        other = write_notebook(srv, "raster.ipynb", book_dep_line(["raster"]))
        kr, _ = srv.session(other)
        secs = await ready_in(srv, kr)
        check(f"a notebook with another :dep line starts its own kernel (ready in {secs:.1f}s)",
              kr not in srv.warmed() and kr in srv.kernel_pids() and secs < float("inf"))
        kb, _ = srv.session(write_notebook(srv, "blank.ipynb", "1 + 1"))
        secs = await ready_in(srv, kb)
        check(f"a notebook without a :dep line starts its own kernel (ready in {secs:.1f}s)",
              kb not in srv.warmed() and secs < float("inf"))
        if (ROOT / ".venv/share/jupyter/kernels/python3").exists():
            kp, _ = srv.session(write_notebook(srv, "py.ipynb", "1 + 1"), kernel="python3")
            check("a python3 kernel is not pooled", kp not in srv.warmed())
            srv.api("DELETE", f"/api/kernels/{kp}")
        for k in (kr, kb):
            srv.api("DELETE", f"/api/kernels/{k}")

        # Many notebooks at once: the pool never goes past its size.
        check("pool ready before the burst", srv.wait_ready(PLAIN) and srv.wait_ready(TABLES))
        names = [write_notebook(srv, f"burst{i}.ipynb", PLAIN) for i in range(3)]
        before = len(srv.api("GET", "/api/kernels"))
        most = [0]

        def sample():
            while not done:
                most[0] = max(most[0], len(srv.kernel_pids()))
                time.sleep(0.2)

        done = False
        with ThreadPoolExecutor(4) as ex:
            sampler = ex.submit(sample)
            got = list(ex.map(lambda n: srv.session(n)[0], names))
            answered = [await ready_in(srv, k) for k in got]  # every kernel of the burst up (sampled meanwhile)
            done = True
            sampler.result()
        limit = before + len(names) + 2
        check(f"3 notebooks at once: 3 different kernels, at most {limit} processes (saw {most[0]})",
              len(set(got)) == 3 and most[0] <= limit, f"{got}")
        check("each of them answers (" + ", ".join(f"{s:.1f}s" for s in answered) + ")",
              all(s < float("inf") for s in answered))
        srv.wait_ready(PLAIN)
        n_pool = len(srv.kernel_pids()) - len(srv.api("GET", "/api/kernels"))
        check(f"after the burst the pool holds its size again ({n_pool} = 2)", n_pool == 2)
        # Exit with only the pool running (the server skips shutdown_all for a kernel manager that is
        # false, and a MultiKernelManager with no listed kernel has len 0).
        for k in srv.api("GET", "/api/kernels"):
            srv.api("DELETE", f"/api/kernels/{k['id']}")
    finally:
        pids = srv.kernel_pids()
        family_pids = [p for pid in pids.values() for p in family(pid)]
        t0 = time.monotonic()
        code = srv.stop()
        secs = time.monotonic() - t0
        time.sleep(1)
        left = [p for p in family_pids if alive(p)] + list(srv.kernel_pids().values())
        check(f"server exit with {len(pids)} pooled kernels and none listed: exit code {code} in {secs:.1f}s,"
              " no evcxr_jupyter process left", code is not None and not left, f"left: {left}")
        check("and no connection file left", not list(Path(srv.runtime).glob("kernel-*.json")))
        keep_log(srv, failed)
        shutil.rmtree(srv.dir, ignore_errors=True)


async def opened_while_warming() -> None:
    """What `make lab` then a notebook opened at once meets: the session must answer at once (a cell
    run before JupyterLab has a session asks which kernel to start), with the warming kernel."""
    with served("a notebook opened while the pool warms up", env={"CALC_DL_POOL": "1"}) as srv:
        deadline = time.monotonic() + 60
        while len(srv.kernel_pids()) < 2 and time.monotonic() < deadline:  # both variants launched
            time.sleep(0.2)
        warming = list(srv.kernel_pids())
        check(f"the pool is warming up ({len(warming)} kernel processes, none warm yet)",
              bool(warming) and not srv.warmed(), srv.log()[-2000:])
        k, secs = srv.session("01_why_calculus.ipynb")
        check(f"notebook 01's session answered at once ({secs:.2f}s, goal < {FIRST_CELL_GOAL:.0f}s)"
              " with a warming pooled kernel", secs < FIRST_CELL_GOAL and k in warming, f"{k} {warming}")
        t0 = time.monotonic()
        async with Channels(srv, k) as ch:
            _, st, out = await ch.run(PLAIN)
            s_dep = time.monotonic() - t0
            s_cell, st2, out2 = await ch.run(COMPUTE)
        check(f"its `:dep` cell waited for the warm-up ({s_dep:.1f}s), then a computing cell ({s_cell:.2f}s)",
              st == st2 == "ok" and out2.strip() == COMPUTED, out + out2)
        deadline = time.monotonic() + 60  # its last warm-up cells may run after the notebook's
        while k not in srv.warmed(PLAIN) and time.monotonic() < deadline:
            time.sleep(0.5)
        check("the warm-up finished on that kernel", k in srv.warmed(PLAIN), srv.log()[-2000:])


async def failing_warmup() -> None:
    config = {"PooledMappingKernelManager": {"pool_features": [["no-such-feature"]]}}
    with served("server whose pool variant fails to warm up", env={"CALC_DL_POOL": "1"}, config=config) as srv:
        deadline = time.monotonic() + WARM_TIMEOUT
        while "warm-up failed" not in srv.log() and time.monotonic() < deadline:
            time.sleep(0.5)
        check("a failing warm-up cell is logged", "warm-up failed" in srv.log(), srv.log()[-2000:])
        time.sleep(2)
        check("and leaves no kernel behind", not srv.kernel_pids(), f"{srv.kernel_pids()}")
        bad = write_notebook(srv, "bad.ipynb", book_dep_line(["no-such-feature"]))
        k, _ = srv.session(bad)
        secs = await ready_in(srv, k)
        async with Channels(srv, k) as ch:
            _, st, _ = await ch.run("1 + 1")
        check(f"its notebook starts a kernel the usual way ({secs:.1f}s)", st == "ok" and k in srv.kernel_pids())


async def no_pool() -> None:
    with served("server with CALC_DL_POOL=0", env={"CALC_DL_POOL": "0"}) as srv:
        time.sleep(3)
        check("no pool: nothing pre-started", not srv.kernel_pids() and "calc_dl kernel pool" not in srv.log())
        k, _ = srv.session("01_why_calculus.ipynb")
        secs = await ready_in(srv, k)
        async with Channels(srv, k) as ch:
            s_dep, st, _ = await ch.run(PLAIN)
            s_cell, st2, out = await ch.run(COMPUTE)
        check(f"no pool: as before (kernel ready {secs:.1f}s, `:dep` {s_dep:.1f}s, computing cell {s_cell:.1f}s)",
              st == st2 == "ok" and out.strip() == COMPUTED)


def main() -> int:
    only = sys.argv[1:]
    for part in (default_pool, opened_while_warming, failing_warmup, no_pool):
        if not only or part.__name__ in only:
            asyncio.run(part())
    bad = sum(not ok for _, ok in checks)
    print(f"{len(checks) - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
