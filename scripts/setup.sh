#!/usr/bin/env bash
# Installs what the book needs, skipping every step that is already done:
#   Debian packages (mold), rust-src, evcxr_jupyter (pinned), the project venv
#   (.venv, pinned by requirements.txt), the `rust` kernel spec inside the venv,
#   evcxr's config folder (.cache/evcxr-config), nbconvert's strict execution in the venv,
#   and a warm evcxr dependency cache.
# Usage: scripts/setup.sh [--web] [--browser] [--no-prewarm]
#   --web         also install the front-end files for `make book` / `make slides` (npm, web/)
#   --browser     also install what the browser checks need: Debian's chromium, playwright-core (npm, tests/browser/)
#   --no-prewarm  skip building the book's dependencies into evcxr's cache
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
VENV="${CALC_DL_VENV:-$ROOT/.venv}"
KERNEL_DIR="$VENV/share/jupyter/kernels/rust"
EVCXR_CONFIG_DIR="$ROOT/.cache/evcxr-config"

WEB=0
BROWSER=0
PREWARM=1
for arg in "$@"; do
  case "$arg" in
    --web) WEB=1 ;;
    --browser) BROWSER=1 ;;
    --no-prewarm) PREWARM=0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

t0=$SECONDS
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
elapsed() { printf '    done in %ds\n' "$((SECONDS - $1))"; }

# ---------------------------------------------------------------- Debian packages
# chromium: the browser checks drive Debian's build headless (playwright-core brings no browser of its own).
[ "$BROWSER" = 1 ] && APT_PACKAGES+=(chromium)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  ok "Debian packages: ${APT_PACKAGES[*]}"
else
  step "Installing Debian packages: ${missing[*]} (apt-get, usually under a minute)"
  s=$SECONDS
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elapsed $s
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

# ---------------------------------------------------------------- Python venv
req_hash="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" = "$req_hash" ]; then
  ok "Python environment $VENV (requirements.txt)"
else
  step "Setting up the Python environment $VENV with JupyterLab, nbclient, nbconvert (pip, usually 1-2 minutes)"
  s=$SECONDS
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
  echo "$req_hash" >"$VENV/.requirements.sha256"
  elapsed $s
fi

# ---------------------------------------------------------------- kernel spec and evcxr config
# Rewritten on every run (cheap), but only touched when the content changes.
write_if_changed() { # path, content on stdin
  local tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mkdir -p "$(dirname "$1")"; mv "$tmp" "$1"; echo "    wrote $1"; fi
}
if [ ! -f "$KERNEL_DIR/version.txt" ]; then
  # evcxr's own install writes its logos, CodeMirror lint files and version.txt. With version.txt
  # present the kernel never rewrites the spec at start-up. JUPYTER_PATH is read by evcxr as one folder.
  JUPYTER_PATH="$VENV/share/jupyter" "$EVCXR_BIN" --install >/dev/null
fi
# The kernel starts through scripts/kernel.sh: a kept build folder per running kernel (why: there).
"$VENV/bin/python" - "$EVCXR_BIN" "$EVCXR_CONFIG_DIR" "$ROOT" <<'EOF' | write_if_changed "$KERNEL_DIR/kernel.json"
import json, sys
from calc_dl_nb.env import kernel_work_dir
print(json.dumps({
    "argv": [sys.argv[3] + "/scripts/kernel.sh", sys.argv[1], "--control_file", "{connection_file}"],
    "display_name": "Rust (calc_dl)",
    "language": "rust",
    "interrupt_mode": "message",
    "env": {"EVCXR_CONFIG_DIR": sys.argv[2], "CALC_DL_KERNEL_WORK": str(kernel_work_dir())},
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
if [ -z "${CALC_DL_VENV:-}" ]; then
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

# ---------------------------------------------------------------- warm evcxr's cache
if [ "$PREWARM" = 1 ]; then
  "$VENV/bin/python" "$ROOT/scripts/prewarm.py"
fi

printf '\nset-up complete in %ds\n' "$((SECONDS - t0))"
