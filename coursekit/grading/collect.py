"""`coursekit collect ZIP`: an LMS download into submitted/<student>/W2D1/, every member of the zip accounted for.

Each LMS names the files of its download in its own way (docs: the README's
TA section).  The id the LMS writes there is the student's identity, mapped
to the roster's student_id when there is a roster; a display name is never
cut into an id.  Of several files for one student and notebook the newest
wins, by the LMS's own attempt time, attempt or late marker or upload order,
never by the order of the zip.  Nothing is written unless the whole download
maps without ambiguity: two people landing in one folder is an error naming
both.  collect_report.csv gets one line per member, whatever became of it.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from os.path import commonprefix
from pathlib import Path, PurePosixPath

from course_config import COURSE
from coursekit.files import atomic_write
from coursekit.grading import late
from coursekit.grading.roster import Roster, RosterError, load as load_roster

REPORT = "collect_report.csv"
REPORT_COLUMNS = ("member", "outcome", "student_id", "notebook", "lms_id", "name", "submitted_at", "late", "note")
MAX_MEMBER_MB = 200  # a notebook with outputs can be large; a zip bomb is larger
NESTED = "!/"  # member of a zip inside the download: "outer.zip!/inner.ipynb"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


class CollectError(Exception):
    """The download cannot be imported as it is; str() names the members and what to do."""


@dataclass
class Entry:
    """One member of the download, or of a zip inside it."""

    member: str  # its path as collect_report.csv shows it
    inner: str  # its path inside the zip that holds it
    data: bytes | None = None
    zip_time: tuple = ()
    parent: "Entry | None" = None  # the zip member it came out of
    kind: str = "file"  # file | folder | archive | unreadable
    problem: str = ""


@dataclass
class Claim:
    """What the LMS's naming says about one file: whose it is, its original name, and how new it is."""

    lms_id: str
    name: str
    file: str
    time: datetime | None = None
    late: bool = False
    order: tuple = ()  # the LMS's own upload order (Canvas attachment id, attempt), compared after the time


@dataclass
class Line:
    """One row of collect_report.csv."""

    member: str
    outcome: str  # imported | superseded | not a notebook | not graded | unmatched | unreadable | folder | archive
    student_id: str = ""
    notebook: str = ""
    lms_id: str = ""
    name: str = ""
    submitted_at: str = ""
    late: str = ""
    note: str = ""


@dataclass
class Context:
    """What parsing one member needs to know about the whole download."""

    known_ids: set[str] = field(default_factory=set)  # the roster's ids, to split names that could split two ways
    regexp: re.Pattern | None = None  # nbgrader's named_regexp
    bb_users: dict[str, tuple[str, str]] = field(default_factory=dict)  # "<assignment>_<user>" -> (user, name)
    bb_assignment: str = ""  # Blackboard's assignment prefix, when no receipt names the user
    canvas_ids: set[str] = field(default_factory=set)  # user ids that Canvas members show without ambiguity


def read_download(zf: zipfile.ZipFile, parent: Entry | None = None, depth: int = 0) -> list[Entry]:
    """Every member of zf, with the members of zips inside it (three levels deep), each readable or with its problem."""
    out = []
    prefix = parent.member + NESTED if parent else ""
    for info in zf.infolist():
        e = Entry(prefix + info.filename, info.filename, zip_time=info.date_time, parent=parent)
        out.append(e)
        path = PurePosixPath(info.filename)
        if info.is_dir():
            e.kind = "folder"
        elif path.is_absolute() or ".." in path.parts or "\\" in info.filename:
            e.kind, e.problem = "unreadable", "its path leaves the download's folder; not extracted"
        elif info.file_size > MAX_MEMBER_MB * 2**20:
            e.kind, e.problem = "unreadable", f"larger than {MAX_MEMBER_MB} MB unpacked"
        else:
            try:
                e.data = zf.read(info)
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError) as exc:
                e.kind, e.problem = "unreadable", f"cannot be unpacked ({exc}); download it again"
                continue
            if path.suffix.lower() == ".zip" and depth < 3:
                try:
                    inner = zipfile.ZipFile(io.BytesIO(e.data))
                except zipfile.BadZipFile:
                    e.kind, e.problem = "unreadable", "ends in .zip but is not a readable zip"
                    continue
                e.kind = "archive"
                out += read_download(inner, e, depth + 1)
    return out


# Copies: Canvas's "-1", a browser's " (1)", Jupyter's "-Copy1".
_COPY_SUFFIX = re.compile(r"(?:-\d+|\s*\(\d+\)|-Copy\d*)+$", re.IGNORECASE)


