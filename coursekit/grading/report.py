"""Every grading output, written atomically: class files (CSVs, report) and per-student files (results.json, feedback).

Class files are a pure function of the rows (with their checks) and the
sandbox flags, so re-running `grade` rewrites the same bytes and `merge`
rebuilds them from the shards' grades.csv and checks.csv.  Per-student files
also need the submitted notebooks (the code shown) and the cells that raised;
`merge` copies those from the shards.  Volatile data lives apart: timing.json
and timing.js, and the `execution_time` of each results.json.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.files import atomic_write
from coursekit.grading import class_report, feedback, gradescope, totals
from coursekit.grading.exports import (CHECK_COLUMNS, DIAGNOSIS_COLUMNS, SUMMARY_FIELDS, by_student,
                                       check_records, diagnosis_records, grade_records, read_rows, score_columns,
                                       score_records, summary_records, summary_table, to_csv)
from coursekit.results import GRADE_COLUMNS, CellProblem, Row

__all__ = ["write_all", "write_class", "write_students", "write_timing", "read_rows", "summary_table",
           "CLASS_FILES"]

CLASS_FILES = ("grades.csv", "summary.csv", "scores.csv", "checks.csv", "diagnoses.csv", "report.html",
               "scores.png", "exercises.png")  # everything under autograded/ that a merge rebuilds


def write_class(rows: list[Row], flags: str, auto: Path, extra: dict[str, dict] | None = None) -> None:
    """The class-level files under auto (autograded/): CSVs, report.html and its plots.

    extra: student_id -> summary columns after the contract's (names, written answers, late work: grading.totals).
    Rows are put in one order (student id, then the exercise registry) whatever order they came in, so a
    merge of shards writes the same bytes as one unsharded run.
    """
    auto = Path(auto)
    order = {e.grade_id: i for i, e in enumerate(COURSE.exercises)}
    rows = sorted(rows, key=lambda r: (r.student_id, order.get(r.grade_id, len(order))))
    if extra:  # the same order for the class list, whatever order the shards gave
        extra = {sid: extra[sid] for sid in sorted(extra)}
    summary_columns = (*SUMMARY_FIELDS, *totals.EXTRA_COLUMNS) if extra else SUMMARY_FIELDS
    atomic_write(auto / "grades.csv", to_csv(GRADE_COLUMNS, grade_records(rows)))
    atomic_write(auto / "summary.csv", to_csv(summary_columns, summary_records(rows, f"sandbox={flags}", extra)))
    atomic_write(auto / "scores.csv", to_csv(score_columns(), score_records(rows)))
    atomic_write(auto / "checks.csv", to_csv(CHECK_COLUMNS, check_records(rows)))
    atomic_write(auto / "diagnoses.csv", to_csv(DIAGNOSIS_COLUMNS, diagnosis_records(rows)))
    atomic_write(auto / "report.html", class_report.report(rows, flags, auto, extra=extra))


def _cells(path: Path | None, notebook: str) -> list[tuple[str, str]] | None:
    """The student's cells as the grader runs them (setup cells left out); None when the file cannot be read."""
    from coursekit.grading.submission import student_cells

    if path is None:
        return None
    try:
        cells = student_cells(notebook, nbk.read(path))
    except (nbk.NotebookError, ValueError, KeyError, OSError):
        return None
    return [(label, src) for label, src in cells if not label.startswith("setup ")]


def student_dir(out: Path, kind: str, student_id: str) -> Path:
    """out/<kind>/<student_id>/<assignment>: kind is "autograded" or "feedback"."""
    return Path(out) / kind / student_id / COURSE.assignment


def write_students(rows: list[Row], out: Path, *, submissions: dict[str, dict[str, Path]] | None = None,
                   cell_problems: list[CellProblem] = (), seconds: dict[str, float] | None = None,
                   today: dt.date | None = None) -> None:
    """results.json and one feedback page per notebook for every student in rows."""
    submissions, seconds = submissions or {}, seconds or {}
    problems: dict[tuple[str, str], list[CellProblem]] = {}
    for p in cell_problems:
        problems.setdefault((p.student_id, p.notebook), []).append(p)
    for sid, rs in by_student(rows).items():
        results = gradescope.results(rs, seconds.get(sid, 0.0))
        atomic_write(student_dir(out, "autograded", sid) / "results.json",
                     json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        for nb in COURSE.tutorials:
            nb_rows = [r for r in rs if r.notebook == nb]
            if not nb_rows:
                continue
            cells = _cells(submissions.get(sid, {}).get(nb), nb)
            atomic_write(student_dir(out, "feedback", sid) / f"{nb}.html",
                         feedback.notebook_page(sid, nb, nb_rows, cells, problems.get((sid, nb), []), today))


def write_all(rows: list[Row], flags: str, out: Path, *, submissions: dict[str, dict[str, Path]] | None = None,
              cell_problems: list[CellProblem] = (), seconds: dict[str, float] | None = None,
              today: dt.date | None = None, extra: dict[str, dict] | None = None) -> None:
    """Every contract output under out/autograded and out/feedback; flags name the sandbox protections.

    submissions: student_id -> notebook -> submitted file, for the code on the feedback pages;
    cell_problems: the students' cells that raised; seconds: student_id -> grading seconds (results.json);
    extra: student_id -> the summary columns of grading.totals.
    """
    write_class(rows, flags, Path(out) / "autograded", extra)
    write_students(rows, out, submissions=submissions, cell_problems=cell_problems, seconds=seconds, today=today)


def write_timing(timing: dict, auto: Path) -> None:
    """timing.json and timing.js (read by report.html): the run's volatile numbers, apart from everything else."""
    atomic_write(Path(auto) / "timing.json", json.dumps(timing, indent=1))
    atomic_write(Path(auto) / "timing.js", class_report.timing_script(timing))
