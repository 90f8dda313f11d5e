"""`coursekit collect ZIP`: import an LMS download into submitted/ (nbgrader layout) with clear errors."""
from __future__ import annotations

import re
import shutil
import sys
import zipfile
from pathlib import Path, PurePosixPath

from course_config import COURSE

# LMS downloads name files like "<student>_<anything>_<notebook>.ipynb" or "<student>/<notebook>.ipynb".
_NOTEBOOK = re.compile(r"(?P<nb>W2D1_Tutorial\d)\.ipynb$")
_STUDENT = re.compile(r"^(?P<sid>[A-Za-z0-9][A-Za-z0-9.@+-]*)")


def plan(names: list[str]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """(student_id, notebook) -> member name, plus the members that were skipped and why."""
    chosen, skipped = {}, []
    for name in names:
        path = PurePosixPath(name)
        if name.endswith("/") or path.name.startswith("."):
            continue
        m = _NOTEBOOK.search(path.name)
        if m is None or m.group("nb") not in COURSE.tutorials:
            skipped.append(f"{name}: not one of the assignment's notebooks")
            continue
        owner = path.parts[0] if len(path.parts) > 1 else path.name
        s = _STUDENT.match(owner)
        if s is None or ".." in path.parts:
            skipped.append(f"{name}: cannot tell which student submitted it")
            continue
        chosen[(s.group("sid"), m.group("nb"))] = name  # later entries (resubmissions) win
    return chosen, skipped


def main(*, zip: Path, dest: Path | None = None) -> int:
    zip_path = Path(zip)
    dest = Path(dest) if dest else COURSE.submitted_dir
    if not zipfile.is_zipfile(zip_path):
        print(f"error: {zip_path} is not a zip file; download the submissions from the LMS as one .zip",
              file=sys.stderr)
        return 2
    with zipfile.ZipFile(zip_path) as zf:
        chosen, skipped = plan(zf.namelist())
        for (sid, nb), member in sorted(chosen.items()):
            folder = dest / sid / COURSE.assignment
            folder.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(folder / f"{nb}.ipynb", "wb") as out:
                shutil.copyfileobj(src, out)
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    students = {sid for sid, _ in chosen}
    print(f"imported {len(chosen)} notebook(s) from {len(students)} student(s) into {dest}")
    return 0