def notebook_of(file: str) -> tuple[str | None, tuple[int, ...]]:
    """(graded notebook the file is a copy of, or None; the numbers of its copy suffixes, higher = later copy)."""
    base = PurePosixPath(file).name
    if not base.lower().endswith(".ipynb"):
        return None, ()
    stem = base[: -len(".ipynb")]
    m = _COPY_SUFFIX.search(stem)
    core, suffix = (stem[: m.start()], m.group()) if m else (stem, "")
    rank = tuple(int(n) for n in re.findall(r"\d+", suffix)) or ((1,) if "copy" in suffix.lower() else ())
    match = next((nb for nb in COURSE.tutorials if nb.casefold() == core.strip().casefold()), None)
    return match, rank


_JUNK = re.compile(r"(^|/)(\.ipynb_checkpoints|__MACOSX)/|(^|/)\._[^/]*$")


def is_notebook(file: str) -> bool:
    return file.lower().endswith(".ipynb")


def folder_id(lms_id: str) -> str:
    """A folder name for an LMS id: itself when it is plain ASCII, else its ASCII letters (accents dropped)."""
    if _SAFE_ID.match(lms_id):
        return lms_id
    ascii_ = unicodedata.normalize("NFKD", lms_id).encode("ascii", "ignore").decode()
    ascii_ = re.sub(r"[^A-Za-z0-9._@+-]+", "-", ascii_).strip("-._")
    return ascii_[:100] if ascii_ and _SAFE_ID.match(ascii_) else lms_id  # non-Latin: keep it (discovery slugs it)


# --- the LMSs' naming ------------------------------------------------------------------------------------------

# Canvas: "<sortable name>[_LATE]_<user id>_<attachment id>_<file>", the name lowercased with non-word characters
# removed (so it may hold "_" and digits); anonymous grading: "[LATE_]anon_<id>_<attachment id>_<file>".
_CANVAS = re.compile(r"_(?:(?P<late>late)_)?(?P<uid>\d+)_(?P<fid>\d+)_(?P<file>.+)$", re.IGNORECASE)
_CANVAS_PAGE = re.compile(r"^(?P<name>.*?)_(?:(?P<late>late)_)?(?P<uid>\d+)_(?P<file>text\.html|link\.html)$",
                          re.IGNORECASE)  # a text entry or URL submission
