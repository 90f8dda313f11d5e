"""The mutant bank: known-wrong and alternative-correct implementations of each exercise, and their verdicts.

A bank entry is tests/banks/<grade_id>/{wrong,correct}_<slug>.py holding the
full source of a replacement solution cell.  It is graded as a submission made
of the reference notebook with that one cell replaced: a wrong entry must lose
hidden points on its own exercise and on no other, a correct entry must get
full marks everywhere.  A wrong entry states its misconception on its second
line (`# misconception <slug>: <sentence>`, read by grading.diagnosis) and must
be diagnosed as that misconception when graded; a correct entry never gets a
diagnosis.  Two slugs that behave alike on every probe show up here as a wrong
entry that gets no diagnosis.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from course_config import COURSE
from coursekit.grading import hidden
from coursekit.grading.diagnosis import misconception_of
from coursekit.results import Diagnosis, Outcome
from coursekit import notebook as nbk
from coursekit.isolation.probe import InProcess
from coursekit.grading.submission import source_notebook, student_cells


@dataclass(frozen=True)
class Entry:
    grade_id: str
    kind: str  # "wrong" or "correct"
    path: Path

    @property
    def name(self) -> str:
        return f"{self.grade_id}/{self.path.stem}"

    @property
    def description(self) -> str:
        first = self.path.read_text().splitlines()[:1]
        return first[0].lstrip("# ").strip() if first else self.path.stem

    @property
    def misconception(self) -> Diagnosis | None:
        return misconception_of(self.path.read_text(encoding="utf-8"))


def entries(grade_ids: list[str] | None = None, banks_dir: Path = COURSE.banks_dir) -> list[Entry]:
    out = []
    for ex in COURSE.exercises:
        if grade_ids and ex.grade_id not in grade_ids:
            continue
        for path in sorted((banks_dir / ex.grade_id).glob("*.py")):
            kind = path.stem.split("_", 1)[0]
            if kind not in ("wrong", "correct"):
                raise nbk.NotebookError(f"{path}: bank files are named wrong_<slug>.py or correct_<slug>.py")
            out.append(Entry(ex.grade_id, kind, path))
    return out


def mutant_notebook(entry: Entry):
    """The reference notebook with the entry's exercise cell replaced by the entry's source."""
    notebook = COURSE.exercise(entry.grade_id).notebook
    nb = copy.deepcopy(source_notebook(notebook))
    index, _ = nbk.cells_by_grade_id(nb, notebook)[entry.grade_id]
    nb.cells[index].source = entry.path.read_text()
    return nb


def reference_submission(notebook: str):
    """The reference notebook as a submission: solution markers stripped."""
    nb = copy.deepcopy(source_notebook(notebook))
    for cell in nb.cells:
        if nbk.is_solution(cell):
            cell.source = nbk.strip_markers(cell.source)
    return nb


def verdict(entry: Entry, outcomes: dict[tuple[str, str], Outcome]) -> tuple[bool, str]:
    """Whether the suites judged the entry right, and why not."""
    own = outcomes.get((entry.name, entry.grade_id))
    if own is None:
        return False, "no hidden test ran for its exercise"
    others = [(gid, o) for (sid, gid), o in outcomes.items() if sid == entry.name and gid != entry.grade_id]
    hurt = [gid for gid, o in others if o.hidden_score < o.hidden_max]
    if hurt:
        return False, f"also lost points on {', '.join(sorted(hurt))}"
    if entry.kind == "wrong" and own.hidden_score >= own.hidden_max:
        return False, "got full marks but is wrong"
    if entry.kind == "correct" and own.hidden_score < own.hidden_max:
        return False, f"lost points but is correct: {' | '.join(own.messages)[:300]}"
    return _diagnosis_verdict(entry, own)


def _diagnosis_verdict(entry: Entry, own: Outcome) -> tuple[bool, str]:
    """A wrong entry is diagnosed as its own misconception; a correct one is never diagnosed."""
    score = f"{own.hidden_score:g}/{own.hidden_max:g}"
    got = own.diagnosis.slug if own.diagnosis else None
    if entry.kind == "correct":
        return (True, score) if got is None else (False, f"full marks, yet diagnosed as {got}")
    stated = entry.misconception
    if stated is None:
        return False, "states no misconception: add `# misconception <slug>: <sentence>` as its second line"
    if got != stated.slug:
        return False, (f"diagnosed as {got or 'nothing'}, not as its own misconception {stated.slug} (another "
                       "slug behaves the same on every probe, or the entry answers differently each time)")
    return True, f"{score}, diagnosed as {got}"


def in_process_handles(selected: list[Entry]):
    """Handle factory for trusted bank code: bank files are ours, so they may run in this process."""
    by_name = {e.name: e for e in selected}

    def open_handle(student_id: str, notebook: str):
        entry = by_name[student_id]
        own = COURSE.exercise(entry.grade_id).notebook
        nb = mutant_notebook(entry) if own == notebook else reference_submission(notebook)
        return InProcess(student_cells(notebook, nb, release_nb=source_notebook(notebook)))

    return open_handle


def judge(selected: list[Entry], open_handle=None) -> list[tuple[Entry, bool, str]]:
    """Grade every entry (the hidden suites of its own notebook only) and return verdicts."""
    if not selected:
        return []
    notebooks = {COURSE.exercise(e.grade_id).notebook for e in selected}
    only = {ex.grade_id for ex in COURSE.exercises if ex.notebook in notebooks}
    results = hidden.run([e.name for e in selected], open_handle or in_process_handles(selected), only=only)
    outcomes = hidden.summarise(results)
    return [(e, *verdict(e, outcomes)) for e in selected]


def main(*, grade_ids: list[str] | None = None) -> int:
    """`coursekit banks`: judge every bank entry of the given exercises (default: all) and print a verdict."""
    rows = judge(entries(grade_ids or None))
    for entry, ok, why in rows:
        print(f"{'ok ' if ok else 'BAD'} {entry.kind:7s} {entry.name:45s} {why}")
    bad = sum(not ok for _, ok, _ in rows)
    print(f"{len(rows) - bad}/{len(rows)} bank entries judged right")
    return 1 if bad else 0
