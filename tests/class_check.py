#!/usr/bin/env python3
"""make class-check: a class on a real JupyterHub on this machine, measured.

Needs root (it makes system users) and the class layout of `scripts/setup.sh --hub` (/opt/calc_dl).
What it does, in order, printing each step:
1. image: `repo2docker --no-build --user-id 1000 --user-name jovyan --target-repo-dir /srv/calc_dl`
   prints the Dockerfile that Zero to JupyterHub's image is built from; the check reads it: the
   Debian packages of binder/apt.txt installed as root, postBuild run as the notebook user (no root
   in it), binder/start the entrypoint, files owned by 1000, the repository outside the home.
2. learners: LEARNERS system users (plus a fresh-home one and a pool one), each a new home of mode
   0700; a JupyterHub on 127.0.0.1 (deploy/local/jupyterhub_config.py, configurable-http-proxy)
   with an admin service token.
3. the burst: every learner's server spawned at once through the hub's REST API, then in each, at the
   same time, a session for the notebook (as JupyterLab opens one) and its code cells run one by one
   over the kernel's websocket, each judged as the runner judges it (calc_dl_nb.cells). /proc is
   sampled every 0.2 s: the memory of each learner's server, kernel process tree, and of the compilers
   in it (cargo, rustc, the linkers), as the sum of each process's PSS (resident pages, a shared one
   counted once over its sharers: what a container's memory limit sees), the kernel process's own peak
   (VmHWM), and the CPU time they used.
4. isolation: a learner cannot read another's notebook (homes 0700), cannot use another's server
   with their own token (the API refuses), and cannot kill another's kernel (kill as that user fails).
5. fresh home: a learner whose home is empty starts a kernel, loads calc_dl and computes (everything
   the kernel needs lives outside the home).
6. pool: a server with CALC_DL_POOL=1: the idle pre-started kernel's memory, then a notebook that
   gets it.
It prints a table per learner and `N passed, N failed`, exits non-zero on a failure, and removes
every user, home, build folder and process it made (also on failure, Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
from calc_dl_nb.cells import check_cell  # noqa: E402
from calc_dl_nb.env import book_dep_line  # noqa: E402

PREFIX = Path(os.environ.get("CALC_DL_CLASS_PREFIX", "/opt/calc_dl"))
VENV = PREFIX / "venv"
LEARNERS = int(os.environ.get("CLASS_LEARNERS", "3"))
NOTEBOOK = os.environ.get("CLASS_NOTEBOOK", "01_why_calculus.ipynb")
CELL_TIMEOUT = 600
SAMPLE_SECONDS = 0.2
COMPILERS = {"cargo", "rustc", "cc", "gcc", "ld", "mold", "ld.mold", "collect2", "rust-lld"}
TAG = f"{os.getpid() % 100000}"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")

results: list[tuple[str, bool, str]] = []


def record(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"  {'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


# ------------------------------------------------------------------ what the check made, undone at exit
class Cleanup:
    def __init__(self):
        self.users: list[str] = []
        self.hub: subprocess.Popen | None = None
        self.state: Path | None = None
        self.done = False

    def uids(self) -> set[int]:
        out = set()
        for name in self.users:
            try:
                out.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        return out

    def run(self) -> None:
        if self.done:
            return
        self.done = True
        proxy_pid = None
        if self.state and (self.state / "proxy.pid").exists():
            try:
                proxy_pid = int((self.state / "proxy.pid").read_text().strip())
            except ValueError:
                pass
        if self.hub and self.hub.poll() is None:
            # The hub stops the learners' servers on exit (cleanup_servers), then the proxy it started.
            self.hub.send_signal(signal.SIGTERM)
            try:
                self.hub.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.hub.pid, signal.SIGKILL)
                self.hub.wait(10)
        if proxy_pid and _alive(proxy_pid) and "configurable-http-proxy" in _cmdline(proxy_pid):
            os.kill(proxy_pid, signal.SIGTERM)
        # Anything still running as a learner made here (a server the hub did not stop, a kernel).
        uids = self.uids()
        for _ in range(20):
            left = [p for p in _pids() if _uid(p) in uids]
            if not left:
                break
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.25)
        for name in self.users:
            subprocess.run(["userdel", "-r", name], capture_output=True)
            shutil.rmtree(f"/home/{name}", ignore_errors=True)
            for d in (f"/var/tmp/calc_dl-kernels-{name}", f"/var/tmp/calc_dl-kernels-{name}.partial"):
                shutil.rmtree(d, ignore_errors=True)
        if self.state:
            shutil.rmtree(self.state, ignore_errors=True)
        left_users = [n for n in self.users if _user_exists(n)]
        print(f"  cleaned up: {len(self.users) - len(left_users)} users with their homes and build folders, the hub"
              + (f"; LEFT: {left_users}" if left_users else ""), flush=True)


CLEANUP = Cleanup()
atexit.register(CLEANUP.run)


def _on_signal(signum, _frame):
    print(f"\nsignal {signum}: cleaning up", flush=True)
    CLEANUP.run()
    os._exit(128 + signum)


for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


# ------------------------------------------------------------------ /proc
def _pids() -> list[int]:
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def _status(pid: int) -> dict:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def _uid(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _cpu_seconds(pid: int) -> float:
    """utime+stime of the process and of its children it has waited for (cargo, rustc after each cell)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


