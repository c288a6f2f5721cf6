# One-command set-up: every target creates .venv and installs what it needs when missing.
# torch is pinned here (and only here) so pip takes the local CPU wheel instead of a multi-GB CUDA build;
# the package itself keeps a loose `torch>=2.1` for real users.
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.tensormagic-installed
EXECUTED ?= demos/executed

.PHONY: setup demo test lab bench lint docs screenshots matrix wheel clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)" -e ".[dev]" --constraint constraints.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (tensormagic)" >/dev/null
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/run_demos.py --out $(EXECUTED)

test: $(STAMP)
	$(BIN)/python -m pytest

# Jupyter refuses to run as root unless told; containers often are root, so say it only there.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=demos $(ALLOW_ROOT)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

screenshots: $(STAMP)
	TENSORMAGIC_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser

# The version matrix (noxfile.py): the suite, browser tests aside, against the oldest and newest numpy, IPython
# and ipywidgets, each cell in a fresh environment under .nox/ with torch 2.13.0; a table of results at the end.
matrix: $(STAMP)
	$(BIN)/nox $(NOXFLAGS)

# The sdist and wheel a user installs, in dist/.
wheel: $(STAMP)
	$(BIN)/python -m build --outdir dist .

docs: $(STAMP)
	$(BIN)/python tools/magic_reference.py --write README.md
	$(BIN)/python tools/note_codes.py --write README.md
	$(BIN)/python tools/card_topics.py --write README.md

clean:
	rm -rf $(VENV) $(EXECUTED) .nox dist
