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
    seed: int = 2021  # seed for simulated classes and randomised hidden tests
    data_env: str = "W2D1_DATA_DIR"  # env var naming a folder with the real OSF .npz files
    source_dir: Path = ROOT / "source"  # nbgrader source folder (contains W2D1/)
    release_dir: Path = ROOT / "release"  # generated student release (committed)
    submitted_dir: Path = ROOT / "submitted"  # incoming submissions, nbgrader layout
    autograded_dir: Path = ROOT / "autograded"  # grading outputs
    feedback_dir: Path = ROOT / "feedback"  # per-student feedback HTML
    banks_dir: Path = ROOT / "tests" / "banks"  # known-wrong and alternative implementations
    gradebook: Path = ROOT / ".grading" / "gradebook.db"  # nbgrader database (never in release)

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
