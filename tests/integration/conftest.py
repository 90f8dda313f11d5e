"""One real class graded once for the whole integration session: every simulate profile plus honest students
named as LMSs name folders, each notebook saved by another editor of the compatibility bank."""
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_config import ROOT
from coursekit.authoring import simulate
from tests.compat.editors import write_honest_students

CELL_SECONDS = "10"  # the hostile student's endless loop costs 10 s, not 30


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """(out folder, student_id -> profile, grades.csv rows, summary.csv rows, grader stderr) of one
    `coursekit grade --jobs 2` run, as a TA runs it, on 8 simulate profiles and 4 honest students."""
    root = tmp_path_factory.mktemp("class")
    profiles = simulate.build_class(root / "submitted", len(simulate.PROFILES))
    profiles |= write_honest_students(root / "submitted")
    env = {**os.environ, "COURSEKIT_CELL_SECONDS": CELL_SECONDS, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "coursekit", "grade", str(root / "submitted"), "--out", str(root),
                           "--jobs", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    auto = root / "autograded"
    return root, profiles, read_csv(auto / "grades.csv"), read_csv(auto / "summary.csv"), proc.stderr