_CANVAS_ANON = re.compile(r"^(?:(?P<late>late)_)?anon_(?P<uid>[A-Za-z0-9]+)_(?P<fid>\d+)_(?P<file>.+)$", re.IGNORECASE)
# Moodle: "<Full Name>_<participant id>_assignsubmission_<plugin>" then "/<file>" (folders; older: "_/<file>") or
# "_<file>" (flat).  Moodle turns "_" in names into spaces, so the name holds none.
_MOODLE = re.compile(r"^(?:.*/)?(?P<name>[^/_]*)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                     r"(?:_?/(?P<path>.+)|_(?P<flat>[^/]+))$")
# Blackboard: "<assignment>_<username>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>" and "..._attempt_<date>.txt" (receipt).
_BB = re.compile(r"^(?P<pre>.+)_attempt_(?P<ts>\d{4}(?:-\d\d){5})(?:_(?P<file>.+)|(?P<receipt>\.txt))$")
_BB_NAME = re.compile(r"^Name:\s*(?P<name>.*?)\s*\((?P<user>[^()\s]+)\)\s*$", re.MULTILINE)
# Folders: "<student>/<file>" or "<student>/<assignment>/<file>" (an nbgrader submitted/ folder, zipped).
_FOLDERS = re.compile(r"^(?P<sid>[^/]+)/(?:[^/]+/)?(?P<file>[^/]+)$")


def _canvas_options(path: str) -> list[Claim]:
    """Every way to read a Canvas member name: a name ending in "_<digits>" splits two ways."""
    base = PurePosixPath(path).name
    m = _CANVAS_ANON.match(base)
    if m:
        return [Claim("anon_" + m["uid"], "", m["file"], late=bool(m["late"]), order=(int(m["fid"]),))]
    m = _CANVAS_PAGE.match(base)
    if m:
        return [Claim(m["uid"], m["name"], m["file"], late=bool(m["late"]))]
    options = []
    for i in (i for i, ch in enumerate(base) if ch == "_" and i > 0):
        m = _CANVAS.match(base, i)
        if m:
            options.append(Claim(m["uid"], base[:i], m["file"], late=bool(m["late"]), order=(int(m["fid"]),)))
    return options


def _canvas(path: str, ctx: Context) -> Claim | None:
    return _likeliest(_canvas_options(path), ctx)


def _likeliest(options: list[Claim], ctx: Context) -> Claim | None:
    """The split whose id the roster knows, else whose id other members show plainly, else whose file is a
    graded notebook, else the first."""
    for test in (lambda c: c.lms_id in ctx.known_ids, lambda c: c.lms_id in ctx.canvas_ids,
                 lambda c: notebook_of(c.file)[0] is not None):
        hits = [c for c in options if test(c)]
        if hits:
            return hits[0]
    return options[0] if options else None


def _moodle(path: str, ctx: Context) -> Claim | None:
    m = _MOODLE.match(path)
    return Claim(m["uid"], m["name"], m["path"] or m["flat"]) if m else None


def _blackboard(path: str, ctx: Context) -> Claim | None:
    base = PurePosixPath(path).name
    m = _BB.match(base)
    if not m:
        return None
    user, name = _bb_user(m["pre"], ctx)
    when = datetime.strptime(m["ts"], "%Y-%m-%d-%H-%M-%S").replace(tzinfo=late.zone(COURSE.late.timezone))
    return Claim(user, name, m["file"] or base, time=when)


def _bb_user(pre: str, ctx: Context) -> tuple[str, str]:
    """The username in "<assignment>_<username>": from the attempt's receipt, else the roster, else the
    assignment prefix the whole download shares, else the last "_" part."""
    if pre in ctx.bb_users:
        return ctx.bb_users[pre]
    cuts = [pre[i + 1:] for i, ch in enumerate(pre) if ch == "_"]
    known = [u for u in cuts if u in ctx.known_ids]
    if known:
        return known[0], ""
    if ctx.bb_assignment and pre.startswith(ctx.bb_assignment + "_") and len(pre) > len(ctx.bb_assignment) + 1:
        return pre[len(ctx.bb_assignment) + 1:], ""
    return (cuts[-1] if cuts else pre), ""


def _nbgrader(path: str, ctx: Context) -> Claim | None:
    m = ctx.regexp.match(path) if ctx.regexp else None
    if not m or not m.groupdict().get("student_id") or not m.groupdict().get("file_id"):
        return None
    g = m.groupdict()
    file = g["file_id"] if PurePosixPath(g["file_id"]).suffix else g["file_id"] + PurePosixPath(path).suffix
    when = late.parse_time(g["timestamp"], COURSE.late.timezone) if g.get("timestamp") else None
    return Claim(g["student_id"], " ".join(filter(None, (g.get("first_name"), g.get("last_name")))), file, time=when)


def _folders(path: str, ctx: Context) -> Claim | None:
    m = _FOLDERS.match(path)
    return Claim(m["sid"], "", m["file"]) if m else None


PARSERS = {"moodle": _moodle, "blackboard": _blackboard, "canvas": _canvas, "folders": _folders,
           "nbgrader": _nbgrader}  # in this order auto-detection breaks ties


def claim(entry: Entry, parse, ctx: Context) -> Claim | None:
    """Whose file the entry is: a file inside a student's zip is theirs; a zipped download is read member by member."""
    if entry.parent is not None:
        owner = claim(entry.parent, parse, ctx)
        if owner is not None:
            return replace(owner, file=entry.inner)
    try:
        return parse(entry.inner, ctx)
    except ValueError:  # a timestamp group that is not a time
        return None


def context(entries: list[Entry], roster: Roster | None, regexp: str | None) -> Context:
    ctx = Context(known_ids={k for s in (roster.students if roster else ()) for k in (s.lms_id, s.student_id) if k})
    if regexp:
        try:
            ctx.regexp = re.compile(regexp)
        except re.error as exc:
            raise CollectError(f"--regexp {regexp!r} is not a regular expression: {exc}") from None
        missing = {"student_id", "file_id"} - set(ctx.regexp.groupindex)
        if missing:
            raise CollectError(f"--regexp needs the named groups (?P<student_id>...) and (?P<file_id>...); "
                               f"missing {', '.join(sorted(missing))} (nbgrader's named_regexp)")
    prefixes = set()
    for e in entries:
        options = _canvas_options(e.inner) if e.kind == "file" else []
        plain = [c for c in options if len(options) == 1 or c.lms_id in ctx.known_ids
                 or notebook_of(c.file)[0] is not None]
        ctx.canvas_ids |= {plain[0].lms_id} if len(plain) == 1 else set()
        m = _BB.match(PurePosixPath(e.inner).name) if e.kind == "file" else None
        if m:
            prefixes.add(m["pre"])
        if m and m["receipt"] and e.data:
            who = _BB_NAME.search(e.data.decode("utf-8", "replace"))
            if who and m["pre"].endswith("_" + who["user"]):
                ctx.bb_users[m["pre"]] = (who["user"], who["name"])
    if len(prefixes) > 1:
        common = commonprefix(sorted(prefixes))
        ctx.bb_assignment = common[: common.rfind("_")] if "_" in common else ""
    return ctx


def detect(entries: list[Entry], ctx: Context) -> str:
    """The LMS whose naming claims the most files of the download (ties: Moodle, Blackboard, Canvas, folders)."""
    files = [e for e in entries if e.kind == "file"]
    counts = {lms: sum(claim(e, parse, ctx) is not None for e in files)
              for lms, parse in PARSERS.items() if lms != "nbgrader"}
    best = max(counts, key=counts.get)
    if not counts[best]:
        shown = ", ".join(e.member for e in files[:3]) or "no files"
        raise CollectError(f"cannot tell which LMS made this download (first members: {shown}); pass "
                           "--lms canvas|moodle|blackboard|folders, or --regexp with nbgrader's named_regexp")
    return best


def identities(claimed: list[tuple[Entry, Claim]], roster: Roster | None) -> dict[str, tuple[str, bool]]:
    """LMS id -> (student_id, on the roster).  Two LMS ids landing on one student_id is an error naming both."""
    ids: dict[str, tuple[str, bool]] = {}
    owner: dict[str, tuple[str, str]] = {}  # student_id -> (LMS id, a member of theirs)
    for e, c in claimed:
        if c.lms_id in ids:
            continue
        try:
            s = roster.find(c.lms_id) if roster else None
        except RosterError as exc:
            raise CollectError(f"{e.member}: {exc}") from None
        sid = s.student_id if s else folder_id(c.lms_id)
        if sid in owner:
            other_id, other_member = owner[sid]
            raise CollectError(f"two students would share the folder {sid!r}: {other_member} (LMS id {other_id!r}) "
                               f"and {e.member} (LMS id {c.lms_id!r}); give them distinct ids in the roster "
                               "(its lms_id column)")
        owner[sid] = (c.lms_id, e.member)
        ids[c.lms_id] = (sid, s is not None)
    return ids


@dataclass
class Plan:
    lms: str
    lines: list[Line]
    notebooks: dict[str, dict[str, Entry]]  # student_id -> notebook -> the entry imported
    times: dict[str, datetime]  # student_id -> newest submission time the LMS gave
    rostered: set[str]  # student_ids found on the roster


_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)
_WHY = ("attempt time", "attempt time", "late marker", "upload order", "file time in the zip", "copy suffix",
        "member name (nothing else tells them apart)")


