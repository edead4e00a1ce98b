#!/usr/bin/env bash
# Installs what the book needs, skipping every step that is already done:
#   Debian packages (mold), rust-src, evcxr_jupyter (pinned), the project venv
#   (.venv, pinned by requirements.txt), the `rust` kernel spec inside the venv,
#   evcxr's config folder (.cache/evcxr-config), nbconvert's strict execution in the venv,
#   and a warm evcxr dependency cache.
# Usage: scripts/setup.sh [--web] [--browser] [--no-prewarm] [--hub]
#   --web         also install the front-end files for `make book` / `make slides` (npm, web/)
#   --browser     also install what the browser checks need: Debian's chromium, playwright-core (npm, tests/browser/)
#   --no-prewarm  skip building the book's dependencies into evcxr's cache
#   --hub         the class layout instead of .venv (JupyterHub on this machine, or an image from binder/):
#                 everything a learner's kernel needs outside any home folder, under CALC_DL_CLASS_PREFIX
#                 (default /opt/calc_dl): the Rust toolchain (rust/), evcxr_jupyter (bin/), cargo's crates
#                 (cargo/, the kernels' CARGO_HOME), a Python environment with JupyterLab and JupyterHub
#                 (venv/, or CALC_DL_VENV) whose `rust` kernel spec points there, configurable-http-proxy
#                 (hub/, when npm is there), and this user's kernel build folder warmed
#                 (/var/tmp/calc_dl-kernels-$USER: deploy/warm_kernels.py). docs/teaching.md says why.
# Environment: CALC_DL_VENV=/path/to/env installs into that Python environment instead of .venv.
# Safe to run again and again; on a set-up machine it finishes in a few seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

EVCXR_VERSION=0.22.0
# fonts-nanum: Korean glyphs for PNG/GIF export (feature `raster`) and for the book rendered headless.
APT_PACKAGES=(mold fonts-nanum)
# CALC_DL_VENV: install into an existing Python environment instead (Binder / JupyterHub images).
EVCXR_CONFIG_DIR="$ROOT/.cache/evcxr-config"

WEB=0
BROWSER=0
PREWARM=1
HUB=0
for arg in "$@"; do
  case "$arg" in
    --web) WEB=1 ;;
    --browser) BROWSER=1 ;;
    --no-prewarm) PREWARM=0 ;;
    --hub) HUB=1 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done
CLASS_PREFIX="${CALC_DL_CLASS_PREFIX:-/opt/calc_dl}"
if [ "$HUB" = 1 ]; then
  VENV="${CALC_DL_VENV:-$CLASS_PREFIX/venv}"
else
  VENV="${CALC_DL_VENV:-$ROOT/.venv}"
fi
KERNEL_DIR="$VENV/share/jupyter/kernels/rust"

t0=$SECONDS
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
elapsed() { printf '    done in %ds\n' "$((SECONDS - $1))"; }

# ---------------------------------------------------------------- Debian packages
# chromium: the browser checks drive Debian's build headless (playwright-core brings no browser of its own).
[ "$BROWSER" = 1 ] && APT_PACKAGES+=(chromium)
# python3-venv: the hub's environment is built on Debian's Python (see the venv step).
[ "$HUB" = 1 ] && [ -z "${CALC_DL_VENV:-}" ] && APT_PACKAGES+=(python3-venv)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  ok "Debian packages: ${APT_PACKAGES[*]}"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; then
    # An image build (repo2docker's postBuild runs as the notebook user, without sudo): binder/apt.txt
    # installs these as root before. Without mold evcxr links with cc (slower, other cache keys);
    # without fonts-nanum PNG/GIF figures draw Korean as boxes. The rest works: go on.
    printf '    warning: Debian packages missing and no root to install them: %s (list them in binder/apt.txt)\n' "${missing[*]}"
  else
    step "Installing Debian packages: ${missing[*]} (apt-get, usually under a minute)"
    s=$SECONDS
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    elapsed $s
  fi
fi

# ---------------------------------------------------------------- Rust toolchain
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  ok "rustup component rust-src"
else
  step "Adding rustup component rust-src (evcxr needs it; about 10 s)"
  rustup component add rust-src
fi