def _kb(value: str) -> int:
    return int(value.split()[0]) if value else 0


def _pss(pid: int) -> int | None:
    """Proportional set size (kB): a page shared by n processes counts 1/n in each. Summing RSS instead
    counts shared pages again in every process: a kernel that forks cargo showed its 0.6 GB twice."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return _kb(line.split(":", 1)[1].strip())
    except OSError:
        return None
    return None


WATCHED: set[int] = set()  # the learners' uids: their processes get the (costlier) PSS read


def snapshot() -> dict[int, dict]:
    procs = {}
    for pid in _pids():
        st = _status(pid)
        if not st:
            continue
        uid = int(st.get("Uid", "0").split()[0])
        rss = _kb(st.get("VmRSS", ""))
        pss = _pss(pid) if uid in WATCHED else None
        procs[pid] = {
            "ppid": int(st.get("PPid", "0")),
            "uid": uid,
            "name": st.get("Name", ""),
            "rss": rss if pss is None else pss,
            "hwm": _kb(st.get("VmHWM", "")),
        }
    return procs


def descendants(procs: dict[int, dict], root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, p in procs.items():
        children.setdefault(p["ppid"], []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in procs:
            out.append(pid)
            todo.extend(children.get(pid, []))
    return out


SERVER = "jupyterhub-sing"  # jupyterhub-singleuser, as /proc/<pid>/status names it (15 characters)


def kernel_roots(procs: dict[int, dict], uid: int) -> list[int]:
    """The learner's kernels: evcxr_jupyter processes their server started (kernel.sh execs evcxr)."""
    return [pid for pid, p in procs.items()
            if p["uid"] == uid and p["name"] == "evcxr_jupyter" and procs.get(p["ppid"], {}).get("name") == SERVER]


def is_compiler(procs: dict[int, dict], pid: int) -> bool:
    """cargo, rustc, the linkers, and evcxr_jupyter run by cargo as rustc's wrapper (its build cache)."""
    p = procs[pid]
    return p["name"] in COMPILERS or (p["name"] == "evcxr_jupyter" and procs.get(p["ppid"], {}).get("name") == "cargo")


class Learner:
    def __init__(self, name: str, role: str = "learner"):
        self.name, self.role = name, role
        self.token = ""
        self.uid = -1
        self.server_s = self.kernel_s = self.wall_s = self.dep_s = float("nan")
        self.cells_ok = self.cells = 0
        self.failure = ""
        self.kernel_id = ""
        # peaks (kB) over the samples; CPU seconds of the kernel tree at the end of the run
        self.peak_server = self.peak_kernel = self.peak_compilers = self.peak_total = 0
        self.kernel_hwm = 0
        self.cpu_s = self.server_cpu = self.start_cpu = 0.0
        self.pooled_idle_kb = self.after_kb = 0
        self.sampling = False

    def sample(self, procs: dict[int, dict]) -> None:
        server = [pid for pid, p in procs.items() if p["uid"] == self.uid and p["name"] == SERVER]
        kernels = kernel_roots(procs, self.uid)
        kernel_tree = [q for k in kernels for q in descendants(procs, k)]
        server_rss = sum(procs[p]["rss"] for p in server)
        kernel_rss = sum(procs[p]["rss"] for p in kernel_tree)
        compilers = sum(procs[p]["rss"] for p in kernel_tree if is_compiler(procs, p))
        self.peak_server = max(self.peak_server, server_rss)
        self.peak_kernel = max(self.peak_kernel, kernel_rss)
        self.peak_compilers = max(self.peak_compilers, compilers)
        self.peak_total = max(self.peak_total, server_rss + kernel_rss)
        self.kernel_hwm = max([self.kernel_hwm] + [procs[k]["hwm"] for k in kernels])

    def kernel_pids(self) -> list[int]:
        return kernel_roots(snapshot(), self.uid)

    def kernel_cpu(self) -> float:
        procs = snapshot()
        return sum(_cpu_seconds(q) for k in self.kernel_pids() for q in descendants(procs, k))


