# Two-command start: `make run` then `make test` (see README.md).
#
# Mesa 3.5 needs Python >= 3.12. A candidate counts only if running it works: on some
# machines `python3` is older and pyenv shims such as `python3.12` exist but exit 127
# unless PYENV_VERSION is set, so every candidate is run, pyenv's installed versions too.

VENV      := .venv
VPY       := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
REPS      ?= 8
# Two workers on 2 cores; worksteal hands a long test's queued neighbours to the idle worker
# (the default "load" can leave one worker with a queue of long tests at the end).
PYTEST_ARGS ?= -n auto --dist worksteal

PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
PY_CANDIDATES  := python3.13 python3.12 python3 python \
                  $(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.1[2-9]*/bin/python3))
PY_OK := import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)
# Recursive (=), so the search runs only when a virtual environment must be created.
FOUND_PYTHON = $(or $(PYTHON),$(shell for p in $(PY_CANDIDATES); do \
	if "$$p" -c '$(PY_OK)' >/dev/null 2>&1; then command -v "$$p" 2>/dev/null || echo "$$p"; break; fi; done))

.PHONY: run test test-fast test-all test-exhaustive lint clean python compiled demo report paper sensitivity

# Compile the model's kernels once (numba caches them on disk) before parallel test workers
# would each compile them at the same time.
compiled: $(STAMP)
	$(VPY) -c 'from experiments.execution.compiled import compile_kernels; compile_kernels()'

run: $(STAMP) compiled
	$(VENV)/bin/alliance run baseline --reps $(REPS) --out results

# The paper's figures, tables and results/report/report.html (QUICK=1: the small version);
# results already computed with the same parameters, seeds and code are reused from its cache.
# CALIBRATION=DIR adds a calibration folder's posterior and checks; SENSITIVITY=DIR its ranking.
report: $(STAMP) compiled
	$(VENV)/bin/alliance report $(if $(QUICK),--quick) $(if $(CALIBRATION),--calibration $(CALIBRATION)) $(if $(SENSITIVITY),--sensitivity $(SENSITIVITY))

# The whole paper: the lever ranking's sensitivity run, the calibration, then the report
# reading both (results/paper/; the calibration is the long step).
paper: $(STAMP) compiled
	$(VENV)/bin/alliance sensitivity experiments/levers_regression.toml --workers $(WORKERS) --out results/paper
	$(VENV)/bin/alliance calibrate experiments/calibration.toml --workers $(WORKERS) --out results/paper
	$(VENV)/bin/alliance report --workers $(WORKERS) --out results/paper/report \
		--sensitivity $$(ls -d results/paper/*-levers_regression | tail -1) \
		--calibration $$(ls -d results/paper/*-calibration | tail -1)

# Issue 10's answer: re-run the shipped sensitivity specs (stage 1, structure and strengths,
# stage 2 from stage 1) on 2 workers and print the figures with wall and CPU time.
WORKERS ?= 2
sensitivity: $(STAMP) compiled
	$(VENV)/bin/alliance sensitivity --answer --workers $(WORKERS) --out results

# The workshop's web app on http://127.0.0.1:8765/ (French; offline).
demo: $(STAMP) compiled
	$(VENV)/bin/alliance demo

# Three tiers (tests/conftest.py): test-fast for each change, test adds the slow statistical
# and end-to-end tests, test-all adds the exhaustive ones (full-count fuzzers, browser, long
# sweeps); .ci/run runs test-all.
test: $(TESTSTAMP) compiled
	$(VPY) -m pytest $(PYTEST_ARGS) -m "not exhaustive"

test-fast: $(TESTSTAMP) compiled
	$(VPY) -m pytest $(PYTEST_ARGS) -m "not slow and not exhaustive"

test-all: $(TESTSTAMP) compiled
	$(VPY) -m pytest $(PYTEST_ARGS)

# The exhaustive tier alone (what `make test` leaves out): CI runs `make test` then this.
test-exhaustive: $(TESTSTAMP) compiled
	$(VPY) -m pytest $(PYTEST_ARGS) -m exhaustive

lint: $(TESTSTAMP)
	$(VPY) -m ruff check simulation experiments tests

python:
	@echo "Python >= 3.12 found: $(or $(FOUND_PYTHON),none)"

$(VPY):
	@py="$(FOUND_PYTHON)"; \
	if [ -z "$$py" ]; then \
	  echo "error: no working Python >= 3.12 found (tried: $(PY_CANDIDATES))." >&2; \
	  echo "Install Python 3.12 or newer, e.g. 'sudo apt-get install python3.12 python3.12-venv'," >&2; \
	  echo "'pyenv install 3.12' or from https://www.python.org/downloads/, then run make again" >&2; \
	  echo "(or point to one: make run PYTHON=/path/to/python3.12)." >&2; \
	  exit 1; \
	fi; \
	echo "creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)
	@$(VPY) -c '$(PY_OK)' || { echo "error: $(VENV) uses a Python older than 3.12: run 'make clean' and retry" >&2; exit 1; }

# Reinstall only when pyproject.toml changes (or the environment is new).
$(STAMP): pyproject.toml constraints.txt | $(VPY)
	$(VPY) -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(TESTSTAMP): pyproject.toml constraints.txt $(STAMP)
	$(VPY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
