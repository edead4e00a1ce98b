"""Pre-heated `rust` kernels for the Jupyter server that `make lab` starts (issue 16).

An evcxr kernel costs ~5 s to start (rust-analyzer loads std and the crates), then ~2 s for the
book's `:dep` cell and ~1.5 s for the first stored variable. This kernel manager pays that before
anyone waits: it keeps `pool_size` kernels per `:dep` variant started and warmed (the `:dep` line,
`use calc_dl::prelude::*;`, one stored variable) in the folder the server serves, hands one out
when a notebook whose first code cell has that `:dep` line asks for a `rust` kernel (the notebook
then gets a fresh process, never one handed out before), and starts a replacement. A notebook
opened while its kernel is still warming up gets that kernel at once, and its first cells wait for
the rest of the warm-up. A restart swaps in a warm kernel under the same id. Anything else (another
kernel spec, another folder, another `:dep` line, an empty pool) starts the normal way.

Enable: c.ServerApp.kernel_manager_class = "calc_dl_nb.pool.PooledMappingKernelManager"
(scripts/setup.sh writes it into the venv's Jupyter config). Size: 1 per variant by default;
CALC_DL_POOL=n or --PooledMappingKernelManager.pool_size=n; 0 turns the pool off.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

from jupyter_server._tz import utcnow
from jupyter_server.prometheus.metrics import KERNEL_CURRENTLY_RUNNING_TOTAL
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Float, Integer, List, Unicode, default

from .cells import cell_source, check_cell
from .env import book_dep_line


def first_dep_line(notebook: str | Path) -> str | None:
    """The first `:dep` line of the notebook's first code cell (spaces normalised), or None."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell_source(cell)
            return next((" ".join(s.split()) for s in source.splitlines() if s.strip().startswith(":dep")), None)
    return None


class _Pooled:
    """One pool entry: its `:dep` line, its kernel manager once created, the warm-up task, and
    `launched` (set when the kernel process runs: the manager, or None if it never started)."""

    def __init__(self, line: str):
        self.line, self.km, self.task, self.started, self.handed_out = line, None, None, False, False
        self.launched = asyncio.get_running_loop().create_future()

    def ready(self) -> bool:
        return self.task.done() and not self.task.cancelled() and self.task.result() is not None