async def sampler(learners: list[Learner], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        procs = await loop.run_in_executor(None, snapshot)
        for learner in learners:
            if learner.sampling:
                learner.sample(procs)
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)
        except asyncio.TimeoutError:
            pass


def busy_jiffies() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# ------------------------------------------------------------------ HTTP and the kernel protocol
class Hub:
    def __init__(self, url: str, token: str):
        from tornado.httpclient import AsyncHTTPClient

        self.url, self.token = url, token
        self.http = AsyncHTTPClient(defaults={"request_timeout": 600, "connect_timeout": 30})

    async def call(self, method: str, path: str, body=None, token: str | None = None, ok=(200, 201, 202, 204)):
        from tornado.httpclient import HTTPClientError

        data = None if body is None else json.dumps(body)
        if method in ("POST", "PUT", "PATCH") and data is None:
            data = ""
        try:
            resp = await self.http.fetch(
                self.url + path, method=method, body=data, follow_redirects=False,
                headers={"Authorization": f"token {token or self.token}", "Content-Type": "application/json"},
                allow_nonstandard_methods=True,
            )
            code, text = resp.code, resp.body.decode()
        except HTTPClientError as e:
            code, text = e.code, (e.response.body.decode(errors="replace") if e.response else str(e))
        if ok and code not in ok:
            raise RuntimeError(f"{method} {path}: HTTP {code}: {text[:300]}")
        return code, (json.loads(text) if text.strip().startswith(("{", "[")) else text)


def _msg(msg_type: str, content: dict, session: str) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "class-check", "session": session,
                   "msg_type": msg_type, "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": [],
    }


class KernelSocket:
    """The kernel's websocket as JupyterLab uses it (JSON messages, the legacy protocol)."""

    def __init__(self, ws):
        self.ws, self.session = ws, uuid.uuid4().hex

    @classmethod
    async def open(cls, hub: Hub, user: str, kernel_id: str, token: str) -> "KernelSocket":
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = hub.url.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel_id}/channels"
        ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}, request_timeout=600))
        return cls(ws)

    async def request(self, msg_type: str, content: dict, timeout: float = CELL_TIMEOUT) -> tuple[dict, list[dict]]:
        """Send a shell request; return its reply and the iopub messages until it is idle."""
        msg = _msg(msg_type, content, self.session)
        await self.ws.write_message(json.dumps(msg))
        mid, reply, iopub, idle = msg["header"]["msg_id"], None, [], False
        deadline = time.monotonic() + timeout
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{msg_type}: no reply in {timeout:.0f}s")
            raw = await asyncio.wait_for(self.ws.read_message(), left)
            if raw is None:
                raise RuntimeError("the kernel's websocket closed")
            m = json.loads(raw)
            if m.get("parent_header", {}).get("msg_id") != mid:
                continue
            if m["channel"] == "shell":
                reply = m
            elif m["channel"] == "iopub":
                if m["msg_type"] == "status" and m["content"].get("execution_state") == "idle":
                    idle = True
                else:
                    iopub.append(m)
        return reply, iopub

    async def ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.request("kernel_info_request", {}, timeout=5)
                return
            except (TimeoutError, asyncio.TimeoutError):
                if time.monotonic() > deadline:
                    raise

    async def run_cell(self, cell: dict) -> tuple[float, dict | None]:
        """Execute one notebook cell; return (seconds, failure or None) judged by calc_dl_nb.cells."""
        t0 = time.monotonic()
        reply, iopub = await self.request("execute_request", {
            "code": "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"],
            "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
        })
        seconds = time.monotonic() - t0
        # evcxr sends some stderr after a cell's idle, under load: an empty request collects it (as the runner).
        _, late = await self.request("execute_request", {"code": "", "silent": False, "store_history": False,
                                                         "user_expressions": {}, "allow_stdin": False})
        outputs = []
        for m in iopub + [m for m in late if m["msg_type"] == "stream"]:
            c = m["content"]
            if m["msg_type"] == "stream":
                outputs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
            elif m["msg_type"] == "error":
                outputs.append({"output_type": "error", **c})
        failure = check_cell({"outputs": outputs, "metadata": cell.get("metadata", {})}, 1)
        if failure is None and reply["content"]["status"] != "ok" and "raises-exception" not in cell.get("metadata", {}).get("tags", []):
            return seconds, {"message": reply["content"].get("evalue", "error reply")}
        return seconds, (None if failure is None else {"message": failure.message})

    def close(self) -> None:
        self.ws.close()


