#!/usr/bin/env python3
"""Start the learners' servers before class, a few at a time, through JupyterHub's REST API.

What the start of a class costs (docs/teaching.md, measured by make class-check) is paid when a server
and its first kernel start. Started ahead, at a pace the machine keeps up with, the class opens onto
servers that are up, and with CALC_DL_POOL=1 onto kernels that are warm. Set the idle culler's timeout
(deploy/config.yaml: cull.timeout) above the time between this and the lesson.

  JUPYTERHUB_API_TOKEN=<an admin token> python3 deploy/prestart_servers.py --hub https://hub.example.org
  ... --at-once 4 alice bob          (only these users; default: every user the hub knows)

Python's standard library only: it runs anywhere the hub is reachable. Exit status 1 if a server failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request


def call(hub: str, token: str, method: str, path: str) -> tuple[int, object]:
    req = urllib.request.Request(hub.rstrip("/") + "/hub/api" + path, method=method,
                                 headers={"Authorization": f"token {token}"}, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            body = resp.read().decode()
            return resp.status, (json.loads(body) if body.strip() else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def ready(hub: str, token: str, name: str) -> bool | None:
    """True when the server is up, False while it starts, None if it stopped."""
    _, info = call(hub, token, "GET", f"/users/{name}")
    server = (info.get("servers") or {}).get("") if isinstance(info, dict) else None
    if server and server.get("ready"):
        return True
    return False if (isinstance(info, dict) and info.get("pending")) else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hub", required=True, help="the hub's public URL")
    ap.add_argument("--at-once", type=int, default=4, help="servers starting at the same time (default 4)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds one server may take (default 600)")
    ap.add_argument("users", nargs="*", help="default: every user of the hub")
    args = ap.parse_args(argv)
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not token:
        print("set JUPYTERHUB_API_TOKEN to an admin token", file=sys.stderr)
        return 2
    names = args.users
    if not names:
        code, users = call(args.hub, token, "GET", "/users")
        if code != 200:
            print(f"cannot list users: HTTP {code}: {users}", file=sys.stderr)
            return 2
        names = [u["name"] for u in users]
    todo, starting, failed, t_all = list(names), {}, [], time.monotonic()
    while todo or starting:
        while todo and len(starting) < args.at_once:
            name, t0 = todo.pop(0), time.monotonic()
            code, body = call(args.hub, token, "POST", f"/users/{name}/server")  # waits a few seconds itself
            if code in (201, 202):
                starting[name] = t0
            elif code == 400 and "already running" in str(body):
                print(f"{name}: already running", flush=True)
            else:
                print(f"{name}: HTTP {code}: {str(body)[:200]}", flush=True)
                failed.append(name)
        time.sleep(0.5)
        for name, t0 in list(starting.items()):
            state = ready(args.hub, token, name)
            if state:
                print(f"{name}: server up in {time.monotonic() - t0:.1f}s", flush=True)
            elif state is None or time.monotonic() - t0 > args.timeout:
                print(f"{name}: did not start", flush=True)
                failed.append(name)
            else:
                continue
            del starting[name]
    print(f"{len(names) - len(failed)} of {len(names)} servers up in {time.monotonic() - t_all:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
