# JupyterHub on one machine for a class: every learner a system user with a home of their own, their
# server (jupyterhub-singleuser of the class environment) running as them. `make class-check` starts
# it on 127.0.0.1 (tests/class_check.py); a teacher can start it the same way:
#
#   sudo CALC_DL_HUB_DIR=/srv/calc_dl-hub /opt/calc_dl/venv/bin/jupyterhub -f deploy/local/jupyterhub_config.py
#
# after `sudo scripts/setup.sh --hub` (the class layout under /opt/calc_dl). Learners log in with their
# system password (PAM, JupyterHub's default). Settings, from the environment:
#   CALC_DL_HUB_DIR          state: the database, cookie secret, proxy pid (default: ./hub-state)
#   CALC_DL_HUB_BIND         the public address (default http://127.0.0.1:8000)
#   CALC_DL_HUB_API_PORT     the hub's own port on 127.0.0.1 (default 8081), CALC_DL_PROXY_API_PORT
#                            the proxy's API port (default 8001)
#   CALC_DL_HUB_GROUP        the Unix group whose members may log in (JupyterHub 5 lets nobody in by default)
#   CALC_DL_HUB_TOKEN        if set: an admin service `class-check` with this token (the check's REST calls)
#   CALC_DL_POOL_USERS       learners whose server keeps a warm kernel (CALC_DL_POOL=1), comma-separated
#   CALC_DL_NO_DELIVERY      learners whose home gets no notebooks (the check's fresh-home learner)
import asyncio
import os
import pwd
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PREFIX = Path(os.environ.get("CALC_DL_CLASS_PREFIX", "/opt/calc_dl"))
STATE = Path(os.environ.get("CALC_DL_HUB_DIR", "hub-state")).resolve()
STATE.mkdir(parents=True, exist_ok=True)
# The warm build folder that `scripts/setup.sh --hub` made for the user who ran it (deploy/warm_kernels.py).
TEMPLATE = Path(os.environ.get("CALC_DL_CLASS_TEMPLATE", "/var/tmp/calc_dl-kernels-root"))


def _names(var):
    return {n for n in os.environ.get(var, "").split(",") if n}


c = get_config()  # noqa: F821 (JupyterHub passes it in)

c.JupyterHub.bind_url = os.environ.get("CALC_DL_HUB_BIND", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("CALC_DL_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{STATE}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [str(PREFIX / "hub/node_modules/.bin/configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('CALC_DL_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
# A stopped hub stops its learners' servers (no orphan servers after the check or a teacher's Ctrl-C).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

if os.environ.get("CALC_DL_HUB_GROUP"):
    c.PAMAuthenticator.allowed_groups = {os.environ["CALC_DL_HUB_GROUP"]}
if os.environ.get("CALC_DL_HUB_TOKEN"):
    c.JupyterHub.services = [{"name": "class-check", "api_token": os.environ["CALC_DL_HUB_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "admin", "services": ["class-check"]}]

# Each learner's server: the class environment's jupyterhub-singleuser, as the learner, in their home.
c.Spawner.cmd = [str(PREFIX / "venv/bin/jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/calc_dl/notebooks"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
POOL_USERS = _names("CALC_DL_POOL_USERS")
c.Spawner.environment = {
    # evcxr reads JUPYTER_PATH as one folder (as the Makefile sets it for make lab).
    "JUPYTER_PATH": str(PREFIX / "venv/share/jupyter"),
    "CALC_DL_POOL": lambda spawner: "1" if spawner.user.name in POOL_USERS else "0",
}


async def _run(*cmd):
    proc = await asyncio.create_subprocess_exec(*cmd)
    if await proc.wait() != 0:
        raise RuntimeError(f"{cmd[0]} failed for the learner's set-up: {' '.join(map(str, cmd))}")


async def learner_setup(spawner):
    """What an image gives every container, made per learner on this machine, before their server starts:
    - their own copy of the warm build folder and evcxr cache (outside the home, theirs alone: a cache
      shared between learners would let one plant compiled code in another's kernel);
    - the book in their home (deploy/deliver-notebooks.sh, as them; Zero to JupyterHub's postStart)."""
    name = spawner.user.name
    user = pwd.getpwnam(name)
    work = Path(f"/var/tmp/calc_dl-kernels-{name}")
    if not work.exists() and TEMPLATE.is_dir():
        partial = work.with_name(work.name + ".partial")
        await _run("rm", "-rf", str(partial))
        await _run("cp", "-a", str(TEMPLATE), str(partial))
        await _run("chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(partial))
        partial.rename(work)
    if name not in _names("CALC_DL_NO_DELIVERY"):
        await _run("runuser", "-u", name, "--", "env", f"HOME={user.pw_dir}",
                   str(ROOT / "deploy/deliver-notebooks.sh"), str(ROOT))


c.Spawner.pre_spawn_hook = learner_setup