class PooledMappingKernelManager(AsyncMappingKernelManager):
    pool_size = Integer(config=True, help="Warm kernels kept per variant (env CALC_DL_POOL; 0: no pool).")
    pool_features = List(
        List(Unicode()),
        default_value=[[], ["tables"]],
        config=True,
        help='One variant per feature list: its `:dep` line is calc_dl_nb.env.book_dep_line(features).',
    )
    pool_kernel_name = Unicode("rust", config=True, help="The only kernel spec that is pooled.")
    pool_dir = Unicode("", config=True, help="API path of the folder pooled kernels start in ('' = root_dir).")
    pool_warmup_timeout = Float(900, config=True, help="Seconds a kernel may take to start and warm up.")
    pool_retry_seconds = Float(60, config=True, help="After a failed warm-up, wait this long before the next.")
    pool_check_seconds = Float(3, config=True, help="How often pooled kernels are checked for being alive.")
    pool_refill_delay = Float(
        20, config=True, help="Seconds a refill waits after a hand-out: the new notebook's first cells get the CPU."
    )

    @default("pool_size")
    def _default_pool_size(self):
        try:
            return max(0, int(os.environ.get("CALC_DL_POOL", "1")))
        except ValueError:
            self.log.warning("CALC_DL_POOL=%r is not a number: pool of 1", os.environ["CALC_DL_POOL"])
            return 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pool: list[_Pooled] = []
        self._failed_at: dict[str, float] = {}
        self._closing = False
        self._checker = None
        # The server builds its kernel manager before its event loop runs: fill once it does.
        IOLoop.current().add_callback(self._start_pool)

    # ------------------------------------------------------------------ the pool itself
    def _lines(self) -> list[str]:
        return [" ".join(book_dep_line(f).split()) for f in self.pool_features] if self.pool_size > 0 else []

    def _pool_cwd(self) -> str:
        return self.cwd_for_path(self.pool_dir) if self.pool_dir else self.root_dir

    def _start_pool(self):
        if not self._lines():
            return
        self.log.info("calc_dl kernel pool: %d per variant, in %s", self.pool_size, self._pool_cwd())
        self._fill()
        self._checker = PeriodicCallback(self._check, 1000 * self.pool_check_seconds)
        self._checker.start()

    def _fill(self, delay: float = 0):
        """Start warm-ups until each variant has pool_size entries (counted synchronously: never more)."""
        for line in self._lines():
            if self._closing or time.monotonic() - self._failed_at.get(line, -1e9) < self.pool_retry_seconds:
                continue
            while sum(e.line == line for e in self._pool) < self.pool_size:
                entry = _Pooled(line)
                entry.task = asyncio.ensure_future(self._warm(entry, delay))
                self._pool.append(entry)

    async def _warm(self, entry: _Pooled, delay: float):
        """Start a kernel outside the server's map (not listed, not culled), run the warm-up cells and
        return its manager; on any failure stop it and return None (the entry leaves the pool)."""
        await asyncio.sleep(delay)
        entry.started = True
        t0 = time.monotonic()
        try:
            km, _, kernel_id = self.pre_start_kernel(self.pool_kernel_name, {})
            entry.km = km
            km.autorestart = False  # a dead pooled kernel is replaced warm by _check, not restarted cold
            await asyncio.wait_for(self._start_and_run(entry, kernel_id), self.pool_warmup_timeout)
            self.log.info("calc_dl kernel pool: %s warm in %.1fs (%s)", kernel_id, time.monotonic() - t0, entry.line)
            return km
        except asyncio.CancelledError:
            await self._discard(entry.km)
            raise
        except Exception as e:
            if entry.handed_out:  # the notebook's kernel now: its own `:dep` cell shows what went wrong
                self.log.warning("calc_dl kernel pool: warm-up of a handed-out kernel stopped: %r", e)
                return None
            self.log.error("calc_dl kernel pool: warm-up failed, notebooks start their kernels as usual: %r", e)
            self._failed_at[entry.line] = time.monotonic()
            if entry in self._pool:
                self._pool.remove(entry)
            await self._discard(entry.km)
            return None
        finally:
            if not entry.launched.done():
                entry.launched.set_result(None)

    async def _start_and_run(self, entry: _Pooled, kernel_id: str):
        km = entry.km
        kwargs = self._kernel_start_kwargs(cwd=self._pool_cwd(), env=dict(os.environ), kernel_id=kernel_id)
        await km.start_kernel(**kwargs)
        entry.launched.set_result(km)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=self.pool_warmup_timeout)
            for code in (entry.line, "use calc_dl::prelude::*;", "let calc_dl_pool_warm = 1.0_f64;"):
                outputs = []
                hook = lambda msg: outputs.append({"output_type": msg["msg_type"], **msg["content"]})  # noqa: E731
                reply = await kc.execute_interactive(code, output_hook=hook, allow_stdin=False)
                outputs = [o for o in outputs if o["output_type"] in ("stream", "error")]
                failure = check_cell({"outputs": outputs, "metadata": {}}, 1)
                if failure is not None or reply["content"]["status"] != "ok":
                    raise RuntimeError(f"{code!r}: {getattr(failure, 'message', reply['content'].get('evalue'))}")
        finally:
            kc.stop_channels()

    async def _discard(self, km):
        if km is not None and km.has_kernel:
            try:
                await km.shutdown_kernel(now=True)
            except Exception as e:  # already gone: nothing left to stop
                self.log.debug("calc_dl kernel pool: shutdown of a pooled kernel: %s", e)

    async def _check(self):
        """Drop pooled kernels whose process died (cancelling a warm-up in progress), then refill."""
        for entry in list(self._pool):
            if entry.km is None or not entry.km.has_kernel or await entry.km.is_alive() or entry not in self._pool:
                continue
            self.log.warning("calc_dl kernel pool: pooled kernel %s died; replacing it", entry.km.kernel_id)
            self._pool.remove(entry)
            if entry.task.done():
                await self._discard(entry.km)
            else:
                entry.task.cancel()
        self._fill()

    async def _claim(self, line: str | None, wait: bool):
        """A kernel for this `:dep` line, taken out of the pool (so never given twice), or None. A warm
        one first; else, with `wait`, one whose warm-up is under way, as soon as its process runs: the
        notebook's cells queue behind the rest of the warm-up (less than a new start), and the session
        answers at once (JupyterLab asks for a kernel if a cell runs before the session has one).
        A refill still in its delay is left alone: a new start is as quick."""
        entries = sorted((e for e in self._pool if e.line == line), key=lambda e: not e.ready())
        for entry in entries:
            if not (entry.ready() or (wait and entry.started and not entry.task.done())):
                continue
            self._pool.remove(entry)
            entry.handed_out = True
            self._fill(self.pool_refill_delay)
            km = entry.task.result() if entry.ready() else await asyncio.shield(entry.launched)
            if km is not None and await km.is_alive():
                return km, entry.task.done()
            if entry.task.done():
                await self._discard(km)
        return None, False

    def _wanted(self, cwd: str | None, env: dict | None) -> str | None:
        """The pool variant a kernel should have: its notebook's first `:dep` line (JPY_SESSION_NAME is
        the notebook's path, set by the session manager), if the kernel runs where the pool's run."""
        notebook = (env or {}).get("JPY_SESSION_NAME")
        if not notebook or not cwd or os.path.realpath(cwd) != os.path.realpath(self._pool_cwd()):
            return None
        line = first_dep_line(Path(self.root_dir, notebook))
        return line if line in self._lines() else None

    async def _adopt(self, kernel_id: str, km, env: dict | None, ready: bool = True):
        """Make a pooled kernel a server kernel, with the bookkeeping MappingKernelManager's start does."""
        if env:
            km.update_env(env=env)  # a later plain restart starts with the notebook's environment
        km.kernel_id = kernel_id
        km.autorestart = True
        km.start_restarter()  # before _finish_kernel_start registers its "dead" callback on it
        self._kernels[kernel_id] = km
        self._kernel_connections[kernel_id] = 0
        km.execution_state, km.reason, km.last_activity = "idle" if ready else "busy", "", utcnow()
        await self._finish_kernel_start(kernel_id)
        KERNEL_CURRENTLY_RUNNING_TOTAL.labels(type=km.kernel_name).inc()
        if not self._initialized_culler:
            self.initialize_culler()

    # ------------------------------------------------------------------ the server's entry points
    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
        if kwargs.get("kernel_name") == self.pool_kernel_name and (kernel_id is None or kernel_id not in self):
            cwd = self.cwd_for_path(path) if path is not None else None
            km, ready = await self._claim(self._wanted(cwd, kwargs.get("env")), wait=True)
            if km is not None:
                kernel_id = kernel_id or km.kernel_id
                await self._adopt(kernel_id, km, kwargs.get("env"), ready)
                how = "warm" if ready else "warming up: its first cells wait for the rest"
                self.log.info("Kernel started: %s (%s, from the calc_dl pool)", kernel_id, how)
                return kernel_id
        return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)

    async def restart_kernel(self, kernel_id, now=False):
        """With a warm kernel of the same variant ready: swap it in under the same id and stop the old
        process. JupyterLab reconnects its websocket after every restart; the connection then sees
        the new ports (ports_changed) and opens its channels on the new kernel."""
        self._check_kernel_id(kernel_id)
        old = self._kernels[kernel_id]
        launch = old._launch_args or {}  # the cwd and env it was started with (update_env keeps them)
        km, _ = await self._claim(self._wanted(launch.get("cwd"), launch.get("env")), wait=False)
        if km is None:
            return await super().restart_kernel(kernel_id, now=now)
        old.stop_restarter()
        self.stop_watching_activity(kernel_id)
        old_ports, pooled_id = self._kernel_ports.get(kernel_id), km.kernel_id
        await self._adopt(kernel_id, km, launch.get("env"))
        KERNEL_CURRENTLY_RUNNING_TOTAL.labels(type=km.kernel_name).dec()  # one kernel replaced another
        self._kernel_ports[kernel_id] = old_ports  # so the reconnecting websocket notices the change
        asyncio.ensure_future(self._discard(old))
        self.log.info("Kernel restarted: %s (warm, from the calc_dl pool: swapped in %s)", kernel_id, pooled_id)
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def __bool__(self):
        # MultiKernelManager has __len__ (listed kernels), and the server skips shutdown_all() for
        # a kernel manager that is false: with only pooled kernels running, they would outlive it.
        return True

    async def shutdown_all(self, now=False):
        """Stop the pool (kernels still warming up included), then every server kernel."""
        self._closing = True
        if self._checker is not None:
            self._checker.stop()
        pool, self._pool = self._pool, []
        for entry in pool:
            entry.task.cancel()
        await asyncio.gather(*(e.task for e in pool), return_exceptions=True)
        await asyncio.gather(*(self._discard(e.km) for e in pool))
        await super().shutdown_all(now=now)