def _newness(e: Entry, c: Claim, rank: tuple) -> tuple:
    """Sort key: a later attempt sorts higher.  The zip's own order is not in it."""
    return (c.time is not None, c.time or _NO_TIME, c.late, c.order, e.zip_time, rank, e.member)


def plan(entries: list[Entry], lms: str, ctx: Context, roster: Roster | None) -> Plan:
    parse = PARSERS[lms]
    claims = {id(e): claim(e, parse, ctx) for e in entries if e.kind in ("file", "unreadable")}
    ids = identities([(e, claims[id(e)]) for e in entries if claims.get(id(e))], roster)
    lines, groups = [], {}
    for e in entries:
        c = claims.get(id(e))
        line = Line(e.member, e.kind)
        lines.append(line)
        if c is not None:
            line.student_id, line.lms_id, line.name = ids[c.lms_id][0], c.lms_id, c.name
            line.submitted_at = late.stamp(c.time) if c.time else ""
            line.late = "LMS marks it late" if c.late else _hours_late(c.time)
        if e.kind == "folder":
            line.note = "a folder: nothing to import"
        elif e.kind == "archive":
            line.note = "a zip: unpacked, its members follow"
        elif e.kind == "unreadable":
            line.note = e.problem
        elif c is None:
            line.outcome, line.note = "unmatched", f"the name does not follow {lms}'s naming: whose it is is unknown"
        elif not is_notebook(c.file):
            receipt = lms == "blackboard" and c.file == PurePosixPath(e.inner).name
            line.outcome = "not a notebook"
            line.note = "Blackboard's receipt of the attempt" if receipt else \
                f"{PurePosixPath(c.file).name} is not a notebook"
        elif _JUNK.search(c.file):
            line.outcome, line.note = "not graded", "a Jupyter autosave checkpoint or macOS metadata, not the work"
        elif notebook_of(c.file)[0] is None:
            line.outcome, line.note = "not graded", (f"{PurePosixPath(c.file).name} is not one of the graded "
                                                     f"notebooks ({', '.join(COURSE.tutorials)})")
        else:
            nb, rank = notebook_of(c.file)
            line.notebook = nb
            groups.setdefault((line.student_id, nb), []).append((_newness(e, c, rank), e, c, line))
    notebooks, times = _resolve(groups)
    return Plan(lms, lines, notebooks, times, {sid for sid, on in ids.values() if on})


