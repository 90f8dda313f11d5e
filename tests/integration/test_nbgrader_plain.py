"""Every plain `nbgrader` command the course uses works from the root of a fresh clone, written answers included.

A fresh clone is what git would hand out: the tracked and new files, no
gradebook, no .grading/.  It is copied to a temporary folder so the repo stays
clean.  There, generate_assignment skips the committed release/ (it exists)
and nbgrader_config.py builds the gradebook the other commands need.  One student (reference answers, one written answer) goes through
generate_assignment, validate, autograde, generate_feedback and export; the
formgrader is checked through the API its pages are built from: the written
answers are there as manually graded cells with their points, and a score a TA
gives there reaches coursekit's totals.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_config import COURSE, ROOT
from coursekit.authoring import simulate
from coursekit.files import tool_env

pytestmark = pytest.mark.slow
ANSWER = "Weight sharing: one 7x7 kernel per output channel, whatever the image size."


def fresh_clone(dest: Path) -> Path:
    """The files a clone of the repo holds (tracked, plus new ones git does not ignore), copied to dest."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(src.read_bytes())
    return dest


def nbgrader(course: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=tool_env(),
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{(proc.stdout + proc.stderr)[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = fresh_clone(tmp_path_factory.mktemp("clone"))
    assert not (root / ".grading").exists()
    nbgrader(root, "generate_assignment", COURSE.assignment)
    return root


def test_generate_assignment_on_a_fresh_clone_builds_the_gradebook_and_leaves_the_committed_release(course):
    assert (course / ".grading" / "gradebook.db").is_file()
    ours = COURSE.release_dir / COURSE.assignment
    assert {p.name: p.read_bytes() for p in (course / "release" / COURSE.assignment).iterdir()} == \
        {p.name: p.read_bytes() for p in ours.iterdir()}


@pytest.fixture(scope="module")
def autograded(course):
    folder = course / "submitted" / "jane_doe" / COURSE.assignment
    folder.mkdir(parents=True)
    for name in COURSE.tutorials:
        nb = simulate.fill(name, simulate.reference_answers(name))
        for cell in nb.cells:
            if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade_id") == "think_1_answer" \
                    and name == COURSE.tutorials[1]:
                cell.source = ANSWER
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-28 12:00:00.000000 UTC\n")
    nbgrader(course, "autograde", COURSE.assignment)
    return course


def test_the_release_has_each_written_answer_as_a_manually_graded_cell_with_its_points(course):
    for name in COURSE.tutorials:
        nb = nbformat.read(course / "release" / COURSE.assignment / f"{name}.ipynb", as_version=4)
        answers = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
                   if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")}
        expected = {q.grade_id: q.points for q in COURSE.questions_in(name)}
        assert {gid: c.metadata["nbgrader"]["points"] for gid, c in answers.items()} == expected
        assert all(c.metadata["nbgrader"]["solution"] and c.source == "YOUR ANSWER HERE" for c in answers.values())


def test_validate_passes_on_the_source_notebook(course):
    out = nbgrader(course, "validate", f"source/{COURSE.assignment}/{COURSE.tutorials[1]}.ipynb")
    assert "Success!" in out.stdout + out.stderr


def test_autograde_feedback_and_export_work_and_the_export_counts_the_written_points(autograded):
    nbgrader(autograded, "generate_feedback", COURSE.assignment)
    assert (autograded / "feedback" / "jane_doe" / COURSE.assignment / f"{COURSE.tutorials[1]}.html").is_file()
    nbgrader(autograded, "export")
    row = next(csv.DictReader(open(autograded / "grades.csv")))
    public = sum(ex.public_points for ex in COURSE.exercises)
    written = sum(q.points for q in COURSE.questions)
    assert row["student_id"] == "jane_doe" and float(row["max_score"]) == public + written
    assert float(row["raw_score"]) == public  # unanswered questions score 0; the answered one awaits a TA


def formgrader_api(course: Path):
    """nbgrader's formgrader backend, configured as `jupyter server` would from the course root."""
    script = """
import json, sys
from nbgrader.apps.api import NbGraderAPI
from nbgrader.apps.baseapp import NbGrader
from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension  # the app loads
app = NbGrader()
app.load_config_file()
api = NbGraderAPI(config=app.config)
nbs = api.get_notebook_submissions("W2D1", sys.argv[1])
json.dump([{k: n[k] for k in ("student", "needs_manual_grade", "max_written_score")} for n in nbs], sys.stdout)
"""
    proc = subprocess.run([sys.executable, "-c", script, COURSE.tutorials[1]], cwd=course, env=tool_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_formgrader_lists_the_written_answer_for_a_ta_and_its_score_reaches_coursekit(autograded):
    (sub,) = formgrader_api(autograded)
    questions = COURSE.questions_in(COURSE.tutorials[1])
    assert sub["student"] == "jane_doe" and sub["needs_manual_grade"]
    assert sub["max_written_score"] == sum(q.points for q in questions)
    graded = nbformat.read(autograded / "autograded" / "jane_doe" / COURSE.assignment / f"{COURSE.tutorials[1]}.ipynb",
                           as_version=4)
    assert any(c.source == ANSWER for c in graded.cells)  # what the TA reads on the formgrade page
    script = f"""
from nbgrader.api import Gradebook
from course_config import COURSE
from coursekit.grading import manual
with Gradebook(f"sqlite:///{{COURSE.gradebook}}") as gb:
    g = gb.find_grade("think_1_answer", "{COURSE.tutorials[1]}", "W2D1", "jane_doe")
    g.manual_score = 1
    gb.db.commit()
print(manual.scores(COURSE.gradebook.parent.parent)[("jane_doe", "{COURSE.tutorials[1]}", "think_1_answer")].score)
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=autograded, env=tool_env(pythonpath=autograded),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "1.0", proc.stderr[-3000:]
