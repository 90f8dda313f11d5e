"""A small graded class built from rows and checks (no grading run), with real submitted notebooks for the code.

    rows, submissions, problems = sample_class(tmp_path)
    report.write_all(rows, "landlock7,netns", tmp_path / "out", submissions=submissions, cell_problems=problems)

Students: PERFECT passes everything; PUBLIC_ONLY passes the public tests but
fails hidden conv2d checks (a wrong bank answer in its notebook) and has an
added cell that raised; TROUBLED (spaces, accents, CJK and HTML characters in
its name) has no Tutorial 3, a timed-out conv2d check and a tampered test cell.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from course_config import COURSE
from coursekit.results import CellProblem, Check, Row

PERFECT, PUBLIC_ONLY, TROUBLED = "alice", "bob", "Zoë Ünal 山田 <b>&"
HIDDEN_CHECKS = 3
CONV2D_MESSAGES = ("for stride 2: the output has the wrong shape; check how the stride is applied",
                   "for padding (1, 2): values differ; is the padding applied to both sides?")


def check(sid: str, gid: str, name: str, passed: bool, top: float, public: bool = False, status: str = "",
          message: str = "") -> Check:
    return Check(sid, gid, name, passed, status or ("ok" if passed else "failed"), message,
                 top if passed else 0.0, top, public)


def exercise_row(sid: str, gid: str, failed: dict[int, tuple[str, str]] = None, public_passed: bool = True,
                 status: str = "") -> Row:
    """One row whose hidden checks k in `failed` ({k: (status, message)}) failed; others passed."""
    ex = COURSE.exercise(gid)
    failed = failed or {}
    checks = [check(sid, gid, f"The public test in your notebook ({ex.test_cell})", public_passed,
                    ex.public_points, public=True, message="" if public_passed else "public test failed: line 3")]
    for k in range(HIDDEN_CHECKS):
        st, msg = failed.get(k, ("ok", ""))
        checks.append(check(sid, gid, f"{gid} behaves as documented on case family {k + 1}", k not in failed,
                            round(ex.hidden_points / HIDDEN_CHECKS, 4), status=st, message=msg))
    hidden = ex.hidden_points * (HIDDEN_CHECKS - len(failed)) / HIDDEN_CHECKS
    statuses = [c.status for c in checks if not c.passed]
    worst_status = status or (sorted(statuses, key=["tampered", "crashed", "timeout", "error", "failed"].index)[0]
                              if statuses else "ok")
    return Row(sid, ex.notebook, gid, ex.public_points if public_passed else 0.0, ex.public_points,
               round(hidden, 4), ex.hidden_points, worst_status,
               " | ".join(c.message for c in checks if c.message), checks=checks)


def missing_row(sid: str, gid: str) -> Row:
    ex = COURSE.exercise(gid)
    return Row(sid, ex.notebook, gid, 0.0, ex.public_points, 0.0, ex.hidden_points, "missing",
               f"{ex.notebook}.ipynb was not submitted")


def _rows() -> list[Row]:
    rows = [exercise_row(PERFECT, ex.grade_id) for ex in COURSE.exercises]
    for ex in COURSE.exercises:
        failed = ({0: ("failed", "\n".join(CONV2D_MESSAGES)), 2: ("failed", CONV2D_MESSAGES[1])}
                  if ex.grade_id == "conv2d" else {})
        rows.append(exercise_row(PUBLIC_ONLY, ex.grade_id, failed))
    for ex in COURSE.exercises:
        if ex.notebook == COURSE.tutorials[-1]:
            rows.append(missing_row(TROUBLED, ex.grade_id))
        elif ex.grade_id == "conv2d":
            rows.append(exercise_row(TROUBLED, ex.grade_id, {1: ("timeout", "conv2d took longer than 20 s")}))
        elif ex.grade_id == "deepnet_relu":
            rows.append(exercise_row(TROUBLED, ex.grade_id, public_passed=False, status="tampered"))
        else:
            rows.append(exercise_row(TROUBLED, ex.grade_id, {0: ("error", "train raised ValueError: bad shape")}))
    return rows


def _submit(root: Path, sid: str, answers: dict[str, dict[str, str]], added: dict[str, str]) -> dict[str, Path]:
    from coursekit.authoring import simulate

    folder = root / sid / COURSE.assignment
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for nb_name, nb_answers in answers.items():
        nb = simulate.fill(nb_name, nb_answers)
        if nb_name in added:
            nb.cells.append(nbformat.v4.new_code_cell(added[nb_name]))
        paths[nb_name] = folder / f"{nb_name}.ipynb"
        paths[nb_name].write_text(nbformat.writes(nb), encoding="utf-8")
    return paths


def sample_class(root: Path) -> tuple[list[Row], dict[str, dict[str, Path]], list[CellProblem]]:
    """(rows with checks, student_id -> notebook -> submitted file, cells that raised)."""
    from coursekit.authoring import simulate

    reference = {nb: simulate.reference_answers(nb) for nb in COURSE.tutorials}
    wrong = (COURSE.banks_dir / "conv2d" / "wrong_stride_ignored.py").read_text(encoding="utf-8")
    t2 = COURSE.tutorials[1]
    submissions = {
        PERFECT: _submit(root, PERFECT, reference, {}),
        PUBLIC_ONLY: _submit(root, PUBLIC_ONLY, {**reference, t2: {**reference[t2], "conv2d": wrong}},
                             {t2: "x = undefined_helper()  # added by the student\n"}),
        TROUBLED: _submit(root, TROUBLED, {nb: reference[nb] for nb in COURSE.tutorials[:-1]}, {}),
    }
    problems = [CellProblem(PUBLIC_ONLY, t2, 14, "x = undefined_helper()  # added by the student", "NameError",
                            "name 'undefined_helper' is not defined")]
    return _rows(), submissions, problems


def write_sample(root: Path, flags: str = "landlock7,tcp,netns,rlimits") -> tuple[Path, list[Row], dict]:
    """The sample class graded into root/out (with a timing.js); returns (out, rows, submissions)."""
    from coursekit.grading import report

    rows, submissions, problems = sample_class(root / "submitted")
    out = root / "out"
    report.write_all(rows, flags, out, submissions=submissions, cell_problems=problems,
                     seconds={sid: 2.4 for sid in submissions})
    report.write_timing({"public_seconds": 12.5, "hidden_seconds": 30.25, "notebooks": 8}, out / "autograded")
    return out, rows, submissions
