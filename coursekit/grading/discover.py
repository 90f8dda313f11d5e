"""Discovery: every student folder under SUBMITTED_DIR, each tutorial notebook checked for readability.

Student ids are folder names as an LMS writes them: spaces, accents, any
script.  Outputs show that name; internal paths, nbgrader and pytest use
`Found.slug`: the name itself when it is already plain ASCII
(letters, digits, `. _ @ + -`), else its ASCII transliteration plus a hash of
the full name, so it is stable from run to run and unique.  Names whose plain
slugs would coincide ("José García" and "Jose Garcia") are graded apart and
flagged `id_collision`.  A name that cannot safely be a folder (a path
separator, a control character, bytes that are not UTF-8) gets error rows.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.results import Found

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._@+-]+")
COLLISION_FLAG = "id_collision"


def name_problem(name: str) -> str | None:
    """Why a folder name cannot be a student id, or None when it can."""
    if name in (".", "..") or "/" in name or "\\" in name:
        return f"student folder name {shown(name)!r} contains a path separator or is '..'; rename the folder"
    if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in name):  # bytes that did not decode (surrogateescape)
        return f"student folder name {shown(name)!r} is not valid UTF-8 text; rename the folder"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return f"student folder name {shown(name)!r} contains a control character; rename the folder"
    return None


def shown(name: str) -> str:
    """The name as printable text: undecodable bytes become U+FFFD, control characters their escapes."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(ch if unicodedata.category(ch) != "Cc" else repr(ch)[1:-1] for ch in text)


def plain_slug(name: str) -> str:
    """ASCII transliteration of name with every other run of characters turned into '-' (may be empty)."""
    ascii_ = unicodedata.normalize("NFKD", shown(name)).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE_RUN.sub("-", ascii_).strip("-._@+")[:60].rstrip("-._@+")


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def slug(name: str) -> str:
    """Safe internal id of a student name: the name if it is plain ASCII, else `<transliteration>-<hash>`."""
    if _SAFE_ID.match(name):
        return name
    return f"{plain_slug(name) or 'student'}-{_digest(name)}"


def assign_slugs(found: list[Found]) -> None:
    """Give every student a slug, unique even ignoring case, and flag names whose plain slugs coincide."""
    for f in found:
        f.slug = slug(f.student_id)
    groups: dict[str, list[Found]] = defaultdict(list)
    for f in found:
        key = plain_slug(f.student_id).casefold()
        if key:
            groups[key].append(f)
    for key, members in groups.items():
        if len(members) < 2:
            continue
        names = ", ".join(repr(shown(m.student_id)) for m in members)
        for m in members:
            m.flags.append(COLLISION_FLAG)
            m.notes.append(f"folder names {names} would share the id {key!r}; each is graded on its own")
    seen: dict[str, Found] = {}
    for f in found:  # names differing only in case ("alice", "Alice") are one folder on some file systems
        other = seen.get(f.slug.casefold())
        if other is not None:
            for m in (other, f):
                m.slug = f"{plain_slug(m.student_id) or 'student'}-{_digest(m.student_id)}"
                seen[m.slug.casefold()] = m
        seen[f.slug.casefold()] = f


def _check_notebooks(f: Found, student_dir: Path) -> None:
    for name in COURSE.tutorials:
        path = student_dir / COURSE.assignment / f"{name}.ipynb"
        where = f"{shown(student_dir.name)}/{COURSE.assignment}/{name}.ipynb"
        if not path.is_file():
            f.problems[name] = ("missing", f"{name}.ipynb was not submitted (expected at {where})")
            continue
        try:
            nbk.read(path)
        except nbk.NotebookError as exc:
            f.problems[name] = ("error", str(exc).replace(str(path), f"{name}.ipynb"))
            continue
        f.notebooks[name] = path


def discover(submitted_dir: Path) -> list[Found]:
    """Every student folder under SUBMITTED_DIR, with each tutorial notebook checked for readability."""
    submitted_dir = Path(submitted_dir)
    if not submitted_dir.is_dir():
        raise FileNotFoundError(f"{submitted_dir}: no such folder of submissions; expected the nbgrader layout "
                                f"<folder>/<student_id>/{COURSE.assignment}/*.ipynb (see `coursekit collect`)")
    found = []
    for student_dir in sorted(p for p in submitted_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        problem = name_problem(student_dir.name)
        f = Found(student_dir.name if problem is None else shown(student_dir.name), {})
        if problem is not None:
            f.problems = {nb: ("error", problem) for nb in COURSE.tutorials}
        else:
            _check_notebooks(f, student_dir)
        found.append(f)
    assign_slugs(found)
    return found


def select_shard(found: list[Found], shard: str | None) -> list[Found]:
    if not shard:
        return found
    m = re.fullmatch(r"(\d+)/(\d+)", shard)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard {shard!r}: expected I/N with 1 <= I <= N, e.g. --shard 2/4")
    i, n = int(m.group(1)), int(m.group(2))
    return found[i - 1::n]
