"""`coursekit check`: the instructor's self-check that the graders are right.

Steps, each reported on its own line: Jupytext pairs in sync; release/
current and leak free; the reference solutions get full marks and the release
stubs get zero, both graded for real (nbgrader + sandboxed hidden suites);
every known-wrong bank entry loses points on its own exercise only and, graded
in a sandboxed child, is diagnosed as the misconception it states (so no two
slugs behave alike on every probe); every alternative correct entry gets full
marks and no diagnosis.  Exit 1 on any failure.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from course_config import COURSE


def _sync() -> list[str]:
    from coursekit.authoring import sync

    return sync.drift()


def _release() -> list[str]:
    from coursekit.authoring import release

    return release.verify()


def _reference_and_stubs(jobs: int) -> list[str]:
    """Grade a two-student class, the reference and the untouched release, through the real pipeline."""
    import nbformat

    from coursekit.grading import pipeline as grade
    from coursekit.grading.discover import discover
    from coursekit.isolation import scratch
    from coursekit.authoring import simulate

    problems = []
    with scratch.TemporaryDirectory("check") as tmp:
        for sid, answers in (("reference", simulate.reference_answers), ("stubs", lambda nb: {})):
            folder = Path(tmp) / sid / COURSE.assignment
            folder.mkdir(parents=True)
            for nb in COURSE.tutorials:
                (folder / f"{nb}.ipynb").write_text(nbformat.writes(simulate.fill(nb, answers(nb))))
        graded = grade.grade(discover(Path(tmp)), jobs=jobs, show_progress=False)
    for r in graded.rows:
        score, top = r.public_score + r.hidden_score, r.public_max + r.hidden_max
        if r.student_id == "reference" and score < top:
            problems.append(f"reference lost points on {r.grade_id}: {score:g}/{top:g} ({r.status}: {r.message})")
        if r.student_id == "stubs" and score > 0:
            problems.append(f"release stub earned points on {r.grade_id}: {score:g}/{top:g}")
    return problems


def _banks() -> list[str]:
    from coursekit.authoring import banks
    from coursekit.isolation.handle import sandboxed_notebook
    from coursekit.isolation.forkserver import ForkServer
    from coursekit.grading.submission import source_notebook, student_cells

    selected = banks.entries()
    missing = [ex.grade_id for ex in COURSE.exercises if not any(e.grade_id == ex.grade_id for e in selected)]
    problems = [f"no bank entries for {gid}" for gid in missing]
    with ForkServer() as server:
        by_name = {e.name: e for e in selected}

        def open_handle(student_id, notebook):
            entry = by_name[student_id]
            own = COURSE.exercise(entry.grade_id).notebook
            nb = banks.mutant_notebook(entry) if own == notebook else banks.reference_submission(notebook)
            return sandboxed_notebook(server, notebook, student_cells(notebook, nb, release_nb=source_notebook(notebook)),
                                      COURSE.limits)

        for entry, ok, why in banks.judge(selected, open_handle):
            if not ok:
                problems.append(f"bank {entry.name} ({entry.description}): {why}")
        print(f"      {len(selected)} bank entries graded in sandboxed children", file=sys.stderr)
    return problems


def main(*, jobs: int = 2) -> int:
    steps = [
        ("Jupytext pairs in sync", _sync),
        ("release/ current and leak free", _release),
        ("reference gets full marks, release stubs get zero", lambda: _reference_and_stubs(jobs)),
        ("mutant bank: wrong entries caught and diagnosed, alternatives pass", _banks),
    ]
    failed = 0
    for title, step in steps:
        start = time.perf_counter()
        try:
            problems = step()
        except Exception as exc:  # a step that cannot run is a failed check, reported with its reason
            problems = [f"could not run: {type(exc).__name__}: {exc}"]
        mark = "ok  " if not problems else "FAIL"
        print(f"{mark} {title} ({time.perf_counter() - start:.1f} s)")
        for p in problems:
            print(f"      - {p}")
        failed += bool(problems)
    print("check passed" if not failed else f"check failed: {failed} step(s)")
    return 1 if failed else 0
