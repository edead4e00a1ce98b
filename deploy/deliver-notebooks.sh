#!/bin/sh
# Puts the book into the learner's home, never over their own work. Runs as the learner when their
# server starts: Zero to JupyterHub's singleuser.lifecycleHooks.postStart (deploy/config.yaml); the
# JupyterHub of `make class-check` runs it for each learner the same way.
#   ~/calc_dl/notebooks/NN_*.ipynb  copied once each: a notebook the learner already has is left as it is
#                                   (to get a fresh copy, rename or delete theirs and restart the server);
#   ~/calc_dl/crates                a link to the library in the image (SOURCE/crates, outside the home).
# The notebooks' `:dep calc_dl = { path = "../crates/calc_dl" }` resolves through the link, and evcxr
# canonicalizes the path: the kernels build the very calc_dl that the image's build folder holds warm.
# Usage: deliver-notebooks.sh [SOURCE]   (default: the checkout this script is in)
set -eu
src="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
dest="$HOME/calc_dl"
mkdir -p "$dest/notebooks"
for nb in "$src"/notebooks/*.ipynb; do
  [ -e "$dest/notebooks/${nb##*/}" ] || cp "$nb" "$dest/notebooks/"
done
ln -sfn "$src/crates" "$dest/crates"
