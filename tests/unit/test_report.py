"""Grading outputs: the contract columns, atomic idempotent writes, and no hidden detail in feedback."""
import csv
import json

import pytest

from course_config import COURSE
from coursekit.grading import merge, report
from coursekit.files import atomic_write
from coursekit.results import GRADE_COLUMNS, Row


def _rows():
    rows = []
    for sid, good in (("alice", True), ("bob", False)):
        for ex in COURSE.exercises:
            rows.append(Row(sid, ex.notebook, ex.grade_id, ex.public_points if good else 0, ex.public_points,
                            ex.hidden_points if good else 0.5, ex.hidden_points, "ok" if good else "failed",
                            "" if good else "dW has the wrong shape: did you transpose it?"))
    rows[-1].status = "timeout"
    return rows


@pytest.fixture
def written(tmp_path):
    report.write_all(_rows(), "landlock7+netns", tmp_path)
    return tmp_path


def test_grades_csv_has_the_contract_columns_and_one_row_per_student_and_exercise(written):
    with open(written / "autograded" / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(GRADE_COLUMNS)
    assert len(rows) == 2 * len(COURSE.exercises)
    assert {r["status"] for r in rows} <= {"ok", "failed", "error", "timeout", "crashed", "missing", "tampered"}


def test_summary_adds_scores_and_reports_the_worst_status_and_sandbox_flags(written):
    with open(written / "autograded" / "summary.csv", newline="") as fh:
        summary = {r["student_id"]: r for r in csv.DictReader(fh)}
    top = sum(ex.max_points for ex in COURSE.exercises)
    assert float(summary["alice"]["score"]) == top and float(summary["alice"]["max_score"]) == top
    assert summary["alice"]["status"] == "ok" and summary["bob"]["status"] == "timeout"
    assert "landlock7" in summary["bob"]["flags"]


def test_gradescope_results_total_matches_the_summary(written):
    results = json.loads((written / "autograded" / "bob" / "W2D1" / "results.json").read_text())
    assert results["score"] == pytest.approx(0.5 * len(COURSE.exercises))
    assert all({"name", "score", "max_score", "output"} <= set(t) for t in results["tests"])


def test_feedback_shows_the_message_for_each_notebook(written):
    for nb in COURSE.tutorials:
        page = (written / "feedback" / "bob" / "W2D1" / f"{nb}.html").read_text()
        assert "did you transpose it?" in page and "<table>" in page


def test_rewriting_the_same_rows_gives_the_same_bytes(written, tmp_path_factory):
    again = tmp_path_factory.mktemp("again")
    report.write_all(_rows(), "landlock7+netns", again)
    for name in ("grades.csv", "summary.csv", "report.html", "scores.png", "exercises.png"):
        assert (written / "autograded" / name).read_bytes() == (again / "autograded" / name).read_bytes(), name


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    atomic_write(tmp_path / "x.csv", "a\n")
    atomic_write(tmp_path / "x.csv", "b\n")
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]
    assert (tmp_path / "x.csv").read_text() == "b\n"


def test_merge_combines_shards_into_one_set(tmp_path):
    rows = _rows()
    half = len(COURSE.exercises)
    report.write_all(rows[:half], "landlock7", tmp_path / "s1")
    report.write_all(rows[half:], "landlock7", tmp_path / "s2")
    assert merge.main(dirs=[tmp_path / "s1", tmp_path / "s2"], out=tmp_path / "all") == 0
    merged = report.read_rows(tmp_path / "all" / "autograded")
    assert len(merged) == len(rows) and {r.student_id for r in merged} == {"alice", "bob"}


def test_merge_names_the_folder_without_outputs(tmp_path, capsys):
    assert merge.main(dirs=[tmp_path / "nowhere"], out=tmp_path / "all") == 2
    assert "nowhere" in capsys.readouterr().err
