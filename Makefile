# Every target runs inside .venv, built from requirements.txt and reused while it is unchanged.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg
JOBS ?= 2

.PHONY: demo test test-unit test-integration release sync check grade bench clean

$(VENV)/.stamp: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV): $(VENV)/.stamp

demo: $(VENV)  ## simulate a class, grade it and print the summary table
	$(PY) -m coursekit demo --jobs $(JOBS)

test: $(VENV)  ## the repo's own tests: unit, integration, hidden suites vs reference, self-check
	$(PY) -m pytest tests/unit tests/integration -q -x --durations=10

release: $(VENV)  ## source/ -> release/ through nbgrader generate_assignment
	$(PY) -m coursekit release

sync: $(VENV)  ## rewrite each source .ipynb from its Jupytext twin
	$(PY) -m coursekit sync

check: $(VENV)  ## instructor self-check: sync, release, reference, stubs, banks
	$(PY) -m coursekit check --jobs $(JOBS)

grade: $(VENV)  ## grade submitted/ into autograded/ and feedback/
	$(PY) -m coursekit grade --jobs $(JOBS)

bench: $(VENV)  ## where the public step's time goes, the 20-student ratio to plain nbgrader, then 300 students (long)
	$(PY) benchmarks/profile_public.py --students 4
	$(PY) benchmarks/bench_grading.py --students 20 --jobs 2
	$(PY) benchmarks/bench_scale.py --students 300 --jobs 2

clean:
	rm -rf autograded feedback .grading/tmp
