"""Roster, late policy, written-answer scores and the gradebook exports, on rows built in code (no grading run).

The exports are parsed back as the LMS would read them and checked against
the grades: autograded + written - late penalty, 0 for a rostered student
who sent nothing, every rostered student present.
"""
import csv
import io
import shutil
from dataclasses import replace
from datetime import datetime, timezone

import nbformat
import pytest

from course_config import COURSE, LatePolicy
from coursekit.grading import export, late, manual, report, totals
from coursekit.grading.roster import RosterError, load, with_roster
from coursekit.results import Found, Row

ROSTER = """student_id,name,email,lms_id,section
s1,"Doe, Jane",jane.doe@example.edu,101,A
s2,"Smith, Jane",jane.smith@example.edu,102,A
s3,"Müller, José",jose@example.edu,103,B
"""


def roster_file(tmp_path, text=ROSTER, name="roster.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_roster_saved_by_a_spreadsheet_with_a_byte_order_mark_and_fewer_columns_loads(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffstudent_id,name\ns1,Jane Doe\n\n".encode())
    r = load(path)
    assert r.ids() == ["s1"] and r.get("s1").name == "Jane Doe" and r.get("s1").lms_id == ""


@pytest.mark.parametrize("text, words", [
    ("student_id,lms_id\ns1,101\ns2,101\n", ["lms_id '101'", "'s1'", "'s2'"]),
    ("student_id,name\ns1,A\ns1,B\n", ["student_id 's1'", "A", "B"]),
    ("name,email\nA,a@x\n", ["student_id"]),
    ("student_id,name\n,Nobody\n", ["line 2", "student_id is empty"]),
])
def test_a_roster_that_would_let_students_share_an_id_is_refused_naming_both(tmp_path, text, words):
    with pytest.raises(RosterError) as err:
        load(roster_file(tmp_path, text))
    assert all(w in str(err.value) for w in words) and "roster.csv" in str(err.value)


def test_an_lms_id_is_matched_whole_never_by_a_prefix(tmp_path):
    r = load(roster_file(tmp_path, "student_id,email,lms_id\njane,jane@x.edu,\njanet,janet@x.edu,7\n"))
    assert r.find("7").student_id == "janet" and r.find("jane").student_id == "jane"
    assert r.find("jan") is None and r.find("janet@x.edu").student_id == "janet"


def test_grade_lists_every_rostered_student_and_flags_submitters_not_on_it(tmp_path):
    r = load(roster_file(tmp_path))
    found = [Found("s1", {}, {}), Found("zed", {}, {})]
    everyone = with_roster(found, r)
    assert [f.student_id for f in everyone] == ["s1", "s2", "s3", "zed"]
    absent = everyone[1]
    assert set(absent.problems) == set(COURSE.tutorials) and {s for s, _ in absent.problems.values()} == {"missing"}
    assert everyone[3].flags == ["not_on_roster"] and everyone[0].flags == []


@pytest.mark.parametrize("text, expected", [
    ("2026-01-10 12:00:00.000000 UTC", datetime(2026, 1, 10, 12, tzinfo=timezone.utc)),
    ("2026-01-10 13:00:00 Europe/Paris", datetime(2026, 1, 10, 12, tzinfo=timezone.utc)),
    ("2026-01-10T14:00:00+02:00", datetime(2026, 1, 10, 12, tzinfo=timezone.utc)),
    ("2026-01-10 12:00", datetime(2026, 1, 10, 12, tzinfo=timezone.utc)),
])
def test_times_are_read_as_nbgrader_writes_them_and_in_iso_8601(text, expected):
    assert late.parse_time(text) == expected


def test_late_penalties_follow_nbgrader_per_notebook_and_never_exceed_the_score():
    due = "2026-01-10 12:00:00 UTC"
    two_hours = late.parse_time("2026-01-10 14:00:00 UTC")
    seconds = late.seconds_late(two_hours, LatePolicy(due=due))
    assert seconds == 7200 and late.seconds_late(two_hours, LatePolicy()) == 0
    assert late.penalty(LatePolicy(due=due, method="none"), seconds, 10) == 0
    assert late.penalty(LatePolicy(due=due, method="zero"), seconds, 10) == 10
    assert late.penalty(LatePolicy(due=due, method="per_hour", points_per_hour=1.5), seconds, 10) == 3
    assert late.penalty(LatePolicy(due=due, method="per_hour", points_per_hour=8), seconds, 10) == 10
    assert late.penalty(LatePolicy(due=due, method="zero"), 0, 10) == 0


def rows_for(sid: str, fraction: float) -> list[Row]:
    return [Row(sid, ex.notebook, ex.grade_id, ex.public_points, ex.public_points, ex.hidden_points * fraction,
                ex.hidden_points, "ok" if fraction == 1 else "failed", "") for ex in COURSE.exercises]


COURSE_MAX = sum(ex.max_points for ex in COURSE.exercises) + sum(q.points for q in COURSE.questions)
COURSE_LATE = replace(COURSE, late=LatePolicy(due="2026-11-28 12:00:00 UTC", method="per_hour", points_per_hour=1))


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """An output folder as `grade` leaves it: s1 perfect, s2 half the hidden points and 3 h late, zed not rostered."""
    tmp_path = tmp_path_factory.mktemp("graded")
    people = load(roster_file(tmp_path))
    rows = rows_for("s1", 1) + rows_for("s2", 0.5) + rows_for("zed", 1)
    stamps = {"s2": late.parse_time("2026-11-28 15:00:00 UTC")}
    extra = totals.extras(rows, roster=people, stamps=stamps, course=COURSE_LATE)
    report.write_class(rows, "landlock7", tmp_path / "out" / "autograded", extra)
    return tmp_path / "out", rows, people


