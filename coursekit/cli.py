"""The command line: a thin shell that declares each verb's options and calls its module's main()."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # course_config lives at the repo root
    sys.path.insert(0, str(ROOT))
# nbgrader shells out to `alembic` and `jupyter` by name: make the venv's bin visible even when not activated.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
# One thread per process: grading parallelises over processes (--jobs), and forked children cannot keep a pool.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m coursekit", description=__doc__)
    sub = p.add_subparsers(dest="verb", required=True)
    sub.add_parser("release", help="source/ -> release/ through nbgrader generate_assignment")
    sub.add_parser("sync", help="rewrite each source .ipynb from its Jupytext twin")
    check = sub.add_parser("check", help="instructor self-check of release, suites and banks")
    check.add_argument("--jobs", type=int, default=2)
    grade = sub.add_parser("grade", help="grade every submission in SUBMITTED_DIR")
    grade.add_argument("submitted", nargs="?", type=Path, default=None, help="default: submitted/")
    grade.add_argument("--jobs", type=int, default=1, help="grade N submissions in parallel")
    grade.add_argument("--shard", default=None, help="I/N: grade only the I-th of N slices of the class")
    grade.add_argument("--out", type=Path, default=None, help="output root (default: the repo)")
    grade.add_argument("--unsafe", action="store_true", help="grade even if no OS isolation is available")
    grade.add_argument("--no-public", action="store_true", help="skip nbgrader autograde (hidden suites only)")
    merge = sub.add_parser("merge", help="combine shard outputs into one set")
    merge.add_argument("dirs", nargs="+", type=Path)
    merge.add_argument("--out", type=Path, default=None)
    demo = sub.add_parser("demo", help="simulate a class, grade it and print the summary")
    demo.add_argument("--students", type=int, default=8)
    demo.add_argument("--jobs", type=int, default=2)
    collect = sub.add_parser("collect", help="import an LMS zip download into submitted/")
    collect.add_argument("zip", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from coursekit.notebook import NotebookError

    try:
        if args.verb == "release":
            from coursekit import release

            return release.main([])
        if args.verb == "sync":
            from coursekit import release

            return release.main(["--sync-only"])
        if args.verb == "check":
            from coursekit import check

            return check.main(jobs=args.jobs)
        if args.verb == "grade":
            from coursekit import grade

            return grade.main(args.submitted, jobs=args.jobs, shard=args.shard, out=args.out,
                              unsafe=args.unsafe, public=not args.no_public)
        if args.verb == "merge":
            from coursekit import report

            return report.merge_main(args.dirs, args.out)
        if args.verb == "demo":
            from coursekit import demo

            return demo.main(students=args.students, jobs=args.jobs)
        if args.verb == "collect":
            from coursekit import collect

            return collect.main(args.zip)
    except (NotebookError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2
