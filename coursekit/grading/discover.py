"""Discovery: every student folder under SUBMITTED_DIR, each tutorial notebook checked for readability."""
from __future__ import annotations

import re
from pathlib import Path

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.results import Found

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


def discover(submitted_dir: Path) -> list[Found]:
    """Every student folder under SUBMITTED_DIR, with each tutorial notebook checked for readability."""
    submitted_dir = Path(submitted_dir)
    if not submitted_dir.is_dir():
        raise FileNotFoundError(f"{submitted_dir}: no such folder of submissions; expected the nbgrader layout "
                                f"<folder>/<student_id>/{COURSE.assignment}/*.ipynb (see `coursekit collect`)")
    found = []
    for student_dir in sorted(p for p in submitted_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        f = Found(student_dir.name, {}, {})
        if not _SAFE_ID.match(student_dir.name):
            f.problems = {nb: ("error", f"student folder name {student_dir.name!r} is not a valid id "
                                        "(letters, digits, . _ @ + -)") for nb in COURSE.tutorials}
            found.append(f)
            continue
        for name in COURSE.tutorials:
            path = student_dir / COURSE.assignment / f"{name}.ipynb"
            if not path.is_file():
                f.problems[name] = ("missing", f"{name}.ipynb was not submitted (expected at "
                                               f"{student_dir.name}/{COURSE.assignment}/{name}.ipynb)")
                continue
            try:
                nbk.read(path)
            except nbk.NotebookError as exc:
                f.problems[name] = ("error", str(exc).replace(str(path), f"{name}.ipynb"))
                continue
            f.notebooks[name] = path
        found.append(f)
    return found


def select_shard(found: list[Found], shard: str | None) -> list[Found]:
    if not shard:
        return found
    m = re.fullmatch(r"(\d+)/(\d+)", shard)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard {shard!r}: expected I/N with 1 <= I <= N, e.g. --shard 2/4")
    i, n = int(m.group(1)), int(m.group(2))
    return found[i - 1::n]
