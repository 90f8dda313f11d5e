"""Written answers scored by hand: manual_scores.csv for TAs to fill, read back into the summary, report and exports.

`coursekit export manual` writes one line per student and think question,
with the student's answer beside an empty `score`; TAs fill `score` (0 to
`max_points`) and, if they like, `comment`.  Exporting again keeps every
score and comment already given and refreshes the answers, so new
submissions can be added at any time.  `grade` and `export` only read the
file: a regrade never erases a score.  Scores given in nbgrader's formgrader
(the gradebook .grading/gradebook.db) are read too, the CSV winning where both
score the same answer.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from course_config import COURSE, ROOT
from coursekit import notebook as nbk
from coursekit.files import atomic_write

COLUMNS = ("student_id", "name", "notebook", "question", "max_points", "score", "comment", "answer")
TEXT_STUB = "YOUR ANSWER HERE"


class ManualError(ValueError):
    """manual_scores.csv cannot be read; str() names the file, the line and what to do."""


@dataclass(frozen=True)
class Score:
    student_id: str
    notebook: str
    question: str  # the answer cell's grade_id
    score: float | None  # None: not scored yet
    max_points: float
    comment: str = ""


def answers(nb, notebook: str, course=COURSE) -> dict[str, str]:
    """question grade_id -> the student's answer text (markers removed; "" when left as the release's stub)."""
    wanted = {q.grade_id for q in course.questions_in(notebook)}
    out = {}
    for cell in nb.cells:
        gid = nbk.grade_id(cell)
        if cell.cell_type == "markdown" and gid in wanted:
            text = nbk.strip_markers(cell.source).strip()
            out[gid] = "" if text == TEXT_STUB else text
    return out


def load(path: Path, course=COURSE) -> dict[tuple[str, str, str], Score]:
    """(student_id, notebook, question) -> Score, from manual_scores.csv; {} when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return {}
    points = {(q.notebook, q.grade_id): q.points for q in course.questions}
    out = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for line, rec in enumerate(csv.DictReader(fh), start=2):
            key = (rec.get("student_id", ""), rec.get("notebook", ""), rec.get("question", ""))
            if (key[1], key[2]) not in points:
                raise ManualError(f"{path}, line {line}: no written question {key[2]!r} in {key[1]!r} "
                                  "(course_config QUESTIONS); keep the columns as `export manual` wrote them")
            out[key] = Score(*key, _score(rec.get("score", ""), points[key[1:]], path, line), points[key[1:]],
                             rec.get("comment", "") or "")
    return out


def _score(text: str, top: float, path: Path, line: int) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ManualError(f"{path}, line {line}: score {text!r} is not a number; write a number from 0 to "
                          f"{top:g}, or leave it empty") from None
    if not 0 <= value <= top:
        raise ManualError(f"{path}, line {line}: score {value:g} is outside 0..{top:g} (the question's points "
                          "in course_config QUESTIONS)")
    return value


def from_gradebook(db: Path, course=COURSE) -> dict[tuple[str, str, str], Score]:
    """Scores given in nbgrader's formgrader, from its gradebook; {} when there is no gradebook."""
    if not Path(db).is_file():
        return {}
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        for student in gb.students:
            for q in course.questions:
                try:
                    g = gb.find_grade(q.grade_id, q.notebook, course.assignment, student.id)
                except MissingEntry:
                    continue
                if g.manual_score is not None:
                    out[(student.id, q.notebook, q.grade_id)] = Score(student.id, q.notebook, q.grade_id,
                                                                      float(g.manual_score), q.points)
    return out


def scores(out: Path, course=COURSE) -> dict[tuple[str, str, str], Score]:
    """Every manual score for the outputs under out: formgrader's, then manual_scores.csv's over them."""
    # formgrader grades the repo's own autograded/ in the course gradebook; other output folders have none
    formgrader = from_gradebook(course.gradebook, course) if Path(out).resolve() == ROOT else {}
    return {**formgrader, **{k: s for k, s in load(path(out), course).items() if s.score is not None}}


def path(out: Path) -> Path:
    """Where the TAs' scores live for the outputs under out (the repo root by default: never regenerated)."""
    return Path(out) / COURSE.manual_scores.name


def template(submitted: dict[str, dict[str, Path]], names: dict[str, str],
             existing: dict[tuple[str, str, str], Score], course=COURSE) -> list[dict]:
    """One record per student and question with the answer; scores and comments already given are kept."""
    records = []
    for sid, notebooks in submitted.items():
        for q in course.questions:
            text = ""
            if q.notebook in notebooks:
                try:
                    text = answers(nbk.read(notebooks[q.notebook]), q.notebook, course).get(q.grade_id, "")
                except nbk.NotebookError as exc:
                    text = f"(the notebook could not be read: {exc})"
            old = existing.get((sid, q.notebook, q.grade_id))
            records.append({"student_id": sid, "name": names.get(sid, ""), "notebook": q.notebook,
                            "question": q.grade_id, "max_points": f"{q.points:g}",
                            "score": "" if old is None or old.score is None else f"{old.score:g}",
                            "comment": old.comment if old else "", "answer": text})
    kept = {(r["student_id"], r["notebook"], r["question"]) for r in records}
    for key, old in existing.items():  # a student no longer submitted keeps their scores
        if key not in kept:
            records.append({"student_id": key[0], "name": names.get(key[0], ""), "notebook": key[1],
                            "question": key[2], "max_points": f"{old.max_points:g}",
                            "score": "" if old.score is None else f"{old.score:g}", "comment": old.comment,
                            "answer": "(no longer in the submissions)"})
    return records


def write_template(dest: Path, records: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    atomic_write(dest, buf.getvalue())


def by_notebook(all_scores: dict[tuple[str, str, str], Score]) -> dict[str, dict[str, float]]:
    """student_id -> notebook -> manual points given."""
    out: dict[str, dict[str, float]] = {}
    for (sid, nb, _), s in all_scores.items():
        if s.score is not None:
            out.setdefault(sid, {})[nb] = out.get(sid, {}).get(nb, 0.0) + s.score
    return out
