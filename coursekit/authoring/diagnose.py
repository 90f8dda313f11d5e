"""`coursekit diagnose`: how well diagnosis names mistakes it has not seen, and that it never names one wrongly.

Decisions:
- Measured on new mistakes, not the bank: tests/diagnosis/<grade_id>/<slug>__<variant>.py are second wrong
  implementations, each another person's way of making a bank misconception (loops where the bank
  vectorises, numpy where it uses torch, other names), graded like bank entries (in this process; they are
  ours) with diagnosis on.  One counts as diagnosed correctly when it loses points and is diagnosed as its
  file's slug, wrongly when it gets another slug.
- Files named unknown__<variant>.py make a mistake no bank entry makes: the right answer is no diagnosis.
- False diagnoses are counted on every correct bank entry and on the reference notebooks (every exercise
  of each): there must be none.
- Exit 1 on any wrong or false diagnosis; a mistake not diagnosed is a miss, reported in the rate, not a failure.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course_config import COURSE, ROOT
from coursekit.authoring import banks
from coursekit.grading import hidden
from coursekit.grading.submission import source_notebook, student_cells
from coursekit.isolation.probe import InProcess

SECOND = ROOT / "tests" / "diagnosis"
UNKNOWN = "unknown"  # the slug of a file whose mistake no bank entry makes


@dataclass(frozen=True)
class Case:
    """One implementation graded for the measurement, and the diagnosis it should get (None: none)."""

    name: str
    grade_id: str
    kind: str  # "second", "unknown", "correct" (a correct bank entry) or "reference"
    expected: str | None
    entry: banks.Entry | None  # None for a reference notebook


def cases(grade_ids: list[str] | None = None, folder: Path = SECOND) -> list[Case]:
    """Second implementations, correct bank entries and one reference per notebook, for the exercises given."""
    chosen = [ex for ex in COURSE.exercises if not grade_ids or ex.grade_id in grade_ids]
    out = []
    for ex in chosen:
        for path in sorted((folder / ex.grade_id).glob("*.py")):
            slug = path.stem.split("__")[0]
            kind = UNKNOWN if slug == UNKNOWN else "second"
            entry = banks.Entry(ex.grade_id, "wrong", path)
            out.append(Case(entry.name, ex.grade_id, kind, None if kind == UNKNOWN else slug, entry))
        out += [Case(e.name, e.grade_id, "correct", None, e) for e in banks.entries([ex.grade_id])
                if e.kind == "correct"]
    for notebook in dict.fromkeys(ex.notebook for ex in chosen):
        out.append(Case(f"reference/{notebook}", "", "reference", None, None))
    return out


def _open_handle(selected: list[Case]):
    entries = banks.in_process_handles([c.entry for c in selected if c.entry is not None])

    def open_handle(student_id: str, notebook: str):
        if student_id.startswith("reference/"):
            nb = banks.reference_submission(notebook)
            return InProcess(student_cells(notebook, nb, release_nb=source_notebook(notebook)))
        return entries(student_id, notebook)

    return open_handle


def measure(selected: list[Case]) -> dict[str, tuple[str | None, bool]]:
    """name -> (the slug it was diagnosed as on its own exercise, or any exercise for a reference or correct
    entry; whether it lost points on its own exercise)."""
    only = {c.grade_id for c in selected if c.grade_id}
    notebooks = {COURSE.exercise(g).notebook for g in only}
    only |= {ex.grade_id for ex in COURSE.exercises if ex.notebook in notebooks}
    results = hidden.run([c.name for c in selected], _open_handle(selected), only=only)
    outcomes = hidden.summarise(results)
    out = {}
    for c in selected:
        mine = {gid: o for (sid, gid), o in outcomes.items() if sid == c.name}
        own = [mine[c.grade_id]] if c.kind in ("second", UNKNOWN) and c.grade_id in mine else list(mine.values())
        slugs = sorted({o.diagnosis.slug for o in own if o.diagnosis is not None})
        lost = any(o.hidden_score < o.hidden_max for o in own)
        out[c.name] = (", ".join(slugs) or None, lost)
    return out


def report(selected: list[Case], got: dict[str, tuple[str | None, bool]]) -> tuple[list[str], int]:
    """The lines to print and the number of wrong or false diagnoses."""
    lines, counts = [], {"ok": 0, "wrong": 0, "missed": 0, "false": 0, "unknown_ok": 0}
    for c in selected:
        slug, lost = got[c.name]
        if c.kind == "second":
            mark = "ok" if slug == c.expected else "wrong" if slug else "missed"
            counts[mark] += 1
            note = "" if lost else " (full marks: not a mistake the checks see)"
            lines.append(f"{mark:7s} {c.name:62s} -> {slug or '(none)'}{note}")
        elif slug is None:
            counts["unknown_ok"] += c.kind == UNKNOWN
        else:
            counts["false"] += 1
            lines.append(f"FALSE   {c.name:62s} -> {slug} ({c.kind} implementation)")
    second = [c for c in selected if c.kind == "second"]
    unknown = [c for c in selected if c.kind == UNKNOWN]
    clean = [c for c in selected if c.kind in ("correct", "reference")]
    rate = 100 * counts["ok"] / len(second) if second else 0.0
    lines += [f"second implementations of {len({c.expected for c in second})} misconceptions: "
              f"{counts['ok']}/{len(second)} diagnosed correctly ({rate:.0f}%), {counts['wrong']} wrongly diagnosed, "
              f"{counts['missed']} not diagnosed",
              f"mistakes no bank entry makes: {counts['unknown_ok']}/{len(unknown)} got no diagnosis",
              f"false diagnoses on {len(clean)} correct bank entries and reference notebooks: {counts['false']}"]
    bad = counts["wrong"] + counts["false"] + (len(unknown) - counts["unknown_ok"])
    return lines, bad


def main(*, grade_ids: list[str] | None = None) -> int:
    """`coursekit diagnose`: measure diagnosis on tests/diagnosis/ and print the rate and the false diagnoses."""
    selected = cases(grade_ids or None)
    lines, bad = report(selected, measure(selected))
    print("\n".join(lines))
    return 1 if bad else 0
