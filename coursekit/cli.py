"""The command line: a table of verbs, each declaring its options and naming the module whose main() it calls.

Every verb's module has a keyword-only `main(**options) -> int`; only this file
parses arguments, and nothing changes the environment until `main` runs.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


def _release(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=None,
                   help="write <OUT>/<assignment> instead of release/ (no sync, throwaway gradebook)")


def _sync(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="report drift between pairs, write nothing")
    p.add_argument("--force", action="store_true", help="overwrite notebooks edited after their twins")


def _jobs(default: int) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("--jobs", type=int, default=default, help="grade N students in parallel")
    return add


def _grade(p: argparse.ArgumentParser) -> None:
    p.add_argument("submitted", nargs="?", type=Path, default=None, help="default: submitted/")
    _jobs(1)(p)
    p.add_argument("--shard", default=None, help="I/N: grade only the I-th of N slices of the class")
    p.add_argument("--out", type=Path, default=None, help="output root (default: the repo)")
    p.add_argument("--unsafe", action="store_true", help="grade even if no OS isolation is available")
    p.add_argument("--no-public", dest="public", action="store_false",
                   help="skip nbgrader autograde (hidden suites only)")
    p.add_argument("--force", action="store_true",
                   help="regrade every student, even those whose submission and grader are unchanged since "
                        "their last grade in OUT")
    p.add_argument("--roster", type=Path, default=None,
                   help="class list (default: roster.csv if it exists): every rostered student gets rows")


def _merge(p: argparse.ArgumentParser) -> None:
    p.add_argument("dirs", nargs="+", type=Path, help="the --out folder of each shard")
    p.add_argument("--out", type=Path, default=None, help="output root (default: the current folder)")


def _demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--students", type=int, default=8)
    _jobs(2)(p)


def _collect(p: argparse.ArgumentParser) -> None:
    p.add_argument("zip", type=Path, help="the LMS's download of every submission, as one .zip")
    p.add_argument("--dest", type=Path, default=None, help="default: submitted/")
    p.add_argument("--lms", default="auto", choices=("auto", "canvas", "moodle", "blackboard", "folders", "nbgrader"),
                   help="whose naming the download follows (default: detected)")
    p.add_argument("--regexp", default=None,
                   help="nbgrader's named_regexp (groups student_id, file_id, optional timestamp), matched "
                        "against each member's path in the zip; implies --lms nbgrader")
    p.add_argument("--roster", type=Path, default=None, help="default: roster.csv if it exists")


def _export(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("canvas", "moodle", "csv", "manual"),
                   help="canvas/moodle: that LMS's gradebook import file; csv: per-exercise scores; "
                        "manual: the written answers, for TAs to score in manual_scores.csv")
    p.add_argument("--out", type=Path, default=None, help="the grade's output root (default: the repo)")
    p.add_argument("--roster", type=Path, default=None, help="default: roster.csv if it exists")
    p.add_argument("--submitted", type=Path, default=None, help="manual: the submissions (default: submitted/)")
    p.add_argument("--dest", type=Path, default=None,
                   help="the file to write (default: OUT/autograded/<kind>_grades.csv; manual: manual_scores.csv)")


def _hidden(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebooks", nargs="*", type=Path, help="submitted .ipynb files (default: the reference)")
    p.add_argument("-v", "--verbose", action="store_true", help="show pytest output")


def _banks(p: argparse.ArgumentParser) -> None:
    p.add_argument("grade_ids", nargs="*", help="exercises whose bank to judge (default: all)")


def _diagnose(p: argparse.ArgumentParser) -> None:
    p.add_argument("grade_ids", nargs="*", help="exercises to measure (default: all)")


@dataclass(frozen=True)
class Verb:
    name: str
    module: str  # its main(**options) is called with the parsed options
    help: str
    options: Callable[[argparse.ArgumentParser], None] = lambda p: None


VERBS: tuple[Verb, ...] = (
    Verb("release", "coursekit.authoring.release", "source/ -> release/ through nbgrader generate_assignment", _release),
    Verb("sync", "coursekit.authoring.sync", "rewrite each source .ipynb from its Jupytext twin", _sync),
    Verb("check", "coursekit.authoring.check", "instructor self-check of release, suites and banks", _jobs(2)),
    Verb("banks", "coursekit.authoring.banks", "judge the mutant banks: wrong entries caught and diagnosed, "
         "alternatives pass",
         _banks),
    Verb("diagnose", "coursekit.authoring.diagnose", "measure diagnosis on tests/diagnosis/: mistakes named right, "
         "none named wrongly", _diagnose),
    Verb("demo", "coursekit.authoring.demo", "simulate a class, grade it and print the summary", _demo),
    Verb("collect", "coursekit.grading.collect", "import an LMS zip download into submitted/", _collect),
    Verb("export", "coursekit.grading.export", "grades as an LMS gradebook import file, or written answers to "
         "score", _export),
    Verb("grade", "coursekit.grading.pipeline", "grade every submission in SUBMITTED_DIR", _grade),
    Verb("merge", "coursekit.grading.merge", "combine shard outputs into one set", _merge),
    Verb("hidden", "coursekit.grading.hidden", "run the hidden suites on one notebook in this process (no sandbox; "
         "for authors)", _hidden),
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m coursekit", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    for verb in VERBS:
        verb.options(sub.add_parser(verb.name, help=verb.help, description=verb.help))
    return p


def _prepare_environment() -> None:
    if str(ROOT) not in sys.path:  # course_config lives at the repo root
        sys.path.insert(0, str(ROOT))
    # One thread per process: grading parallelises over processes (--jobs), and forked children cannot keep a pool.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    args = vars(parser().parse_args(argv))
    name = args.pop("verb")
    verb = next(v for v in VERBS if v.name == name)
    _prepare_environment()
    from coursekit.isolation.sandbox import SandboxError
    from coursekit.notebook import NotebookError

    try:
        return importlib.import_module(verb.module).main(**args)
    except (NotebookError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SandboxError as exc:  # e.g. no OS isolation here: grading refuses rather than run unprotected
        print(f"error: {exc}", file=sys.stderr)
        return 3
