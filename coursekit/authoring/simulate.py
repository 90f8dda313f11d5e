"""Simulated classes: submissions built from the release, the reference and the mutant bank.

Used by `coursekit demo`, the benchmarks and the integration tests.  Each
student follows a profile (a perfect student, an untouched release, a mix of
right and wrong answers, and the hard cases: a missing or malformed notebook,
a tampered test cell, hostile code, a warning on stderr).
"""
from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import nbformat

from course_config import COURSE
from coursekit.authoring import banks
from coursekit import notebook as nbk
from coursekit.grading.submission import release_notebook, source_notebook

HOSTILE = {
    "exit": "import sys\nsys.exit(0)\n",
    "loop": "while True:\n    pass\n",
    "read_repo": "secret = open({path!r}).read()\n",
    "fork_bomb": "import os\nfor _ in range(10_000):\n    try:\n        os.fork()\n    except OSError:\n        break\n",
}


def reference_source(notebook: str, grade_id: str) -> str:
    _, cell = nbk.cells_by_grade_id(source_notebook(notebook), notebook)[grade_id]
    return nbk.strip_markers(cell.source)


def fill(notebook: str, answers: dict[str, str]):
    """The release notebook with the given solution cells (grade_id -> source) filled in."""
    nb = copy.deepcopy(release_notebook(notebook))
    for cell in nb.cells:
        gid = nbk.grade_id(cell)
        if gid in answers and nbk.is_solution(cell):
            cell.source = answers[gid]
    return nb


def _mixed_answers(notebook: str, rng: random.Random) -> dict[str, str]:
    answers = {}
    for ex in COURSE.exercises_in(notebook):
        options = banks.entries([ex.grade_id])
        roll = rng.random()
        wrong = [e for e in options if e.kind == "wrong"]
        right = [e for e in options if e.kind == "correct"]
        if roll < 0.3 and wrong:
            answers[ex.grade_id] = rng.choice(wrong).path.read_text()
        elif roll < 0.45 and right:
            answers[ex.grade_id] = rng.choice(right).path.read_text()
        elif roll < 0.95:
            answers[ex.grade_id] = reference_source(notebook, ex.grade_id)
    return answers


def reference_answers(notebook: str) -> dict[str, str]:
    """grade_id -> the reference solution cell's source, markers stripped, for each exercise of the notebook."""
    return {ex.grade_id: reference_source(notebook, ex.grade_id) for ex in COURSE.exercises_in(notebook)}


WARNING_EXERCISE = ("mse_loss", "mse_loss")
WARNING_WRAPPER = """

import functools, warnings
_unwarned = {name}


@functools.wraps(_unwarned)
def {name}(*args, **kwargs):
    warnings.warn("this is only a warning", UserWarning)
    return _unwarned(*args, **kwargs)
"""

PROFILES = ("perfect", "mixed", "stub", "missing", "malformed", "tampered", "hostile", "warning")


def student_notebooks(profile: str, rng: random.Random) -> dict[str, object | None | str]:
    """notebook -> NotebookNode, None (not submitted) or a str (raw, malformed file content)."""
    out: dict[str, object | None | str] = {}
    for name in COURSE.tutorials:
        if profile == "stub":
            out[name] = fill(name, {})
        elif profile == "mixed":
            out[name] = fill(name, _mixed_answers(name, rng))
        else:
            out[name] = fill(name, reference_answers(name))
    first = COURSE.tutorials[0]
    if profile == "missing":
        out[COURSE.tutorials[-1]] = None
    elif profile == "malformed":
        text = nbformat.writes(out[first])
        out[first] = text[: len(text) // 2]
    elif profile == "tampered":
        nb = out[first]
        for cell in nb.cells:
            if nbk.is_test(cell):
                cell.source = "pass  # I promise it works\n"
    elif profile == "hostile":
        nb = out[COURSE.tutorials[1]]
        hostile = dict(HOSTILE, read_repo=HOSTILE["read_repo"].format(path=str(COURSE.gradebook)))
        for i, snippet in enumerate(hostile.values()):
            nb.cells.insert(2 + i, nbformat.v4.new_code_cell(snippet))
    elif profile == "warning":  # a correct answer that warns on stderr every time it is called
        nb = out[first]
        for cell in nb.cells:
            if nbk.grade_id(cell) == WARNING_EXERCISE[0] and nbk.is_solution(cell):
                cell.source += WARNING_WRAPPER.format(name=WARNING_EXERCISE[1])
    return out


def build_class(dest: Path, n_students: int, seed: int = COURSE.seed) -> dict[str, str]:
    """Write n_students submissions under dest/<student>/W2D1/; returns student_id -> profile."""
    rng = random.Random(seed)
    profiles = {}
    for i in range(n_students):
        profile = PROFILES[i % len(PROFILES)] if i < len(PROFILES) else rng.choice(("perfect", "mixed", "mixed"))
        sid = f"student{i + 1:03d}"
        profiles[sid] = profile
        folder = Path(dest) / sid / COURSE.assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, nb in student_notebooks(profile, rng).items():
            path = folder / f"{name}.ipynb"
            if nb is None:
                continue
            path.write_text(nb if isinstance(nb, str) else nbformat.writes(nb))
        (folder / "timestamp.txt").write_text("2026-11-28 12:00:00.000000 UTC\n")
    (Path(dest) / ".profiles.json").write_text(json.dumps(profiles, indent=1))
    return profiles
