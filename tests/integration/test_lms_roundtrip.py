"""The TA's round trip: an LMS download -> collect -> grade -> export, the export parsed back against the grades.

One small class is graded once, from a Blackboard download (it carries
attempt times); the same class downloaded from Canvas and from Moodle must
collect to the same notebooks, so the grades stand for all three.  Names
share first names, hold underscores and accents; one student resubmitted
late; one rostered student sent nothing and must appear as `missing` with 0.
"""
import csv
import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from course_config import COURSE, ROOT
from coursekit.authoring import simulate
from tests.lms_downloads import blackboard_members, canvas_name, moodle_name, zip_bytes

pytestmark = pytest.mark.slow
T1, T2, T3 = COURSE.tutorials
# student_id, name, email, Canvas id, Moodle participant id, Blackboard username
PEOPLE = [("s1", "Jane Doe", "jane.doe@example.edu", 101, 5001, "jane_doe"),
          ("s2", "Jane Smith", "jane.smith@example.edu", 102, 5002, "jane_smith"),
          ("s3", "José Müller", "jose@example.edu", 103, 5003, "jmuller"),
          ("s4", "Ann Absent", "ann@example.edu", 104, 5004, "aabsent")]


def notebooks() -> dict[str, dict[str, bytes]]:
    """student_id -> notebook -> final content: s1 all correct, s2 the release stubs, s3 only Tutorial 2 correct."""
    right = {nb: nbformat.writes(simulate.fill(nb, simulate.reference_answers(nb))).encode() for nb in COURSE.tutorials}
    stub = {nb: nbformat.writes(simulate.fill(nb, {})).encode() for nb in COURSE.tutorials}
    return {"s1": right, "s2": stub, "s3": {T2: right[T2]}}


def roster(lms: int) -> str:
    lines = ["student_id,name,email,lms_id,section"]
    lines += [f'{p[0]},"{p[1]}",{p[2]},{p[lms]},A' for p in PEOPLE]
    return "\n".join(lines) + "\n"


def canvas_zip(final) -> bytes:
    members, fid = {}, 9000
    for sid, name, _, uid, _, _ in PEOPLE:
        last, first = name.split(" ")[1], name.split(" ")[0]
        for nb, data in final.get(sid, {}).items():
            fid += 1
            if sid == "s2":  # an earlier on-time upload, then the late resubmission Canvas keeps
                members[canvas_name(f"{last}, {first}", uid, fid, f"{nb}.ipynb")] = b"{}"
                fid += 1
            members[canvas_name(f"{last}, {first}", uid, fid, f"{nb}.ipynb", late=sid == "s2")] = data
    return zip_bytes(members)


def moodle_zip(final) -> bytes:
    return zip_bytes({moodle_name(name, pid, f"{nb}.ipynb"): data
                      for sid, name, _, _, pid, _ in PEOPLE for nb, data in final.get(sid, {}).items()})


def blackboard_zip(final) -> bytes:
    members = {}
    for sid, name, _, _, _, user in PEOPLE:
        if sid not in final:
            continue
        if sid == "s2":  # first attempt on time with nothing done, second attempt late
            members.update(blackboard_members("W2D1 Homework", user, name, datetime(2026, 11, 27, 9, 0),
                                              {f"{T1}.ipynb": b'{"cells": []}'}))
        when = datetime(2026, 11, 29, 8, 0) if sid == "s2" else datetime(2026, 11, 28, 11, 0)
        members.update(blackboard_members("W2D1 Homework", user, name, when,
                                          {f"{nb}.ipynb": data for nb, data in final[sid].items()}))
    return zip_bytes(members)


def coursekit(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSEKIT_CELL_SECONDS": "10", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "coursekit", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return proc


COLUMNS = {"canvas": 3, "moodle": 4, "blackboard": 5}  # each LMS's id in PEOPLE: one roster per LMS


def collect(tmp: Path, lms: str, data: bytes) -> Path:
    (tmp / f"{lms}.zip").write_bytes(data)
    coursekit("collect", tmp / f"{lms}.zip", "--dest", tmp / lms, "--roster", tmp / f"roster_{lms}.csv")
    return tmp / lms


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob("*/W2D1/*.ipynb"))}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(tmp folder, the notebooks each student sent last): the Blackboard download collected and graded once."""
    tmp = tmp_path_factory.mktemp("roundtrip")
    for lms, column in COLUMNS.items():
        (tmp / f"roster_{lms}.csv").write_text(roster(column), encoding="utf-8")
    final = notebooks()
    submitted = collect(tmp, "blackboard", blackboard_zip(final))
    coursekit("grade", submitted, "--out", tmp / "out", "--jobs", "2", "--roster", tmp / "roster_blackboard.csv")
    return tmp, final


def read(path: Path) -> list[dict]:
    return list(csv.DictReader(open(path, newline="", encoding="utf-8")))


@pytest.mark.parametrize("lms, build", [("canvas", canvas_zip), ("moodle", moodle_zip)])
def test_every_lms_download_of_the_class_collects_to_the_same_notebooks(graded, lms, build):
    tmp, final = graded
    expected = {f"{sid}/W2D1/{nb}.ipynb": data for sid, nbs in final.items() for nb, data in nbs.items()}
    assert tree(tmp / "blackboard") == expected
    assert tree(collect(tmp, lms, build(final))) == expected
    report = read(tmp / lms / "collect_report.csv")
    assert len(report) == len(zipfile_names(tmp / f"{lms}.zip"))


def zipfile_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def test_the_summary_lists_every_rostered_student_with_names_times_and_missing_ones_at_zero(graded):
    tmp, _ = graded
    summary = {r["student_id"]: r for r in read(tmp / "out" / "autograded" / "summary.csv")}
    assert list(summary) == ["s1", "s2", "s3", "s4"]
    assert summary["s4"]["status"] == "missing" and float(summary["s4"]["score"]) == 0
    assert summary["s3"]["name"] == "José Müller" and summary["s1"]["name"] == "Jane Doe"
    assert summary["s2"]["submitted_at"] == "2026-11-29 08:00:00.000000 UTC"
    assert float(summary["s1"]["score"]) == sum(ex.max_points for ex in COURSE.exercises)
    assert "José Müller" in (tmp / "out" / "autograded" / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["canvas", "moodle", "csv"])
def test_each_export_parses_back_to_the_graded_totals(graded, kind):
    tmp, _ = graded
    out = tmp / "out"
    lms = kind if kind in COLUMNS else "blackboard"
    coursekit("export", kind, "--out", out, "--roster", tmp / f"roster_{lms}.csv")
    text = (out / "autograded" / f"{kind}_grades.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    grades = read(out / "autograded" / "grades.csv")
    expected = {p[0]: sum(float(g["public_score"]) + float(g["hidden_score"]) for g in grades
                          if g["student_id"] == p[0]) for p in PEOPLE}
    if kind == "canvas":
        column = COURSE.canvas_column or COURSE.assignment
        got = {r["SIS User ID"]: float(r[column]) for r in rows if r["Student"] != "Points Possible"}
        assert {r["ID"] for r in rows[1:]} == {"101", "102", "103", "104"}  # Canvas matches students by ID
    elif kind == "moodle":
        emails = {p[2]: p[0] for p in PEOPLE}
        column = COURSE.moodle_column or f"Assignment: {COURSE.assignment} (Real)"
        got = {emails[r["Email address"]]: float(r[column]) for r in rows}
    else:
        got = {r["student_id"]: float(r["total"]) for r in rows}
        assert next(r for r in rows if r["student_id"] == "s4")["status"] == "missing"
    assert got == expected and got["s4"] == 0