# ---------------------------------------------------------------- evcxr_jupyter
# evcxr_jupyter has no --version flag: ask cargo which version it installed.
evcxr_ok() { command -v evcxr_jupyter >/dev/null && cargo install --list | grep -q "^evcxr_jupyter v$EVCXR_VERSION:"; }
if evcxr_ok; then
  ok "evcxr_jupyter $EVCXR_VERSION"
else
  # Another `cargo install evcxr_jupyter` already running (a second terminal): wait for it.
  if pgrep -f "cargo install evcxr_jupyter" >/dev/null 2>&1; then
    step "Waiting for a cargo install of evcxr_jupyter that is already running"
    while pgrep -f "cargo install evcxr_jupyter" >/dev/null 2>&1; do sleep 10; done
  fi
  if ! evcxr_ok; then
    step "Installing evcxr_jupyter $EVCXR_VERSION with cargo (compiles from source: usually about 11 minutes on 2 cores)"
    s=$SECONDS
    cargo install evcxr_jupyter --locked --version "$EVCXR_VERSION"
    elapsed $s
  fi
fi
EVCXR_BIN="$(command -v evcxr_jupyter)"

# ---------------------------------------------------------------- the class layout (--hub)
# A learner's server runs as that learner, with a home of its own (on Zero to JupyterHub a fresh
# volume mounted over /home/jovyan): nothing the kernel needs may live in a home. ~/.rustup and
# ~/.cargo are private (mode 0700 for root here) or hidden by the volume, so the kernels get a
# toolchain and a CARGO_HOME of their own under CLASS_PREFIX, readable by everyone.
if [ "$HUB" = 1 ]; then
  sysroot="$(rustc --print sysroot)"
  if [ -x "$CLASS_PREFIX/rust/bin/cargo" ] && [ "$("$CLASS_PREFIX/rust/bin/rustc" -vV)" = "$(rustc -vV)" ]; then
    ok "Rust toolchain for the kernels: $CLASS_PREFIX/rust ($("$CLASS_PREFIX/rust/bin/rustc" --version))"
  elif [ "${sysroot#"$CLASS_PREFIX"/}" != "$sysroot" ]; then
    # Already installed under the prefix (binder/postBuild puts rustup's there): point at it.
    mkdir -p "$CLASS_PREFIX" && ln -sfn "$sysroot" "$CLASS_PREFIX/rust"
    ok "Rust toolchain for the kernels: $CLASS_PREFIX/rust -> $sysroot"
  else
    # Not there yet, or another version than the one installed (a rustup update since): copy it.
    step "Copying the Rust toolchain $sysroot to $CLASS_PREFIX/rust (without its docs, about 700 MB)"
    s=$SECONDS
    mkdir -p "$CLASS_PREFIX"
    rm -rf "$CLASS_PREFIX/rust.partial" "$CLASS_PREFIX/rust.old"
    [ -e "$CLASS_PREFIX/rust" ] && mv "$CLASS_PREFIX/rust" "$CLASS_PREFIX/rust.old"
    mkdir "$CLASS_PREFIX/rust.partial"
    for d in bin etc lib libexec; do
      [ -e "$sysroot/$d" ] && cp -a "$sysroot/$d" "$CLASS_PREFIX/rust.partial/"
    done
    chmod -R a+rX "$CLASS_PREFIX/rust.partial"
    mv "$CLASS_PREFIX/rust.partial" "$CLASS_PREFIX/rust"
    rm -rf "$CLASS_PREFIX/rust.old"
    elapsed $s
  fi
  if cmp -s "$EVCXR_BIN" "$CLASS_PREFIX/bin/evcxr_jupyter"; then
    ok "evcxr_jupyter for the kernels: $CLASS_PREFIX/bin/evcxr_jupyter"
  else
    mkdir -p "$CLASS_PREFIX/bin"
    install -m 0755 "$EVCXR_BIN" "$CLASS_PREFIX/bin/evcxr_jupyter"
    echo "    wrote $CLASS_PREFIX/bin/evcxr_jupyter"
  fi
  # From here on the set-up uses what the kernels use.
  export PATH="$CLASS_PREFIX/rust/bin:$PATH" CARGO_HOME="$CLASS_PREFIX/cargo"
  EVCXR_BIN="$CLASS_PREFIX/bin/evcxr_jupyter"
  mkdir -p "$CARGO_HOME"
