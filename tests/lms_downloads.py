"""LMS downloads built in code from each LMS's documented naming, for collect's tests.

Canvas (lib/content_zipper.rb): "<prefix>_<attachment id>_<file>" with prefix
[sortable name, "LATE" if late, user id] joined by "_", digits between
underscores in the name joined, the name lowercased, then every non-word
character removed; a member name already taken gets "-1", "-2" before its
extension.  Moodle (mod/assign/classes/downloader.php): "_" in the full name
becomes a space; "<name>_<participant id>_assignsubmission_file/" + file
(folders), the same ending in "_/" (older versions), or "..._file_" + file
(flat).  Blackboard: "<assignment>_<username>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>"
plus "<assignment>_<username>_attempt_<date>.txt", a receipt naming the user.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import PurePosixPath


def canvas_name(sortable_name: str, user_id: int, attachment_id: int, file: str, late: bool = False) -> str:
    name = re.sub(r"_(\d+)_", r"\1", sortable_name).lower()
    prefix = "_".join([name, *(["LATE"] if late else []), str(user_id)])
    prefix = re.sub(r"[^\w]", "", prefix)  # Python's \w, like Ruby's [[:word:]], is Unicode: accents stay
    return f"{prefix}_{attachment_id}_{file}"


def unique(names: list[str]) -> list[str]:
    """Canvas's make_unique_filename over a zip's member names: a taken name gets -1, -2 before its extension."""
    taken, out = set(), []
    for name in names:
        new, n = name, 0
        while new in taken:
            n += 1
            p = PurePosixPath(name)
            new = f"{p.stem}-{n}{p.suffix}"
        taken.add(new)
        out.append(new)
    return out


def moodle_name(full_name: str, participant_id: int, file: str, layout: str = "folders") -> str:
    prefix = f"{full_name.replace('_', ' ')}_{participant_id}_assignsubmission_file"
    return {"folders": f"{prefix}/{file}", "old": f"{prefix}_/{file}", "flat": f"{prefix}_{file}"}[layout]


def blackboard_members(assignment: str, username: str, full_name: str, when: datetime,
                       files: dict[str, bytes]) -> dict[str, bytes]:
    """One attempt: its files and its receipt."""
    stem = f"{assignment}_{username}_attempt_{when:%Y-%m-%d-%H-%M-%S}"
    receipt = (f"Name: {full_name} ({username})\nAssignment: {assignment}\nDate Submitted: {when:%A, %d %B %Y %H:%M:%S}"
               "\nCurrent Grade: Needs Grading\n\nSubmission Field:\nThere is no student submission text data for "
               "this assignment.\n\nComments:\nThere are no student comments for this assignment.\n\nFiles:\n")
    receipt += "".join(f"\tOriginal filename: {f}\n\tFilename: {stem}_{f}\n" for f in files)
    return {f"{stem}.txt": receipt.encode(), **{f"{stem}_{f}": data for f, data in files.items()}}


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()
