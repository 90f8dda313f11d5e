"""The release pipeline end to end, with real nbgrader: the committed release is current and leak free.

Two nbgrader generations of the real course are avoided: one fresh generation into a temporary
folder is shared by the module. A small builder course checks idempotency, atomicity and that
nbgrader autograde accepts an unmodified release.

Leak rule: a line of a solution or hidden-test region (notebook.solution_lines), stripped, leaks
when it appears as a line of a released file (for notebooks: a line of any JSON string) and is
not also a line of the source outside every region. The release is built from the public part
of the source only, so a secret line can reach it only by leaking, except when the very same
line is given code elsewhere (e.g. `return out`), which is not secret. No length threshold.
Secret lines of 20 characters or more are also searched as substrings of the raw file bytes
(plain and JSON-escaped), which catches a leak hidden inside a longer line.
"""
import json
import shutil
from pathlib import Path

import pytest

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.authoring import release as rel
from coursekit.authoring import sync as sy
from tests.builders import valid_course

RELEASED = COURSE.release_dir / COURSE.assignment


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """release/W2D1 regenerated now from source/, in a temporary folder (repo and gradebook untouched)."""
    return rel.release(COURSE, out_dir=tmp_path_factory.mktemp("fresh") / "release")


def test_source_twins_in_sync():
    sy.sync(COURSE, check=True)  # raises, listing the drifted files, with "run make sync"


def test_committed_release_equals_fresh_generation(fresh):
    assert RELEASED.is_dir(), "release/W2D1 is missing; run `make release`"
    committed, regenerated = _files(RELEASED), _files(fresh)
    assert sorted(committed) == sorted(regenerated), "release/W2D1 has other files than `make release` makes"
    stale = [name for name in committed if committed[name] != regenerated[name]]
    assert not stale, f"release/W2D1 is stale ({', '.join(stale)}); run `make release`"


def _secret_and_public():
    secret, public = set(), set()
    for name in COURSE.notebooks:
        nb = nbk.read(sy.paths(name, COURSE)[1])
        for i, cell in enumerate(nb.cells):
            where = nbk.describe(f"{name}.ipynb", i, cell)
            lines = cell.source.splitlines()
            inside = set()
            for region in nbk.regions(cell.source, where):
                inside |= set(range(region.begin, region.end + 1))
            secret |= {ln.strip() for ln in nbk.solution_lines(cell.source, where)}
            public |= {ln.strip() for k, ln in enumerate(lines) if k not in inside and ln.strip()}
    helper = COURSE.source_dir / COURSE.assignment / COURSE.helper_module
    public |= {ln.strip() for ln in helper.read_text().splitlines() if ln.strip()}
    return secret - public


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


@pytest.mark.parametrize("which", ["committed", "fresh"])
def test_no_solution_or_hidden_test_line_in_release(which, fresh):
    folder = RELEASED if which == "committed" else fresh
    secret = _secret_and_public()
    assert len(secret) > 50, "the source should have solution and hidden-test lines to protect"
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = path.read_text(encoding="utf-8")
        strings = list(_strings(json.loads(raw))) if path.suffix == ".ipynb" else [raw]
        lines = {ln.strip() for s in strings for ln in s.splitlines()}
        leaks += [f"{path.name}: {ln[:70]!r}" for ln in sorted(lines & secret)]
        leaks += [f"{path.name}: inside a line: {s[:70]!r}" for s in sorted(secret)
                  if len(s) >= 20 and (s in raw or json.dumps(s)[1:-1] in raw) and s not in lines]
    assert not leaks, "solution or hidden-test text in the release:\n" + "\n".join(leaks)


def test_release_follows_the_rules(fresh):
    assert rel.check_release(COURSE, fresh) == []
    names = {p.name for p in fresh.iterdir()}
    assert names == {f"{n}.ipynb" for n in COURSE.notebooks} | {COURSE.helper_module}
    assert not names & set(COURSE.twin_names()), "Jupytext twins must never be released"
    assert (fresh / COURSE.helper_module).read_text().startswith(
        "# Generated copy of source/W2D1/w2d1_helpers.py by `make release`; do not edit.\n")
    for ex in COURSE.exercises:
        text = (fresh / f"{ex.notebook}.ipynb").read_text()
        assert f'raise NotImplementedError(\\"Exercise {ex.grade_id}: ' in text


# ---- a builder course: idempotency, atomicity, nbgrader autograde on the unmodified release

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    course = valid_course(root)
    first = rel.release(course, details=True)
    snapshot = _files(first.path)
    second = rel.release(course, details=True)
    return course, first, snapshot, second


def test_release_twice_is_byte_identical_and_leaves_files_alone(small):
    course, first, snapshot, second = small
    assert first.changed and not second.changed
    assert _files(second.path) == snapshot
    assert not list(course.release_dir.parent.glob(".release-tmp-*")), "temporary folders must be removed"


def test_small_release_content(small):
    course, first, _, _ = small
    t1 = nbk.read(first.path / "T1.ipynb")
    assert t1.cells[0].id == rel.NOTICE_ID and "generated from `source/W2D1/T1.py` by `make release`" in t1.cells[0].source
    assert "jupytext" not in t1.metadata
    sources = "\n".join(c.source for c in t1.cells)
    assert 'raise NotImplementedError("Exercise double: implement double — replace this line with your code")' \
        in sources
    assert "secret" not in sources and "hidden negative case" not in sources
    assert "YOUR ANSWER HERE" in sources


def test_failed_nbgrader_run_changes_nothing(small, monkeypatch):
    course, first, snapshot, _ = small
    gradebook = course.gradebook.read_bytes()

    def broken(args, timeout=300):
        raise rel.ReleaseError("nbgrader generate_assignment failed (exit 1): simulated")

    monkeypatch.setattr(rel, "run_nbgrader", broken)
    with pytest.raises(rel.ReleaseError):
        rel.release(course)
    assert _files(first.path) == snapshot and course.gradebook.read_bytes() == gradebook
    assert not list(course.release_dir.parent.glob(".release-tmp-*"))


@pytest.mark.slow
def test_autograde_accepts_the_unmodified_release(small, tmp_path):
    """Named stubs and post-processing keep nbgrader's checksums: no cell is reported as changed.

    The one exception is nbgrader's own design: a test cell with hidden tests always differs
    from its gradebook version (which holds the hidden tests), so autograde restores it.
    """
    course, first, _, _ = small
    root = course.source_dir.parent
    shutil.copytree(first.path, root / "submitted" / "alice" / course.assignment)
    proc = rel.run_nbgrader(["autograde", course.assignment, f"--CourseDirectory.root={root}",
                             f"--CourseDirectory.db_url=sqlite:///{course.gradebook}"])
    log = proc.stdout + proc.stderr
    changed = [ln for ln in log.splitlines() if "has changed" in ln]
    assert all("test_double" in ln for ln in changed), changed  # test_double is the one with hidden tests
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.gradebook}", course.course_id) as gb:
        nb = gb.find_submission_notebook("T1", course.assignment, "alice")
        grades = {g.name: (g.auto_score, g.needs_manual_grade) for g in nb.grades}
        assert grades == {"test_double": (0.0, False), "test_scaler": (0.0, False)}, grades
        assert not nb.flagged
