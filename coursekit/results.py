"""The result model every layer passes: statuses and their order, discovery results, per-test outcomes, rows.

Grading builds these, reports and exports read them, and the isolation layer's
errors carry a status name from STATUSES.  Nothing here imports a layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

# The contract's statuses, most severe first: a student's or an exercise's status is the worst of its parts.
SEVERITY = ("tampered", "crashed", "timeout", "missing", "error", "failed", "ok")
STATUSES = frozenset(SEVERITY)
GRADE_COLUMNS = ("student_id", "notebook", "grade_id", "public_score", "public_max", "hidden_score",
                 "hidden_max", "status", "message")
SUMMARY_COLUMNS = ("student_id", "score", "max_score", "status", "flags")


def worst(statuses) -> str:
    """The most severe of the statuses (an unknown one counts as most severe)."""
    return min(statuses, key=lambda s: SEVERITY.index(s) if s in SEVERITY else -1)


class GradingError(Exception):
    """A problem that stops one student's notebook from being graded; str() is a message the student can act on."""

    status = "error"

    def __init__(self, message: str = "", *, status: str | None = None, notebook: str | None = None):
        super().__init__(message)
        if status is not None:
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; expected one of {', '.join(SEVERITY)}")
            self.status = status
        self.notebook = notebook


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake a wrong answer behaves like (grading.diagnosis): its slug and a sentence the student reads."""

    slug: str
    sentence: str


@dataclass
class Check:
    """One named check of one exercise for one student: a hidden test, or the notebook's public test cell."""

    student_id: str
    grade_id: str
    name: str  # the behaviour it checks, as a student reads it
    passed: bool
    status: str  # one of STATUSES
    message: str = ""
    points: float = 0.0  # earned
    max_points: float = 0.0
    public: bool = False


@dataclass
class CellProblem:
    """A code cell the student wrote that raised or timed out when the grader ran it (costs no points by itself)."""

    student_id: str
    notebook: str
    cell: int  # 1-based position in the submitted notebook
    first_line: str
    exc_type: str
    message: str


@dataclass
class Row:
    """One student x exercise line of grades.csv (checks: its per-check detail, not a CSV column)."""

    student_id: str
    notebook: str
    grade_id: str
    public_score: float
    public_max: float
    hidden_score: float
    hidden_max: float
    status: str
    message: str
    checks: list[Check] = field(default_factory=list, repr=False, compare=False)
    flags: list[str] = field(default_factory=list, repr=False, compare=False)  # the student's, for summary.csv
    diagnosis: Diagnosis | None = field(default=None, repr=False, compare=False)  # only when points were lost

    @property
    def score(self) -> float:
        return self.public_score + self.hidden_score

    @property
    def max_score(self) -> float:
        return self.public_max + self.hidden_max

    @classmethod
    def from_record(cls, rec: dict) -> "Row":
        """A Row from a grades.csv record (strings), numbers parsed; extra columns ignored."""
        values = {f.name: rec[f.name] for f in fields(cls) if f.name in GRADE_COLUMNS}
        for f in fields(cls):
            if f.type in ("float", float) and f.name in values:
                values[f.name] = float(values[f.name])
        return cls(**values)


@dataclass
class Found:
    """What discovery found for one student: readable notebooks and per-notebook problems."""

    student_id: str  # the folder's name as the student or LMS wrote it: what every output shows
    notebooks: dict[str, Path]
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)  # notebook -> (status, message)
    slug: str = ""  # a safe id for internal paths and nbgrader (defaults to student_id)
    flags: list[str] = field(default_factory=list)  # e.g. "id_collision": shown in summary.csv's flags column
    notes: list[str] = field(default_factory=list)  # what the TA should know (printed by grade), e.g. the collision

    def __post_init__(self):
        self.slug = self.slug or self.student_id


@dataclass
class TestResult:
    """One hidden test's result for one student."""

    __test__ = False  # not a pytest test class

    student_id: str
    grade_id: str
    test: str
    weight: float
    public: bool
    passed: bool
    status: str  # one of STATUSES
    message: str = ""
    behaviour: str = ""  # first line of the test's docstring: what a student reads as the check's name


@dataclass
class Outcome:
    """Hidden-suite outcome of one student and exercise."""

    hidden_score: float = 0.0
    hidden_max: float = 0.0
    public_confirmed: bool = True
    status: str = "ok"
    messages: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)  # one per hidden test function, parametrized cases folded
    diagnosis: Diagnosis | None = None  # the known mistake its behaviour matches (grading.diagnosis)


@dataclass
class Graded:
    """What grading a class (or a shard of it) gives: rows, the protections that held, and where time went."""

    rows: list[Row]
    protections: dict
    timing: dict  # seconds and counts, summed over workers; written to autograded/timing.json
    cell_problems: list[CellProblem] = field(default_factory=list)