fi

# ---------------------------------------------------------------- Python venv
REQUIREMENTS=(-r requirements.txt)
# The hub: jupyterhub (its jupyterhub-singleuser serves each learner), repo2docker for the image check.
# (An image, CALC_DL_VENV: binder/requirements.txt brings jupyterhub; the hub and repo2docker run elsewhere.)
HUB_REQ=""
[ "$HUB" = 1 ] && [ -z "${CALC_DL_VENV:-}" ] && HUB_REQ=deploy/requirements-hub.txt && REQUIREMENTS+=(-r "$HUB_REQ")
# With the hub's: this checkout's path too (calc_dl_nb is installed editable, and every learner's server
# imports its kernel pool from there).
req_input() { cat requirements.txt $HUB_REQ; if [ -n "$HUB_REQ" ]; then echo "$ROOT"; fi; }
req_hash="$(req_input | sha256sum | cut -d' ' -f1)"
BASE_PYTHON=python3
if [ "$HUB" = 1 ] && [ -z "${CALC_DL_VENV:-}" ]; then
  # Every learner runs this environment's Python: build it on Debian's (python3-venv), not on one
  # in a private home (pyenv's under /root here).
  BASE_PYTHON=/usr/bin/python3
  case "$(readlink -f "$VENV/bin/python" 2>/dev/null)" in
    /usr/*|"") ;;
    *) echo "    $VENV runs a Python other users cannot reach: making it again"; rm -rf "$VENV" ;;
  esac
fi
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" = "$req_hash" ]; then
  ok "Python environment $VENV (${REQUIREMENTS[*]})"
else
  step "Setting up the Python environment $VENV with JupyterLab, nbclient, nbconvert (pip, usually 1-2 minutes)"
  s=$SECONDS
  [ -x "$VENV/bin/python" ] || "$BASE_PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${REQUIREMENTS[@]}"
  echo "$req_hash" >"$VENV/.requirements.sha256"
  elapsed $s
fi

# ---------------------------------------------------------------- kernel spec and evcxr config
# Rewritten on every run (cheap), but only touched when the content changes.
write_if_changed() { # path, content on stdin
  local tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  # chmod: mktemp makes it 0600, and on a hub every learner's kernel and server reads these files.
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mkdir -p "$(dirname "$1")"; mv "$tmp" "$1"; echo "    wrote $1"; fi
  chmod a+r "$1"
}
if [ ! -f "$KERNEL_DIR/version.txt" ]; then
  # evcxr's own install writes its logos, CodeMirror lint files and version.txt. With version.txt
  # present the kernel never rewrites the spec at start-up. JUPYTER_PATH is read by evcxr as one folder.
  JUPYTER_PATH="$VENV/share/jupyter" "$EVCXR_BIN" --install >/dev/null
fi
# The kernel starts through scripts/kernel.sh: a kept build folder per running kernel (why: there).
# --hub: one spec for every user of the machine (or of the image), each with a build folder and an
# evcxr cache of their own outside their home (/var/tmp/calc_dl-kernels-$USER; jupyter_client fills
# ${USER} and ${PATH} from the server's environment), the toolchain and crates under CLASS_PREFIX.
"$VENV/bin/python" - "$EVCXR_BIN" "$EVCXR_CONFIG_DIR" "$ROOT" "$HUB" "$CLASS_PREFIX" <<'EOF' | write_if_changed "$KERNEL_DIR/kernel.json"
import json, sys
from calc_dl_nb.env import kernel_work_dir
evcxr, config, root, hub, prefix = sys.argv[1:]
env = {"EVCXR_CONFIG_DIR": config, "CALC_DL_KERNEL_WORK": str(kernel_work_dir())}
if hub == "1":
    work = "/var/tmp/calc_dl-kernels-${USER}"
    env = {
        "EVCXR_CONFIG_DIR": config,
        "CALC_DL_KERNEL_WORK": work,
        "XDG_CACHE_HOME": work + "/cache",  # evcxr's cache is dirs::cache_dir()/evcxr: no variable of its own
        "CARGO_HOME": prefix + "/cargo",
        "PATH": prefix + "/rust/bin:${PATH}",
    }
print(json.dumps({
    "argv": [root + "/scripts/kernel.sh", evcxr, "--control_file", "{connection_file}"],
    "display_name": "Rust (calc_dl)",
    "language": "rust",
    "interrupt_mode": "message",
    "env": env,
}, indent=1))
EOF
# init.evcxr and prelude.rs run in every new kernel before the first cell. Each line below was
# measured with `make bench-notebooks` (numbers in README.md):
#   :cache N    keep compiled dependencies between kernels (MiB): the first :dep cell then takes
#               seconds, not minutes.
#   :offline 1  resolve crates from cargo's local cache only: the kernel builds exactly the
#               versions the workspace's Cargo.lock fetched, which the cache holds (a new patch
#               release on crates.io would otherwise mean a cold rebuild), and asks no index.
#               To `:dep` another crate in a cell, run `:offline 0` first.
#   :opt 0      cells (and the dependencies) compile without optimisation: a plot cell 1.5 s
#               instead of 5 s, median cell ~0.9 s instead of ~1.5 s, polars cold build 42 s
#               instead of 170 s. Lesson-sized numerics stay in milliseconds.
#   prelude.rs  one stored variable: evcxr's first variable costs ~5 s (rust-analyzer loads the
#               project); paid at kernel start, while the reader reads, not in the first `let`.
# The book's own `:dep` line stays in the notebooks by default: a `:dep` in init.evcxr that fails
# to compile (a library under development) stops every kernel from starting, with no message in
# the notebook. For a class with a finished library, CALC_DL_PRELOAD=1 (make lab PRELOAD=1)
# compiles calc_dl while the kernel starts, so the notebook's own `:dep` cell takes ~0.1 s.
PRELOAD_DEP=""
PRELOAD_USE=""
if [ "${CALC_DL_PRELOAD:-0}" = 1 ]; then
  PRELOAD_DEP=":dep calc_dl = { path = \"$ROOT/crates/calc_dl\" }"
  PRELOAD_USE="use calc_dl::prelude::*;"
fi
write_if_changed "$EVCXR_CONFIG_DIR/init.evcxr" <<EOF
:cache 4096
:offline 1
:opt 0
$PRELOAD_DEP
EOF
write_if_changed "$EVCXR_CONFIG_DIR/prelude.rs" <<EOF
$PRELOAD_USE
let calc_dl_ready = true;
EOF
# Plain `jupyter nbconvert --execute` of this environment fails on a panic or a `?` error, which
# evcxr reports on stderr only (why and how: python/calc_dl_nb/nbconvert.py). The kernel itself
# stays forgiving for learners: a panic in JupyterLab keeps their variables.
write_if_changed "$VENV/etc/jupyter/jupyter_nbconvert_config.py" <<'EOF'
# Written by calc_dl's scripts/setup.sh: execute with calc_dl_nb's StrictExecutePreprocessor.
from calc_dl_nb.nbconvert import configure

configure(c)  # noqa: F821 (c is the config object Jupyter passes in)
EOF
# The Jupyter server of `make lab` keeps warm `rust` kernels ready (python/calc_dl_nb/pool.py;
# CALC_DL_POOL=0 turns it off, docs/teaching.md sizes it). Not in a shared image (CALC_DL_VENV:
# Binder, JupyterHub): an idle warm kernel holds 0.6-1.3 GB, more than such a server has to spare.
# (Not in jupyter_server_config.d/: the server reads only extension switches from there.)
if [ "$HUB" = 1 ]; then
  # Each learner's server (jupyterhub-singleuser) serves the home folder; the book is delivered into
  # ~/calc_dl/notebooks (deploy/deliver-notebooks.sh). The pool costs 0.6 GB per learner (docs/teaching.md):
  # off unless CALC_DL_POOL=1 (deploy/: singleuser.extraEnv), then for the book's plain `:dep` line only.
  write_if_changed "$VENV/etc/jupyter/jupyter_server_config.py" <<'EOF'
# Written by calc_dl's scripts/setup.sh --hub: warm `rust` kernels when CALC_DL_POOL=1 (calc_dl_nb.pool).
import os

c.ServerApp.kernel_manager_class = "calc_dl_nb.pool.PooledMappingKernelManager"  # noqa: F821
c.PooledMappingKernelManager.pool_dir = "calc_dl/notebooks"  # noqa: F821
c.PooledMappingKernelManager.pool_features = [[]]  # noqa: F821
_pool = os.environ.get("CALC_DL_POOL", "0")
c.PooledMappingKernelManager.pool_size = max(0, int(_pool)) if _pool.isdigit() else 0  # noqa: F821
EOF
elif [ -z "${CALC_DL_VENV:-}" ]; then
  write_if_changed "$VENV/etc/jupyter/jupyter_server_config.py" <<'EOF'
# Written by calc_dl's scripts/setup.sh: warm `rust` kernels for the notebooks (calc_dl_nb.pool).
c.ServerApp.kernel_manager_class = "calc_dl_nb.pool.PooledMappingKernelManager"  # noqa: F821
EOF
fi
ok "kernel spec rust -> $KERNEL_DIR, evcxr config -> $EVCXR_CONFIG_DIR, nbconvert checks -> $VENV/etc/jupyter"

# ---------------------------------------------------------------- crates for the book
# evcxr builds the notebooks' crate offline (see init.evcxr): every crate calc_dl needs must
# already be in cargo's registry cache, at the versions of the workspace's Cargo.lock.
if cargo fetch --locked --offline --target "$(rustc -vV | sed -n 's/^host: //p')" >/dev/null 2>&1; then
  ok "crates of Cargo.lock in cargo's cache"
else
  step "Downloading the crates of Cargo.lock (cargo fetch)"
  cargo fetch --locked
fi

# ---------------------------------------------------------------- npm folders (book and slides; browser checks)
npm_ci_once() { # folder, what it holds, how long it takes
  local lock_hash
  lock_hash="$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$1/node_modules/.lock.sha256" 2>/dev/null)" = "$lock_hash" ]; then
    ok "npm packages in $1/ ($2)"
  else
    step "Installing $2 from npm into $1/ ($3)"
    s=$SECONDS
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" >"$1/node_modules/.lock.sha256"
    elapsed $s
  fi
}
[ "$WEB" = 1 ] && npm_ci_once web "reveal.js, MathJax, require.js, jQuery" "about 20 s"
[ "$BROWSER" = 1 ] && npm_ci_once tests/browser "playwright-core" "a few seconds"
# The hub's proxy (JupyterHub on this machine; Zero to JupyterHub brings its own), pinned by
# deploy/local/package-lock.json, installed outside the checkout so that the hub finds it as any user.
if [ "$HUB" = 1 ] && [ -z "${CALC_DL_VENV:-}" ]; then
  if command -v npm >/dev/null; then
    lock_hash="$(cat deploy/local/package.json deploy/local/package-lock.json | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$CLASS_PREFIX/hub/node_modules/.lock.sha256" 2>/dev/null)" = "$lock_hash" ]; then
      ok "configurable-http-proxy in $CLASS_PREFIX/hub"
    else
      step "Installing configurable-http-proxy from npm into $CLASS_PREFIX/hub (a few seconds)"
      mkdir -p "$CLASS_PREFIX/hub"
      cp deploy/local/package.json deploy/local/package-lock.json "$CLASS_PREFIX/hub/"
      (cd "$CLASS_PREFIX/hub" && npm ci --no-audit --no-fund --loglevel=error)
      echo "$lock_hash" >"$CLASS_PREFIX/hub/node_modules/.lock.sha256"
    fi
  else
    echo "    warning: no npm: configurable-http-proxy not installed (the hub of deploy/local needs it)"
  fi
fi

# ---------------------------------------------------------------- warm evcxr's cache
if [ "$PREWARM" = 1 ] && [ "$HUB" = 1 ]; then
  # This user's build folder and evcxr cache, where the hub's kernel spec looks for them. In an image
  # this user is the learner (jovyan); on a machine it is the template that deploy/local copies
  # into each new learner's folder before their first server starts.
  USER="${USER:-$(id -un)}" "$VENV/bin/python" "$ROOT/deploy/warm_kernels.py"
elif [ "$PREWARM" = 1 ]; then
  "$VENV/bin/python" "$ROOT/scripts/prewarm.py"
fi

printf '\nset-up complete in %ds\n' "$((SECONDS - t0))"
