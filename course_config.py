"""The one place for course settings: paths, the exercise registry, limits and nbgrader config.

Every setting is a typed, defaulted and described field.  Code reads `COURSE`;
nbgrader reads this file through nbgrader_config.py (which only loads it), so
plain `nbgrader ...` commands from the repo root see the same configuration.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Exercise:
    """One graded exercise: a solution cell plus its public test cell and hidden suite."""

    grade_id: str
    notebook: str  # notebook stem, e.g. "W2D1_Tutorial1"
    defines: tuple[str, ...]  # names the solution cell must define
    public_points: float  # points of the `test_<grade_id>` autograder cell
    hidden_points: float  # points split over the hidden suite's tests for this exercise
    suite: str  # hidden pytest module, relative to the repo root

    @property
    def test_cell(self) -> str:
        return f"test_{self.grade_id}"

    @property
    def max_points(self) -> float:
        return self.public_points + self.hidden_points


def _t(n: int) -> str:
    return f"W2D1_Tutorial{n}"


EXERCISES: tuple[Exercise, ...] = (
    Exercise("deepnet_relu", _t(1), ("DeepNetReLU",), 1, 2, "tests/hidden/test_t1_network.py"),
    Exercise("train", _t(1), ("train",), 1, 2, "tests/hidden/test_t1_network.py"),
    Exercise("linear_layer", _t(1), ("linear_forward", "linear_backward"), 1, 3, "tests/hidden/test_t1_backprop.py"),
    Exercise("relu_layer", _t(1), ("relu_forward", "relu_backward"), 1, 2, "tests/hidden/test_t1_backprop.py"),
    Exercise("mse_loss", _t(1), ("mse_loss",), 1, 2, "tests/hidden/test_t1_backprop.py"),
    Exercise("deepnet_gradients", _t(1), ("deepnet_gradients",), 1, 3, "tests/hidden/test_t1_backprop.py"),
    Exercise("conv2d", _t(2), ("conv2d",), 2, 6, "tests/hidden/test_t2_conv.py"),
    Exercise("conv_layer", _t(2), ("ConvolutionalLayer",), 1, 3, "tests/hidden/test_t2_conv.py"),
    Exercise("rdm", _t(3), ("RDM",), 1, 3, "tests/hidden/test_t3_rsa.py"),
    Exercise("correlate_rdms", _t(3), ("correlate_rdms",), 1, 2, "tests/hidden/test_t3_rsa.py"),
)


@dataclass(frozen=True)
class Question:
    """One written think question: a markdown answer cell that a TA scores by hand (formgrader or manual_scores.csv)."""

    grade_id: str  # the answer cell's nbgrader grade_id, unique within its notebook
    notebook: str  # notebook stem
    points: float  # nbgrader points of the manually graded answer cell; 0: read and commented, not scored


QUESTIONS: tuple[Question, ...] = (
    Question("think_1_answer", _t(1), 1),
    Question("think_2_answer", _t(1), 1),
    Question("think_3_answer", _t(1), 1),
    Question("think_1_answer", _t(2), 1),
    Question("bonus_think_answer", _t(2), 0),
    Question("think_1_answer", _t(3), 1),
    Question("think_2_answer", _t(3), 1),
    Question("think_3_answer", _t(3), 1),
)


@dataclass(frozen=True)
class LatePolicy:
    """When the work is due and what lateness costs, as nbgrader counts it: per notebook, never below zero."""

    due: str = ""  # e.g. "2026-12-01 23:59:00 UTC" (a zone name or offset; none means `timezone`); "": never late
    method: str = "none"  # none | zero (nbgrader's LateSubmissionPlugin) | per_hour (nbgrader's documented plugin)
    points_per_hour: float = 1.0  # per_hour: points off each notebook per hour late, hours rounded as nbgrader's example
    timezone: str = "UTC"  # zone of times that name none (the due date, Blackboard attempt times)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed child (one student's notebooks, or one notebook after a crash)."""

    # wall clock per executed cell, in the child and in nbgrader (env COURSEKIT_CELL_SECONDS, for fast tests)
    cell_seconds: float = float(os.environ.get("COURSEKIT_CELL_SECONDS", 30))
    probe_seconds: float = 20.0  # wall clock per probe call from a hidden test
    notebook_seconds: float = 300.0  # nbgrader autograde's wall-clock budget per notebook it grades (summed per run)
    cpu_seconds: int = 600  # RLIMIT_CPU of the child
    memory_mb: int = 3072  # RLIMIT_AS of the child, in MiB (torch maps a lot of address space)
    max_processes: int = 64  # RLIMIT_NPROC (and the PID namespace bounds the rest)
    max_file_mb: int = 64  # RLIMIT_FSIZE for files the child writes into its scratch folder


VISIBILITIES = ("visible", "after_due_date", "hidden")  # Gradescope's per-test values that feedback honours