def _hours_late(when: datetime | None) -> str:
    seconds = late.seconds_late(when, COURSE.late)
    return f"{seconds / 3600:.1f} h after the due date" if seconds else ""


def _resolve(groups: dict) -> tuple[dict[str, dict[str, Entry]], dict[str, datetime]]:
    """The newest file of each student and notebook is imported; the others are superseded, and the report says why."""
    notebooks: dict[str, dict[str, Entry]] = {}
    times: dict[str, datetime] = {}
    for (sid, nb), options in groups.items():
        options.sort(key=lambda o: o[0])
        key, entry, c, line = options[-1]
        line.outcome = "imported"
        line.note = f"{nb}.ipynb of {sid}"
        notebooks.setdefault(sid, {})[nb] = entry
        if c.time:
            times[sid] = max(times.get(sid, c.time), c.time)
        for other_key, other, _, other_line in options[:-1]:
            why = next(w for w, a, b in zip(_WHY, key, other_key) if a != b)
            same = " (same content)" if other.data == entry.data else ""
            other_line.outcome = "superseded"
            other_line.note = f"by {entry.member}, newer by {why}{same}"
    return notebooks, times


def write(p: Plan, dest: Path) -> None:
    """Each student's folder is replaced whole by what this download holds for them; other folders are left alone."""
    for sid, notebooks in p.notebooks.items():
        folder = dest / sid / COURSE.assignment
        if folder.exists():
            shutil.rmtree(folder)
        for nb, entry in notebooks.items():
            atomic_write(folder / f"{nb}.ipynb", entry.data)
        if sid in p.times:
            atomic_write(folder / late.STAMP_FILE, late.stamp(p.times[sid]) + "\n")


def report_csv(lines: list[Line]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REPORT_COLUMNS)
    w.writerows([getattr(line, c) for c in REPORT_COLUMNS] for line in lines)
    return buf.getvalue()


def summary(p: Plan, roster: Roster | None, report: Path) -> str:
    n = {o: sum(line.outcome == o for line in p.lines) for o in
         ("imported", "superseded", "not a notebook", "not graded", "unmatched", "unreadable")}
    students = set(p.notebooks)
    who = f"{len(students)} student(s)"
    if roster:
        absent = [s for s in roster.ids() if s not in students]
        who += (f" ({len(students & p.rostered)} on the roster, {len(students - p.rostered)} not on it; "
                f"{len(absent)} rostered sent nothing)")
    return (f"collect ({p.lms}): {len(p.lines)} member(s): {n['imported']} notebook(s) imported for {who}, "
            f"{n['superseded']} superseded by a later attempt, {n['not a notebook']} not notebooks, "
            f"{n['not graded']} other notebooks, {n['unmatched']} unmatched, {n['unreadable']} unreadable; "
            f"every member is listed in {report}")


def main(*, zip: Path, dest: Path | None = None, lms: str = "auto", regexp: str | None = None,
         roster: Path | None = None) -> int:
    """`coursekit collect ZIP`: import an LMS download into DEST (default submitted/)."""
    zip_path, dest = Path(zip), Path(dest) if dest else COURSE.submitted_dir
    if not zipfile.is_zipfile(zip_path):
        print(f"error: {zip_path} is not a zip file; download the submissions from the LMS as one .zip",
              file=sys.stderr)
        return 2
    try:
        people = load_roster(roster, required=roster is not None)
        with zipfile.ZipFile(zip_path) as zf:
            entries = read_download(zf)
        ctx = context(entries, people, regexp)
        lms = "nbgrader" if regexp else (detect(entries, ctx) if lms == "auto" else lms)
        if lms == "nbgrader" and ctx.regexp is None:
            raise CollectError("--lms nbgrader needs --regexp with nbgrader's named_regexp")
        p = plan(entries, lms, ctx, people)
    except (CollectError, RosterError) as exc:
        print(f"error: {zip_path}: {exc}", file=sys.stderr)
        return 2
    write(p, dest)
    atomic_write(dest / REPORT, report_csv(p.lines))
    print(summary(p, people, dest / REPORT))
    return 0
