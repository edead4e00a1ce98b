"""The project's notebook tooling: the strict runner behind `make test`, the kernel driver of the
warm-up and the benches, and the checks that make plain `jupyter nbconvert --execute` (and
papermill) fail on a broken notebook of the evcxr kernel (see calc_dl_nb.cells for what counts)."""