@pytest.fixture
def graded_out(graded_class, tmp_path):
    """A copy of the graded class's output folder, for a test to change."""
    out, rows, people = graded_class
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "out", rows, people


def parse(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_summary_keeps_the_contract_columns_first_and_adds_names_late_work_and_totals(graded_out):
    out, _, _ = graded_out
    header = (out / "autograded" / "summary.csv").read_text().splitlines()[0].split(",")
    assert header[:5] == ["student_id", "score", "max_score", "status", "flags"]
    assert header[5:] == list(totals.EXTRA_COLUMNS)
    s2 = next(r for r in csv.DictReader(open(out / "autograded" / "summary.csv")) if r["student_id"] == "s2")
    assert s2["name"] == "Smith, Jane" and float(s2["hours_late"]) == 3
    assert float(s2["late_penalty"]) == 3 * len(COURSE.tutorials)  # 1 point per hour, per notebook
    assert "Smith, Jane" in (out / "autograded" / "report.html").read_text()


def test_canvas_export_parses_back_to_each_students_total_by_canvas_id(graded_out, monkeypatch):
    out, rows, people = graded_out
    monkeypatch.setattr(export, "COURSE", COURSE_LATE)
    records, _ = export.students(out, people, COURSE_LATE)
    got = parse(export.canvas(records, replace(COURSE_LATE, canvas_column="W2D1 (4242)")))
    assert list(got[0])[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert list(got[0])[5] == "W2D1 (4242)" and got[0]["Student"] == "Points Possible"
    by_id = {r["ID"] or r["SIS User ID"]: r for r in got[1:]}
    auto = {sid: sum(r.score for r in rows if r.student_id == sid) for sid in ("s1", "s2", "zed")}
    assert float(by_id["101"]["W2D1 (4242)"]) == auto["s1"]
    assert float(by_id["102"]["W2D1 (4242)"]) == auto["s2"] - 3 * len(COURSE.tutorials)
    assert by_id["103"]["W2D1 (4242)"] == "0" and by_id["103"]["SIS User ID"] == "s3"
    assert float(by_id["zed"]["W2D1 (4242)"]) == auto["zed"]


def test_moodle_and_plain_exports_name_every_rostered_student_with_status_missing_when_nothing_came(graded_out):
    out, _, people = graded_out
    records, rows = export.students(out, people)
    moodle = {r["Email address"]: r for r in parse(export.moodle(records))}
    assert set(moodle) == {"jane.doe@example.edu", "jane.smith@example.edu", "jose@example.edu", ""}
    assert moodle["jose@example.edu"][export.moodle_column()] == "0"
    plain = {r["student_id"]: r for r in parse(export.plain(records, rows))}
    assert plain["s3"]["status"] == "missing" and plain["s3"]["total"] == "0"
    assert plain["s3"]["total_max"] == plain["s1"]["total_max"] == f"{COURSE_MAX:g}"
    assert plain["s1"]["conv2d"] == "8"


def think_notebook(answer: str):
    cell = nbformat.v4.new_markdown_cell(f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION",
                                         metadata={"nbgrader": {"grade_id": "think_1_answer", "solution": True,
                                                                "grade": True, "points": 1, "locked": False,
                                                                "schema_version": 3}})
    return nbformat.v4.new_notebook(cells=[cell])


def test_written_answers_go_out_to_score_and_come_back_and_a_reexport_keeps_every_score(tmp_path, graded_out):
    out, _, people = graded_out
    nb_path = tmp_path / "s1.ipynb"
    nbformat.write(think_notebook("Fewer parameters, shared weights."), nb_path)
    dest = manual.path(out)
    manual.write_template(dest, manual.template({"s1": {"W2D1_Tutorial2": nb_path}}, {}, {}))
    recs = list(csv.DictReader(open(dest, encoding="utf-8")))
    mine = next(r for r in recs if r["notebook"] == "W2D1_Tutorial2" and r["question"] == "think_1_answer")
    assert mine["answer"] == "Fewer parameters, shared weights." and mine["score"] == ""
    mine["score"], mine["comment"] = "1", "good"
    manual.write_template(dest, recs)
    nbformat.write(think_notebook("Changed my mind."), nb_path)
    manual.write_template(dest, manual.template({"s1": {"W2D1_Tutorial2": nb_path}}, {}, manual.load(dest)))
    kept = manual.load(dest)[("s1", "W2D1_Tutorial2", "think_1_answer")]
    assert kept.score == 1 and kept.comment == "good"
    records, _ = export.students(out, people)
    s1 = next(r for r in records if r["student_id"] == "s1")
    assert s1["manual_score"] == 1 and s1["total"] == s1["auto"] + 1


def test_a_score_outside_the_questions_points_names_the_file_and_line(tmp_path):
    path = tmp_path / "manual_scores.csv"
    path.write_text("student_id,name,notebook,question,max_points,score,comment,answer\n"
                    "s1,,W2D1_Tutorial1,think_1_answer,1,5,,\n")
    with pytest.raises(manual.ManualError, match=r"manual_scores.csv, line 2: score 5 is outside 0..1"):
        manual.load(path)
