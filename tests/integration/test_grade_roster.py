"""`coursekit grade` with a roster and TAs' scores: a rostered student who sent nothing still gets rows, named.

The class is one rostered student with no folder, so the run is short (the
sandbox starts, nothing is executed).  The TAs' manual_scores.csv is read,
counted in summary.csv's totals, and left byte for byte as it was.
"""
import csv
import os
import subprocess
import sys

from course_config import COURSE, ROOT
from coursekit.grading import totals

MANUAL = ("student_id,name,notebook,question,max_points,score,comment,answer\n"
          f"s1,,{COURSE.tutorials[1]},think_1_answer,1,1,clear,\n")


def test_a_rostered_student_with_nothing_submitted_is_missing_named_and_keeps_their_written_score(tmp_path):
    (tmp_path / "submitted").mkdir()
    (tmp_path / "roster.csv").write_text('student_id,name,email,lms_id,section\ns1,"Doe, Jane",,,A\n')
    (tmp_path / "manual_scores.csv").write_text(MANUAL)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "coursekit", "grade", str(tmp_path / "submitted"), "--out",
                           str(tmp_path), "--roster", str(tmp_path / "roster.csv")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    grades = list(csv.DictReader(open(tmp_path / "autograded" / "grades.csv", encoding="utf-8")))
    assert len(grades) == len(COURSE.exercises) and {g["status"] for g in grades} == {"missing"}
    (s1,) = csv.DictReader(open(tmp_path / "autograded" / "summary.csv", encoding="utf-8"))
    assert list(s1)[5:] == list(totals.EXTRA_COLUMNS)
    assert s1["status"] == "missing" and s1["name"] == "Doe, Jane" and s1["section"] == "A"
    assert float(s1["score"]) == 0 and float(s1["manual_score"]) == 1 and float(s1["total"]) == 1
    assert (tmp_path / "manual_scores.csv").read_text() == MANUAL
