#!/usr/bin/env bash
# Starts evcxr_jupyter in a build folder that outlives the kernel (the `rust` kernel spec runs this).
#
# Why: evcxr builds every kernel's crate in a new temporary folder, so each new kernel compiled
# calc_dl again in its first `:dep` cell (9-14 s: evcxr's cache skips path crates), and copied every
# other dependency back out of its cache. In a kept folder cargo finds them all fresh: the `:dep`
# cell then only checks fingerprints. Each running kernel takes its own slot (a lock held for the
# kernel's life), so two notebooks open at once never share a folder.
#
# Usage (kernel.json): kernel.sh EVCXR_JUPYTER_BINARY --control_file CONNECTION_FILE
# Environment: CALC_DL_KERNEL_WORK, the folder holding the slots (set by scripts/setup.sh; outside
# the repository, see scripts/prewarm.py). EVCXR_TMPDIR, when already set, wins.
set -euo pipefail
evcxr="$1"
shift
# Without flock (util-linux) or a writable work folder, fall back to evcxr's own temporary folder:
# slower first cells, but the kernel always starts.
if [ -z "${EVCXR_TMPDIR:-}" ] && [ -n "${CALC_DL_KERNEL_WORK:-}" ] && command -v flock >/dev/null; then
  for i in $(seq 0 15); do
    slot="$CALC_DL_KERNEL_WORK/slot-$i"
    mkdir -p "$slot" 2>/dev/null && [ -w "$slot" ] || break
    exec {lock}>"$slot/.lock"
    if flock -n "$lock"; then
      # The cells of the previous kernel in this slot: one shared object per cell, several MB each.
      rm -f "$slot"/target/*/debug/deps/libcode_*.so
      export EVCXR_TMPDIR="$slot"
      # The lock stays held by this descriptor, inherited by evcxr (and released when it exits).
      exec "$evcxr" "$@"
    fi
    exec {lock}>&-
  done
  echo "kernel.sh: no free build slot in $CALC_DL_KERNEL_WORK; building in a temporary folder" >&2
fi
exec "$evcxr" "$@"
