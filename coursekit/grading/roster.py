"""The optional class list, roster.csv (student_id,name,email,lms_id,section): who should have a grade, and how.

Only `student_id` is required; the other columns may be missing or blank.
`student_id` is the folder name under submitted/ and the id in every output;
`lms_id` is the id the LMS writes into its downloads and reads back on
import (Canvas user id, Moodle participant id, Blackboard username).  A
roster that would let two students share an id is refused, naming both rows.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("student_id", "name", "email", "lms_id", "section")


class RosterError(ValueError):
    """roster.csv is malformed or ambiguous; str() names the file, the rows and what to do."""


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    lms_id: str = ""
    section: str = ""


@dataclass(frozen=True)
class Roster:
    students: tuple[Student, ...]
    path: Path

    def get(self, student_id: str) -> Student | None:
        return next((s for s in self.students if s.student_id == student_id), None)

    def ids(self) -> list[str]:
        return [s.student_id for s in self.students]

    def find(self, lms_id: str) -> Student | None:
        """The student an LMS id names: by lms_id, else by student_id, else by email or its local part.

        Each key is tried on its own, so an LMS id is never matched by a
        prefix of anything; two students matching the same key is an error.
        """
        key = lms_id.strip().casefold()
        for column in ("lms_id", "student_id", "email", "email_user"):
            hits = [s for s in self.students if key and _key(s, column) == key]
            if len(hits) > 1:
                raise RosterError(f"{self.path}: LMS id {lms_id!r} matches the {column} of both "
                                  f"{hits[0].student_id!r} and {hits[1].student_id!r}; give each an lms_id")
            if hits:
                return hits[0]
        return None


def _key(s: Student, column: str) -> str:
    if column == "email_user":
        return s.email.split("@")[0].strip().casefold() if "@" in s.email else ""
    return getattr(s, column).strip().casefold()


def load(path: Path | None = None, *, required: bool = False) -> Roster | None:
    """The roster at path (default: course_config's roster.csv), or None when there is none and none was asked for."""
    from course_config import COURSE

    path = Path(path) if path else COURSE.roster
    if not path.is_file():
        if required:
            raise RosterError(f"{path}: no such roster; write one like docs/roster.example.csv "
                              f"(columns {','.join(COLUMNS)})")
        return None
    with open(path, newline="", encoding="utf-8-sig") as fh:  # -sig: spreadsheets save a byte-order mark
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        if "student_id" not in header:
            raise RosterError(f"{path}: the first line must name the columns, among them student_id "
                              f"(expected {','.join(COLUMNS)}); found {','.join(header) or 'nothing'}")
        rows = [{k.strip(): (v or "").strip() for k, v in rec.items() if k} for rec in reader]
    students = []
    for line, rec in enumerate(rows, start=2):
        if not rec.get("student_id"):
            if any(rec.values()):
                raise RosterError(f"{path}, line {line}: student_id is empty; every row needs one")
            continue
        students.append(Student(**{c: rec.get(c, "") for c in COLUMNS}))
    roster = Roster(tuple(students), path)
    _refuse_shared(roster, "student_id")
    _refuse_shared(roster, "lms_id")
    return roster


def _refuse_shared(roster: Roster, column: str) -> None:
    seen: dict[str, Student] = {}
    for s in roster.students:
        value = getattr(s, column).casefold()
        if value and value in seen:
            raise RosterError(f"{roster.path}: {column} {getattr(s, column)!r} is given to two rows "
                              f"({seen[value].name or seen[value].student_id!r} and {s.name or s.student_id!r}); "
                              "each student needs their own")
        seen[value] = s


def with_roster(found: list, roster: Roster | None, flag: str = "not_on_roster") -> list:
    """Discovery's students plus every rostered student who submitted nothing (all notebooks `missing`), sorted by
    id; a submitter the roster does not list is kept, graded and flagged."""
    from course_config import COURSE
    from coursekit.results import Found

    if roster is None:
        return found
    listed = set(roster.ids())
    for f in found:
        if f.student_id not in listed and flag not in f.flags:
            f.flags.append(flag)
            f.notes.append(f"{f.student_id} submitted but is not on the roster {roster.path.name}; graded and "
                           f"flagged {flag}")
    seen = {f.student_id for f in found}
    absent = [Found(sid, {}, {nb: ("missing", f"nothing was submitted (on the roster, no folder "
                                               f"{sid}/{COURSE.assignment}/)") for nb in COURSE.tutorials})
              for sid in roster.ids() if sid not in seen]
    return sorted(found + absent, key=lambda f: f.student_id)