# ------------------------------------------------------------------ steps
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def make_user(name: str, empty_home: bool = False) -> int:
    home = Path("/home") / name
    CLEANUP.users.append(name)
    # -M and a bare folder for the fresh-home learner: no /etc/skel either.
    cmd = ["useradd", "-s", "/bin/bash", "-d", str(home)] + (["-M"] if empty_home else ["-m"]) + [name]
    subprocess.run(cmd, check=True, capture_output=True)
    uid = pwd.getpwnam(name).pw_uid
    if empty_home:
        home.mkdir(mode=0o700)
        os.chown(home, uid, pwd.getpwnam(name).pw_gid)
    home.chmod(0o700)
    return uid


def check_image() -> None:
    print("\n==> 1. the image: repo2docker --no-build (the Dockerfile Zero to JupyterHub's image is built from)", flush=True)
    cmd = [str(VENV / "bin/repo2docker"), "--no-build", "--user-id", "1000", "--user-name", "jovyan",
           "--target-repo-dir", "/srv/calc_dl", "--image-name", "calc-dl-book:check", str(ROOT)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    dockerfile = out.stdout
    apt = [p.strip() for p in (ROOT / "binder/apt.txt").read_text().splitlines() if p.strip() and not p.startswith("#")]
    apt_line = next((line for line in dockerfile.splitlines() if "apt-get install" in line and apt[0] in line), "")
    missing_apt = [p for p in apt if p not in apt_line.split()]
    # repo2docker switches to root for apt and back to ${NB_USER} before each build script.
    users = [(m.start(), m.group(1)) for m in re.finditer(r"^USER (\S+)", dockerfile, re.M)]
    post = dockerfile.find("RUN ./binder/postBuild")
    post_user = next((u for pos, u in reversed(users) if pos < post), None) if post >= 0 else None
    setup_apt = re.search(r"APT_PACKAGES=\(([^)]*)\)", (ROOT / "scripts/setup.sh").read_text())
    setup_needs = setup_apt.group(1).split() if setup_apt else []
    problems = []
    if out.returncode != 0:
        problems.append(f"repo2docker exited {out.returncode}: {out.stderr[-300:]}")
    if missing_apt:
        problems.append(f"apt.txt packages not installed by the Dockerfile: {missing_apt}")
    if [p for p in setup_needs if p not in apt]:
        problems.append(f"setup.sh needs Debian packages apt.txt lacks: {[p for p in setup_needs if p not in apt]}")
    if post_user != "${NB_USER}":
        problems.append(f"postBuild runs as {post_user!r}, not the notebook user")
    if 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' not in dockerfile:
        problems.append("binder/start is not the entrypoint")
    if "--chown=1000:1000" not in dockerfile:
        problems.append("files not owned by uid 1000 (--user-id 1000)")
    code_lines = [ln for ln in (ROOT / "binder/postBuild").read_text().splitlines() if not ln.lstrip().startswith("#")]
    if any(re.search(r"\bsudo\b", ln) for ln in code_lines):
        problems.append("postBuild calls sudo")
    record("image: repo2docker --no-build Dockerfile", not problems,
           "; ".join(problems) or f"apt as root: {' '.join(apt)}; postBuild as ${{NB_USER}} (uid 1000, jovyan);"
           " entrypoint binder/start; repository in /srv/calc_dl")


async def start_hub(state: Path, token: str) -> tuple[Hub, Path]:
    port, hub_port, proxy_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_PATH"}  # the Makefile's points at .venv
    env.update(CALC_DL_HUB_DIR=str(state), CALC_DL_HUB_BIND=f"http://127.0.0.1:{port}",
               CALC_DL_HUB_API_PORT=str(hub_port), CALC_DL_PROXY_API_PORT=str(proxy_port),
               CALC_DL_HUB_TOKEN=token, CONFIGPROXY_AUTH_TOKEN=secrets.token_hex(16),
               CALC_DL_POOL_USERS=POOL_USER, CALC_DL_NO_DELIVERY=FRESH_USER, CALC_DL_CLASS_PREFIX=str(PREFIX))
    log = state / "hub.log"
    CLEANUP.hub = subprocess.Popen(
        [str(VENV / "bin/jupyterhub"), "-f", str(ROOT / "deploy/local/jupyterhub_config.py")],
        cwd=state, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", token)
    deadline = time.monotonic() + 120
    while True:
        try:
            code, _ = await hub.call("GET", "/hub/api/", ok=None)
            if code == 200:
                break
        except Exception:
            pass
        if CLEANUP.hub.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the hub did not start:\n" + log.read_text()[-2000:])
        await asyncio.sleep(0.5)
    return hub, log


async def spawn(hub: Hub, learner: Learner) -> None:
    t0 = time.monotonic()
    await hub.call("POST", f"/hub/api/users/{learner.name}/server")
    while True:
        _, info = await hub.call("GET", f"/hub/api/users/{learner.name}")
        server = (info.get("servers") or {}).get("")
        if server and server.get("ready"):
            break
        if not info.get("pending") and not server:
            raise RuntimeError(f"{learner.name}: the server stopped while starting")
        if time.monotonic() - t0 > 300:
            raise RuntimeError(f"{learner.name}: the server did not start in 300 s")
        await asyncio.sleep(0.25)
    learner.server_s = time.monotonic() - t0
    procs = snapshot()
    learner.server_cpu = sum(_cpu_seconds(pid) for pid, p in procs.items() if p["uid"] == learner.uid and p["name"] == SERVER)


async def open_notebook(hub: Hub, learner: Learner, path: str) -> KernelSocket:
    """A session for the notebook (the kernel starts in its folder, as JupyterLab asks), then its websocket."""
    t0 = time.monotonic()
    _, session = await hub.call("POST", f"/user/{learner.name}/api/sessions", token=learner.token,
                                body={"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "rust"}})
    learner.kernel_id = session["kernel"]["id"]
    ks = await KernelSocket.open(hub, learner.name, learner.kernel_id, learner.token)
    await ks.ready()
    learner.kernel_s = time.monotonic() - t0
    learner.start_cpu = learner.kernel_cpu()
    return ks


async def run_cells(ks: KernelSocket, learner: Learner, cells: list[dict]) -> None:
    """Runs the code cells in order until one fails; fills the learner's cells, :dep, wall and CPU figures."""
    t0 = time.monotonic()
    learner.cells = len(cells)
    for i, cell in enumerate(cells, 1):
        seconds, failure = await ks.run_cell(cell)
        if i == 1:
            learner.dep_s = seconds
        if failure:
            learner.failure = f"cell {i}: {failure['message'].strip()[:300]}"
            break
        learner.cells_ok += 1
    learner.wall_s = time.monotonic() - t0
    learner.cpu_s = learner.kernel_cpu()


async def run_notebook(hub: Hub, learner: Learner, cells: list[dict]) -> KernelSocket | None:
    """Spawn, open the notebook, run its code cells; fills the learner's figures. Returns the open socket."""
    learner.sampling = True
    try:
        await spawn(hub, learner)
        ks = await open_notebook(hub, learner, f"calc_dl/notebooks/{NOTEBOOK}")
        await run_cells(ks, learner, cells)
        return ks
    except Exception as e:  # reported per learner, the others go on
        learner.failure = learner.failure or f"{type(e).__name__}: {e}"
        return None


def code_cells() -> list[dict]:
    nb = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def table(rows: list[Learner]) -> None:
    head = ("learner", "server s", "kernel s", ":dep s", "cells", "wall s", "server start CPU s", "kernel start CPU s",
            "kernel CPU s", "server MB", "kernel tree MB", "compilers MB", "server+kernel MB")
    print("\n" + " | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        print(" | ".join([
            f"{r.name} ({r.role})", f"{r.server_s:.1f}", f"{r.kernel_s:.1f}", f"{r.dep_s:.1f}",
            f"{r.cells_ok}/{r.cells}", f"{r.wall_s:.1f}", f"{r.server_cpu:.1f}", f"{r.start_cpu:.1f}", f"{r.cpu_s:.1f}",
            mb(r.peak_server), mb(r.peak_kernel),
            mb(r.peak_compilers), mb(r.peak_total)]))


POOL_USER = f"cdl{TAG}pool"
FRESH_USER = f"cdl{TAG}fresh"


async def main_async() -> None:
    # The warm build folder each learner's is copied from: up to date with calc_dl's sources (skipped when it is).
    subprocess.run([sys.executable, str(ROOT / "deploy/warm_kernels.py")], check=True,
                   env=dict(os.environ, USER=pwd.getpwuid(os.getuid()).pw_name))
    check_image()

    print(f"\n==> 2. learners and the hub: {LEARNERS} learners + one with an empty home + one with the kernel pool", flush=True)
    learners = [Learner(f"cdl{TAG}l{i}") for i in range(1, LEARNERS + 1)]
    fresh, pool = Learner(FRESH_USER, "empty home"), Learner(POOL_USER, "CALC_DL_POOL=1")
    for lr in learners + [pool]:
        lr.uid = make_user(lr.name)
    fresh.uid = make_user(fresh.name, empty_home=True)
    WATCHED.update(lr.uid for lr in learners + [fresh, pool])
    state = Path(tempfile.mkdtemp(prefix="calc_dl-hub-"))
    state.chmod(0o700)
    CLEANUP.state = state
    token = secrets.token_hex(24)
    t0 = time.monotonic()
    hub, log = await start_hub(state, token)
    print(f"    JupyterHub up in {time.monotonic() - t0:.1f}s on {hub.url} (log {log})", flush=True)
    everyone = learners + [fresh, pool]
    await hub.call("POST", "/hub/api/users", body={"usernames": [lr.name for lr in everyone]})
    for lr in everyone:
        _, tok = await hub.call("POST", f"/hub/api/users/{lr.name}/tokens", body={"note": "class-check", "expires_in": 3600})
        lr.token = tok["token"]

    print(f"\n==> 3. the burst: {LEARNERS} servers spawned at once, then {NOTEBOOK} in each at the same time", flush=True)
    cells = code_cells()
    stop = asyncio.Event()
    sampling = asyncio.ensure_future(sampler(everyone, stop))
    busy0, total0 = busy_jiffies()
    t_burst = time.monotonic()
    sockets = await asyncio.gather(*(run_notebook(hub, lr, cells) for lr in learners))
    burst_s = time.monotonic() - t_burst
    busy1, total1 = busy_jiffies()
    cores = os.cpu_count() or 1
    busy_cores = cores * (busy1 - busy0) / max(1, total1 - total0)
    for lr in learners:
        record(f"{lr.name}: server, kernel and {lr.cells_ok}/{lr.cells} cells of {NOTEBOOK}",
               not lr.failure and lr.cells_ok == lr.cells, lr.failure)
    print(f"    burst: {burst_s:.1f}s from the first spawn to the last cell; the machine's {cores} cores"
          f" {busy_cores:.2f} busy on average", flush=True)

    table(learners)
    print("\n==> 4. isolation between learners", flush=True)
    if len(learners) < 2:
        raise RuntimeError("the isolation checks need 2 learners or more (CLASS_LEARNERS)")
    a, b = learners[0], learners[1]
    modes = {lr.name: oct(Path(f"/home/{lr.name}").stat().st_mode & 0o777) for lr in everyone}
    read = subprocess.run(["runuser", "-u", a.name, "--", "cat", f"/home/{b.name}/calc_dl/notebooks/{NOTEBOOK}"],
                          capture_output=True, text=True)
    record("a learner cannot read another's notebooks",
           read.returncode != 0 and all(m == "0o700" for m in modes.values()),
           f"homes {sorted(set(modes.values()))}; cat as {a.name}: {read.stderr.strip()[:120]}")
    code_list, _ = await hub.call("GET", f"/user/{b.name}/api/kernels", token=a.token, ok=None)
    code_del, _ = await hub.call("DELETE", f"/user/{b.name}/api/kernels/{b.kernel_id}", token=a.token, ok=None)
    code_own, _ = await hub.call("GET", f"/user/{b.name}/api/kernels", token=b.token, ok=None)
    record("another learner's token is refused by a learner's server",
           code_list in (401, 403) and code_del in (401, 403) and code_own == 200,
           f"{a.name}'s token on {b.name}'s server: list kernels HTTP {code_list}, delete kernel HTTP {code_del};"
           f" {b.name}'s own token: HTTP {code_own}")
    b_kernels = b.kernel_pids()
    kill = subprocess.run(["runuser", "-u", a.name, "--", "kill", "-KILL", *map(str, b_kernels)], capture_output=True, text=True)
    await asyncio.sleep(0.5)
    still = [p for p in b_kernels if _alive(p)]
    record("a learner cannot kill another's kernel",
           bool(b_kernels) and kill.returncode != 0 and still == b_kernels,
           f"kill -KILL {b_kernels} as {a.name}: {kill.stderr.strip()[:100]}; {b.name}'s kernel alive: {bool(still)}")
    for ks in sockets:
        if ks:
            ks.close()
    for lr in learners:
        lr.sampling = False
        await hub.call("DELETE", f"/hub/api/users/{lr.name}/server", ok=None)

    print("\n==> 5. a learner whose home is empty", flush=True)
    fresh.sampling = True
    try:
        await spawn(hub, fresh)
        t0 = time.monotonic()
        _, kernel = await hub.call("POST", f"/user/{fresh.name}/api/kernels", token=fresh.token, body={"name": "rust"})
        fresh.kernel_id = kernel["id"]
        ks = await KernelSocket.open(hub, fresh.name, fresh.kernel_id, fresh.token)
        await ks.ready()
        fresh.kernel_s = time.monotonic() - t0
        fresh.start_cpu = fresh.kernel_cpu()
        lib = ROOT / "crates/calc_dl"
        probe = [book_dep_line().replace("../crates/calc_dl", str(lib)), "use calc_dl::prelude::*;",
                 "let d = derivative(|x: Dual| x * x, 3.0).unwrap();\nassert_eq!(d, 6.0);\nd"]
        await run_cells(ks, fresh, [{"source": code, "metadata": {}} for code in probe])
        ks.close()
        home = sorted(str(p.relative_to(f"/home/{fresh.name}")) for p in Path(f"/home/{fresh.name}").iterdir())
        record("a learner with an empty home starts a kernel and computes with calc_dl",
               not fresh.failure, fresh.failure or f"kernel {fresh.kernel_s:.1f}s, :dep {fresh.dep_s:.1f}s;"
               f" the home holds only what the server wrote: {home}")
    except Exception as e:
        record("a learner with an empty home starts a kernel and computes with calc_dl", False, f"{type(e).__name__}: {e}")
    fresh.sampling = False
    await hub.call("DELETE", f"/hub/api/users/{fresh.name}/server", ok=None)

    print("\n==> 6. the kernel pool in a learner's server (CALC_DL_POOL=1), started ahead by deploy/prestart_servers.py", flush=True)
    try:
        t0 = time.monotonic()
        pre = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "deploy/prestart_servers.py"), "--hub", hub.url, pool.name,
            env=dict(os.environ, JUPYTERHUB_API_TOKEN=hub.token), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        pre_out = (await pre.communicate())[0].decode(errors="replace")
        pool.server_s = time.monotonic() - t0
        procs = snapshot()
        pool.server_cpu = sum(_cpu_seconds(pid) for pid, p in procs.items() if p["uid"] == pool.uid and p["name"] == SERVER)
        print("    " + pre_out.strip().replace("\n", "\n    "), flush=True)
        if pre.returncode != 0:
            raise RuntimeError(f"prestart_servers.py exited {pre.returncode}")
        t0 = time.monotonic()
        warm_line = re.compile(r"calc_dl kernel pool: \S+ warm in ([0-9.]+)s")
        while not warm_line.search(log.read_text(errors="replace")):
            if time.monotonic() - t0 > 300:
                raise RuntimeError("no pooled kernel warm within 300 s")
            await asyncio.sleep(0.5)
        warm_s = float(warm_line.search(log.read_text(errors="replace")).group(1))
        await asyncio.sleep(2)
        idle = []
        for _ in range(10):
            procs = snapshot()
            tree = [q for k in pool.kernel_pids() for q in descendants(procs, k)]
            idle.append(sum(procs[q]["rss"] for q in tree if q in procs))
            await asyncio.sleep(SAMPLE_SECONDS)
        idle_kb = max(idle)
        pool.sampling = True
        ks = await open_notebook(hub, pool, f"calc_dl/notebooks/{NOTEBOOK}")
        await run_cells(ks, pool, cells)
        pool.pooled_idle_kb = idle_kb
        # After a hand-out the pool starts a replacement (pool_refill_delay later): the learner then holds
        # the notebook's kernel and a new warm one. Wait for it and measure what the server holds then.
        t1 = time.monotonic()
        while len(warm_line.findall(log.read_text(errors="replace"))) < 2:
            if time.monotonic() - t1 > 180:
                raise RuntimeError("the pool did not refill within 180 s")
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)
        procs = snapshot()
        pool.after_kb = sum(p["rss"] for pid, p in procs.items() if p["uid"] == pool.uid)
        kernels_after = len(kernel_roots(procs, pool.uid))
        ks.close()
        record("the pool hands a warm kernel to the notebook",
               not pool.failure and pool.kernel_s < 3,
               pool.failure or f"pooled kernel warm in {warm_s:.1f}s after the server started, idle {mb(idle_kb)} MB;"
               f" the notebook's kernel ready in {pool.kernel_s:.2f}s, its :dep cell {pool.dep_s:.2f}s; refilled"
               f" {time.monotonic() - t1:.0f}s after the notebook: {kernels_after} kernels,"
               f" {mb(pool.after_kb)} MB for the learner's server and kernels")
    except Exception as e:
        record("the pool hands a warm kernel to the notebook", False, f"{type(e).__name__}: {e}")
    pool.sampling = False
    stop.set()
    await sampling
    await hub.call("DELETE", f"/hub/api/users/{pool.name}/server", ok=None)

    print(f"\n==> measured (peak memory: the sum of PSS, /proc/<pid>/smaps_rollup, sampled every {SAMPLE_SECONDS}s;"
          " kernel tree = evcxr_jupyter and"
          " everything it runs; compilers = cargo, rustc and the linkers in it; CPU = user+system seconds: the"
          " server's once it was up, the kernel tree's once the kernel answered and after the last cell)")
    table(learners + [fresh, pool])
    print(f"\nburst of {LEARNERS}: {burst_s:.1f}s wall, {busy_cores:.2f} of {cores} cores busy;"
          f" kernel's own peak (VmHWM): {', '.join(mb(lr.kernel_hwm) + ' MB' for lr in learners)};"
          f" idle pooled kernel: {mb(pool.pooled_idle_kb)} MB; a pool learner after the refill (notebook kernel +"
          f" new pooled kernel + server, all idle): {mb(pool.after_kb)} MB")


def main() -> int:
    if os.geteuid() != 0:
        print("class-check makes system users: run it as root (sudo make class-check)", file=sys.stderr)
        return 2
    if not (VENV / "bin/jupyterhub").exists() or not (PREFIX / "hub/node_modules/.bin/configurable-http-proxy").exists():
        print(f"no class layout under {PREFIX}: run scripts/setup.sh --hub first", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    try:
        asyncio.run(main_async())
    except Exception as e:
        record("class check ran to the end", False, f"{type(e).__name__}: {e}")
    finally:
        CLEANUP.run()
    passed = sum(ok for _, ok, _ in results)
    failed = len(results) - passed
    for name, ok, detail in results:
        if not ok:
            print(f"FAILED: {name}: {detail}")
    print(f"\nclass-check took {time.monotonic() - t0:.0f}s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
