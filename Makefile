# calc_dl: the library and the book. `make lab` to learn, `make test` to check everything.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Steps share 2 cores and one kernel cache: always one after the other, even under make -j.
.NOTPARALLEL:

export PATH := $(HOME)/.cargo/bin:$(PATH)
# The project's `rust` kernel spec lives in the venv; evcxr reads JUPYTER_PATH as one folder.
export JUPYTER_PATH := $(CURDIR)/.venv/share/jupyter
PY := .venv/bin/python
LAB_ARGS ?=
# The folder JupyterLab serves (the browser checks serve a copy).
NOTEBOOK_DIR ?= notebooks
# Jupyter refuses to run as root without saying so (CI machines and containers run as root).
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup setup-web setup-browser lab test lint cargo-test test-runner test-nbconvert test-notebooks test-browser test-pool book slides bench-notebooks clean-book class-check

help:
	@echo "make lab              install what is missing, then JupyterLab on notebooks/"
	@echo "make test             fmt, clippy, actionlint, cargo test, runner self-test, nbconvert checks, every notebook, kernel pool, browser checks"
	@echo "make book             re-run the notebooks writing outputs in place, export book/ (HTML + index)"
	@echo "make slides           reveal.js slides per notebook into book/slides/"
	@echo "make bench-notebooks  kernel start, first :dep cell, first plot, median cell, whole book"
	@echo "make setup            only the installs (idempotent)"
	@echo "make class-check      (root) a class on a real JupyterHub here: learners' servers, a notebook in each at once, measured"

# Notebooks run this many at a time in `make test` (each its own kernel and build slot; 2 cores here).
NOTEBOOK_JOBS ?= 2
export NOTEBOOK_JOBS

# PRELOAD=1: compile calc_dl while each kernel starts (see scripts/setup.sh).
PRELOAD ?= 0
export CALC_DL_PRELOAD := $(PRELOAD)

setup:
	@scripts/setup.sh

setup-web:
	@scripts/setup.sh --web

setup-browser:
	@scripts/setup.sh --browser

lab: setup
	@echo "==> JupyterLab on notebooks/ (kernel: Rust (calc_dl)). Stop with Ctrl-C."
	.venv/bin/jupyter lab --notebook-dir=$(NOTEBOOK_DIR) $(ROOT_ARGS) $(LAB_ARGS)

test: setup lint cargo-test test-runner test-nbconvert test-notebooks test-pool test-browser

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	.venv/bin/actionlint .github/workflows/*.yml

cargo-test:
	cargo test --workspace

# The runner must catch a panic, a `?` error, a compile error, a timeout and a stale output.
test-runner:
	$(PY) tests/test_runner.py

# Plain nbconvert (and papermill --engine calc_dl) of the venv fail on each planted failure, and the book passes.
test-nbconvert:
	$(PY) tests/test_nbconvert.py --book

# What a learner sees: JupyterLab from `make lab` (fresh data folder, untrusted notebooks) in headless Chromium.
test-browser: setup-browser setup-web
	cd tests/browser && node --test --test-reporter=spec

# The warm kernel pool of `make lab` (python/calc_dl_nb/pool.py) in a real Jupyter server: hand-out,
# restart, a killed pooled kernel, notebook 08's tables variant, a failing warm-up, pool off, exit.
test-pool:
	$(PY) tests/test_pool.py

# NOTEBOOK_OUT=dir: also save the executed notebooks there (CI uploads them).
NOTEBOOK_OUT ?=
test-notebooks:
	$(PY) tests/run_notebooks.py $(if $(NOTEBOOK_OUT),--save-to $(NOTEBOOK_OUT)) notebooks

book: setup-web
	$(PY) tests/run_notebooks.py --write notebooks
	$(PY) scripts/build_book.py
	$(PY) scripts/build_book.py --slides
	@echo "book: $(CURDIR)/book/index.html"

slides: setup-web
	$(PY) scripts/build_book.py --slides

bench-notebooks: setup-browser
	$(PY) scripts/bench_notebooks.py --jobs $(NOTEBOOK_JOBS) --browser

# A class on JupyterHub on this machine (tests/class_check.py; root: it makes system users and removes them):
# the class layout first (scripts/setup.sh --hub: /opt/calc_dl, skipped when present).
CLASS_PREFIX ?= /opt/calc_dl
class-check:
	@CALC_DL_CLASS_PREFIX=$(CLASS_PREFIX) scripts/setup.sh --hub
	CALC_DL_CLASS_PREFIX=$(CLASS_PREFIX) $(CLASS_PREFIX)/venv/bin/python tests/class_check.py

clean-book:
	rm -rf book