@dataclass(frozen=True)
class Visibility:
    """What a student sees of each check, and when: Gradescope's per-test `visibility`, on our pages too.

    "visible": the check's name, result and message, now.  "after_due_date": until `reveal_on`, only how
    many such checks passed and their points; from that day (feedback written on or after it) in full.
    "hidden": never listed by name; its points still count.
    """

    public: str = "visible"  # the public test cell of each exercise and the grader's re-checks of it
    hidden: str = "visible"  # every hidden-suite check
    exercises: tuple[tuple[str, str], ...] = ()  # (grade_id, visibility) for that exercise's hidden checks
    reveal_on: str = ""  # ISO date (YYYY-MM-DD) from which "after_due_date" checks are shown; "" = not yet

    def of(self, grade_id: str, public: bool) -> str:
        """The visibility of one check of an exercise."""
        chosen = self.public if public else dict(self.exercises).get(grade_id, self.hidden)
        if chosen not in VISIBILITIES:
            raise ValueError(f"course_config.py: visibility {chosen!r} for {grade_id}; use one of {VISIBILITIES}")
        return chosen

    def shown(self, grade_id: str, public: bool, today) -> bool:
        """Whether a check is listed in full on feedback written on `today` (a datetime.date)."""
        chosen = self.of(grade_id, public)
        if chosen != "after_due_date" or not self.reveal_on:
            return chosen == "visible"
        import datetime as dt

        try:
            return today >= dt.date.fromisoformat(self.reveal_on)
        except ValueError:
            raise ValueError(f"course_config.py: Visibility.reveal_on {self.reveal_on!r} is not a date; "
                             "write it as YYYY-MM-DD") from None


@dataclass(frozen=True)
class Course:
    """Course-wide settings."""

    course_id: str = "nma-w2d1"  # nbgrader course id
    assignment: str = "W2D1"  # nbgrader assignment id and folder name
    intro: str = "W2D1_Intro"  # ungraded intro notebook
    tutorials: tuple[str, ...] = (_t(1), _t(2), _t(3))  # graded notebooks, in order
    helper_module: str = "w2d1_helpers.py"  # shipped beside the notebooks in the release
    exercises: tuple[Exercise, ...] = EXERCISES  # the exercise registry
    limits: Limits = field(default_factory=Limits)  # sandbox and timeout limits
    visibility: Visibility = field(default_factory=Visibility)  # what feedback and results.json show per check
    seed: int = 2021  # seed for simulated classes and randomised hidden tests
    data_env: str = "W2D1_DATA_DIR"  # env var naming a folder with the real OSF .npz files
    source_dir: Path = ROOT / "source"  # nbgrader source folder (contains W2D1/)
    release_dir: Path = ROOT / "release"  # generated student release (committed)
    submitted_dir: Path = ROOT / "submitted"  # incoming submissions, nbgrader layout
    autograded_dir: Path = ROOT / "autograded"  # grading outputs
    feedback_dir: Path = ROOT / "feedback"  # per-student feedback HTML
    banks_dir: Path = ROOT / "tests" / "banks"  # known-wrong and alternative implementations
    gradebook: Path = ROOT / ".grading" / "gradebook.db"  # nbgrader database (never in release)
    questions: tuple[Question, ...] = QUESTIONS  # written answers, graded by hand
    late: LatePolicy = field(default_factory=LatePolicy)  # due date and late penalty
    roster: Path = ROOT / "roster.csv"  # optional class list (docs/roster.example.csv); never committed
    manual_scores: Path = ROOT / "manual_scores.csv"  # TAs' scores of the written answers; never committed
    canvas_column: str = ""  # Canvas gradebook column, "Title (assignment id)"; "": the assignment id
    moodle_column: str = ""  # Moodle grade item column; "": "Assignment: <assignment> (Real)"

    @property
    def notebooks(self) -> tuple[str, ...]:
        return (self.intro, *self.tutorials)

    def exercise(self, grade_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.grade_id == grade_id:
                return ex
        raise KeyError(f"no exercise {grade_id!r} in course_config.EXERCISES")

    def exercises_in(self, notebook: str) -> tuple[Exercise, ...]:
        return tuple(ex for ex in self.exercises if ex.notebook == notebook)

    def questions_in(self, notebook: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.notebook == notebook)

    def twin_names(self) -> list[str]:
        """File names of the Jupytext twins, which nbgrader must never copy."""
        return [f"{nb}.py" for nb in self.notebooks]


COURSE = Course()


def nbgrader_settings(c) -> None:
    """Fill an nbgrader/traitlets config object `c` from COURSE."""
    c.CourseDirectory.root = str(ROOT)
    c.CourseDirectory.course_id = COURSE.course_id
    c.CourseDirectory.source_directory = COURSE.source_dir.name
    c.CourseDirectory.release_directory = COURSE.release_dir.name
    c.CourseDirectory.submitted_directory = COURSE.submitted_dir.name
    c.CourseDirectory.autograded_directory = COURSE.autograded_dir.name
    c.CourseDirectory.feedback_directory = COURSE.feedback_dir.name
    c.CourseDirectory.db_url = f"sqlite:///{COURSE.gradebook}"
    c.CourseDirectory.ignore = [
        ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "tests", ".grading", "data",
        *COURSE.twin_names(),
    ]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.ClearOutput.remove_metadata_fields = ["collapsed", "scrolled", "jupytext", "execution"]
    c.Execute.timeout = int(COURSE.limits.cell_seconds)
    c.Execute.interrupt_on_timeout = True
    c.OverwriteCells.add_missing_cells = True
    c.Exchange.assignment_dir = str(ROOT)
    # plain `nbgrader autograde` charges lateness as coursekit does (the due date lives in course_config only)
    c.AssignLatePenalties.plugin_class = "coursekit.grading.nbgrader_late.NbgraderPenalty"
