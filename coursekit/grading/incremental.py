"""Regrade only what changed: one record per graded student, keyed by everything that can change a grade.

A student's key hashes the files they submitted together with the grader's
inputs: the hidden suites, the banks (their wrong entries decide diagnoses),
the source and release notebooks, the grader's own code (the coursekit package
and the course settings stand for its version), the pinned requirements and
the run's settings (public tests on or off, the limits).  A record holds the
student's rows as the run produced them (checks and diagnosis included), so a
re-run rewrites every output from kept and fresh rows alike and its files
equal a full run's.  Records are written only after a run has built every row,
so a run killed or crashed half-way leaves no record for anyone it did not
finish, and the next run grades them again.  Records live under
OUT/.grading/regrade/, beside the outputs they produced and never inside
autograded/ or feedback/, so nothing uploads or hands them out with the grades.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course_config import COURSE, ROOT
from coursekit.files import atomic_write
from coursekit.results import CellProblem, Check, Diagnosis, Found, Graded, Row

RECORDS = Path(".grading") / "regrade"
FORMAT = 1  # bump when a record's layout changes: older records are then ignored


def grader_inputs() -> list[Path]:
    """Files and folders whose content, when changed, can change every student's grade."""
    # Not the class list nor the TAs' hand scores: what they change is in each student's key (discovery's
    # problems and flags) or computed when the outputs are written (names, written answers, totals).
    return [ROOT / "tests" / "hidden", COURSE.banks_dir, COURSE.source_dir / COURSE.assignment,
            COURSE.release_dir / COURSE.assignment, ROOT / "coursekit", ROOT / "course_config.py",
            ROOT / "nbgrader_config.py", ROOT / "requirements.txt"]


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix != ".pyc")


def digest(paths: list[Path], base: Path, extra: dict | None = None) -> str:
    """sha256 over each file's path (relative to base) and content, plus the extra settings as JSON."""
    h = hashlib.sha256(json.dumps(extra or {}, sort_keys=True, default=str).encode())
    for path in paths:
        for f in _files(path):
            rel = f.relative_to(base) if f.is_relative_to(base) else f
            h.update(f"\0{rel.as_posix()}\0{f.stat().st_size}\0".encode("utf-8", "surrogateescape"))
            h.update(f.read_bytes())
    return h.hexdigest()


def grader_digest(settings: dict, inputs: list[Path] | None = None) -> str:
    """The hash every student's key shares: the grader's inputs and this run's settings."""
    limits = asdict(COURSE.limits)
    return digest(grader_inputs() if inputs is None else inputs, ROOT, {"settings": settings, "limits": limits,
                                                                         "format": FORMAT})


def student_key(submitted: Path, f: Found, shared: str) -> str:
    """The student's key: every file in their submission folder, what discovery said of it, and the grader digest."""
    folder = Path(submitted) / f.student_id
    return digest([folder], folder, {"student_id": f.student_id, "slug": f.slug, "flags": f.flags,
                                     "problems": f.problems, "grader": shared})


@dataclass
class Plan:
    """Who this run grades, and the rows it keeps from earlier runs for everyone else."""

    to_grade: list[Found]
    kept: dict[str, dict] = field(default_factory=dict)  # student_id -> record
    keys: dict[str, str] = field(default_factory=dict)  # student_id -> key, for every student of the run

    def describe(self) -> str:
        total = len(self.to_grade) + len(self.kept)
        return f"regrading {len(self.to_grade)} of {total} student(s); {len(self.kept)} unchanged since their last grade"


def _record_path(out: Path, student_id: str) -> Path:
    # Student ids may hold any character: the file is named by a hash, the id is stored inside.
    return Path(out) / RECORDS / f"{hashlib.sha256(student_id.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.json"


def _load(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent or unreadable: the student is graded again
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def plan(found: list[Found], submitted: Path, out: Path, *, force: bool, settings: dict,
         inputs: list[Path] | None = None) -> Plan:
    """Split the students into those to grade (new, changed, unfinished, or all with force) and those kept."""
    shared = grader_digest(settings, inputs)
    result = Plan(to_grade=[])
    for f in found:
        key = student_key(submitted, f, shared)
        result.keys[f.student_id] = key
        record = None if force else _load(_record_path(out, f.student_id))
        if record is not None and record.get("key") == key and record.get("student_id") == f.student_id:
            result.kept[f.student_id] = record
        else:
            result.to_grade.append(f)
    return result


def record(graded: Graded, to_grade: list[Found], keys: dict[str, str], flags: str, out: Path) -> None:
    """Write one record per student this run graded; called only once every row of the run exists."""
    rows: dict[str, list[Row]] = {f.student_id: [] for f in to_grade}
    for r in graded.rows:
        rows[r.student_id].append(r)
    problems: dict[str, list[CellProblem]] = {sid: [] for sid in rows}
    for p in graded.cell_problems:
        problems.setdefault(p.student_id, []).append(p)
    for sid, student_rows in rows.items():
        if not student_rows:
            continue  # nothing came back for this student: no record, so the next run grades them
        rec = {"format": FORMAT, "student_id": sid, "key": keys[sid], "flags": flags,
               "rows": [asdict(r) for r in student_rows], "cell_problems": [asdict(p) for p in problems[sid]]}
        atomic_write(_record_path(out, sid), json.dumps(rec, indent=1, sort_keys=True) + "\n")


def _row(data: dict) -> Row:
    checks = [Check(**c) for c in data.get("checks", [])]
    diagnosis = Diagnosis(**data["diagnosis"]) if data.get("diagnosis") else None
    return Row(**{**data, "checks": checks, "diagnosis": diagnosis})


def combine(found: list[Found], plan: Plan, graded: Graded, flags: str | None) -> tuple[Graded, str]:
    """Fresh rows and kept rows in discovery order, as one Graded, and the sandbox flags for the outputs.

    The flags are this run's when it graded anyone, else those the kept records were graded under.
    """
    fresh = {f.student_id for f in plan.to_grade}
    rows = [r for r in graded.rows if r.student_id in fresh]
    problems = [p for p in graded.cell_problems if p.student_id in fresh]
    for record in plan.kept.values():
        rows += [_row(r) for r in record["rows"]]
        problems += [CellProblem(**p) for p in record.get("cell_problems", [])]
    order = {f.student_id: i for i, f in enumerate(found)}
    exercises = [e.grade_id for e in COURSE.exercises]
    rows.sort(key=lambda r: (order[r.student_id], exercises.index(r.grade_id)))
    problems.sort(key=lambda p: (order.get(p.student_id, len(order)), p.notebook, p.cell))
    if flags is None:
        kept_flags = sorted({rec.get("flags", "none") for rec in plan.kept.values()})
        flags = "+".join(kept_flags) if kept_flags else "none"
    timing = {**graded.timing, "regraded_students": len(plan.to_grade), "kept_students": len(plan.kept)}
    return Graded(rows, graded.protections, timing, problems), flags


def prune(everyone: list[Found], out: Path) -> None:
    """Remove the records of students no longer in the submissions folder (a withdrawn or renamed folder)."""
    folder = Path(out) / RECORDS
    if not folder.is_dir():
        return
    wanted = {_record_path(out, f.student_id).name for f in everyone}
    for path in folder.glob("*.json"):
        if path.name not in wanted:
            path.unlink(missing_ok=True)
