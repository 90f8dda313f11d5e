"""The hidden-suite runner: pytest in the trusted process, one session over many submissions.

Hidden suites live in tests/hidden/ and use two fixtures, `reference` and
`student` (coursekit.isolation.probe.Handle).  Each test carries
`@pytest.mark.exercise("<grade_id>")`, optionally `@pytest.mark.weight(w)`
(default 1) and `@pytest.mark.public` when it re-checks, in the trusted
process, a behaviour the public test cell asserts.  An exercise's hidden
points are split over its tests by weight; its public points are earned only
if nbgrader's public test passed and every `public` test here passed too.

The runner parametrizes every test over the submissions it was given, so a
whole class (or shard) costs one pytest start-up, and the handles of one
student are created lazily and closed when pytest moves on to the next.

Diagnosis (coursekit.grading.diagnosis): each student handle records the calls
it answers under the running test's exercise; when a student is done, every
exercise with a failed check is compared with the bank's known mistakes, and
`run` returns the diagnoses with the results for `summarise` to put on the
outcomes.
"""
from __future__ import annotations

import weakref
from collections import defaultdict
from pathlib import Path
from typing import Callable

import pytest

from course_config import COURSE, ROOT
from coursekit.isolation.probe import Handle, InProcess, ProbeError, Reference, encode_call
from coursekit.grading.diagnosis import Diagnoser, Recorder
from coursekit.grading.submission import reference_cells
from coursekit.results import Check, Diagnosis, Outcome, TestResult, worst

HIDDEN_DIR = ROOT / "tests" / "hidden"


_references: dict[str, Reference] = {}


def reference_handle(notebook: str) -> Reference:
    if notebook not in _references:
        _references[notebook] = Reference(reference_cells(notebook))
    return _references[notebook]


_MEMO: "weakref.WeakKeyDictionary[Handle, dict]" = weakref.WeakKeyDictionary()


def run_once(handle: Handle, probe, *args):
    """handle.run(probe, *args), computed once per handle and arguments: several tests may check one call.

    Errors are remembered too, so a submission that times out costs one timeout per case, not one per test.
    """
    memo = _MEMO.setdefault(handle, {})
    call = encode_call(args, {})
    key = (probe.__name__, call)
    if key not in memo:
        try:
            memo[key] = (True, handle.run_encoded(probe, call))
        except ProbeError as exc:
            memo[key] = (False, exc)
    else:
        getattr(handle, "note", lambda *_: None)(probe, call)  # asked again, maybe by another exercise's test
    ok, value = memo[key]
    if not ok:
        raise value
    return value


def exercise_of(item) -> str:
    marker = item.get_closest_marker("exercise")
    if marker is None:
        raise pytest.UsageError(f"{item.nodeid}: hidden tests need @pytest.mark.exercise('<grade_id>')")
    return marker.args[0]


HandleFactory = Callable[[str, str], Handle]  # (student_id, notebook) -> Handle
DIAGNOSABLE = {"failed", "error"}  # a check that timed out, crashed or found a name missing names no mistake


class Results(list):
    """A run's TestResults, with the diagnoses made as each student finished: (student_id, grade_id) -> Diagnosis."""

    def __init__(self, results=(), diagnoses: dict[tuple[str, str], Diagnosis] | None = None):
        super().__init__(results)
        self.diagnoses = diagnoses or {}


_diagnoser: Diagnoser | None = None


def diagnoser() -> Diagnoser:
    """The process's Diagnoser: the bank's answers are cached for every run in it, like the reference's."""
    global _diagnoser
    if _diagnoser is None:
        _diagnoser = Diagnoser()
    return _diagnoser


class HiddenPlugin:
    """Supplies the fixtures' handles and collects one TestResult per test and student."""

    def __init__(self, student_ids: list[str], open_handle: HandleFactory, only: set[str] | None = None,
                 on_student_done: Callable[[str], None] | None = None, lean: bool = True, diagnose: bool = True):
        self.student_ids = student_ids
        self.on_student_done = on_student_done
        self.open_handle = open_handle
        self.only = only
        self.results: list[TestResult] = []
        self._current: str | None = None
        self._handles: dict[str, Handle] = {}
        self._broken: dict[str, ProbeError] = {}
        self.lean = lean
        self._plain_tests: dict[tuple[str, str], bool] = {}
        self.diagnose = diagnose
        self.diagnoses: dict[tuple[str, str], Diagnosis] = {}
        self._exercise: str | None = None  # the running test's
        self._first_result = 0  # where the current student's results start

    def student_handle(self, student_id: str, notebook: str) -> Handle:
        if student_id != self._current:
            self.close()
            self._current, self._first_result = student_id, len(self.results)
        if notebook in self._broken:
            raise self._broken[notebook]
        if notebook not in self._handles:
            try:
                handle = self.open_handle(student_id, notebook)
                self._handles[notebook] = Recorder(handle, lambda: self._exercise) if self.diagnose else handle
            except ProbeError as exc:
                self._broken[notebook] = exc
                raise
        return self._handles[notebook]

    def close(self) -> None:
        if self._current is not None and self.diagnose:
            self._diagnose_current()
        for handle in self._handles.values():
            handle.close()
        self._handles, self._broken = {}, {}
        if self._current is not None and self.on_student_done is not None:
            self.on_student_done(self._current)
        self._current = None

    def _diagnose_current(self) -> None:
        """Compare each exercise the current student lost hidden checks on with the bank's known mistakes."""
        failed: dict[str, set[str]] = defaultdict(set)
        for r in self.results[self._first_result:]:
            if r.student_id == self._current and not r.passed:
                failed[r.grade_id].add(r.status)
        recorders = [h for h in self._handles.values() if isinstance(h, Recorder)]
        for grade_id, statuses in failed.items():
            if not statuses <= DIAGNOSABLE:
                continue
            calls = [c for h in recorders for c in h.calls(grade_id)]
            try:
                found = diagnoser().diagnose(grade_id, calls)
            except Exception:  # noqa: BLE001 - naming a mistake is a courtesy: it never stops a grade
                found = None
            if found is not None:
                self.diagnoses[(self._current, grade_id)] = found

    def pytest_generate_tests(self, metafunc):
        if "student_id" in metafunc.fixturenames:
            metafunc.parametrize("student_id", self.student_ids, scope="session")

    def pytest_collection_modifyitems(self, items):
        if self.only is not None:
            items[:] = [it for it in items if exercise_of(it) in self.only]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """Run a test that needs only our fixtures directly, without pytest's per-test protocol.

        pytest's setup/call/teardown machinery (fixture resolution, three reports and their hooks, output
        capture, warning capture) costs about 1 ms per test, and a class's run is tens of thousands of
        tests: a third of the trusted process's time.  A test whose arguments are `student`, `reference`,
        `student_id` and its own parameters, with no marker that changes how it runs, is called here with
        the same arguments the fixtures would give; anything else goes through pytest as usual.
        """
        marker = item.get_closest_marker("exercise")
        self._exercise = marker.args[0] if marker else None
        if not self.lean or not self._plain(item):
            return None
        notebook = COURSE.exercise(exercise_of(item)).notebook
        student_id = item.callspec.params.get("student_id", "?")
        try:
            kwargs = {}
            for name in item._fixtureinfo.argnames:
                if name == "student":
                    kwargs[name] = self.student_handle(student_id, notebook)
                elif name == "reference":
                    kwargs[name] = reference_handle(notebook)
                else:
                    kwargs[name] = item.callspec.params[name]
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - recorded as the test's failure, as a fixture error is
            self._record(item, exc)
            return True
        try:
            item.obj(**kwargs)
        except (KeyboardInterrupt, SystemExit):
            raise
        except pytest.skip.Exception:
            self._record(item, None, passed=False)
        except BaseException as exc:  # noqa: BLE001
            self._record(item, exc)
        else:
            self._record(item, None, passed=True)
        return True

    def _plain(self, item) -> bool:
        """Whether item can run without pytest's protocol (decided once per test function)."""
        key = (item.module.__name__ if hasattr(item, "module") else "", item.originalname)
        if key not in self._plain_tests:
            self._plain_tests[key] = _needs_only_our_fixtures(item)
        return self._plain_tests[key]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """Record the result and return a plain report, without pytest's formatted traceback: nobody
        reads it here, and formatting one (parsing each frame's source) took about 0.3 s per failing
        test, most of the time spent grading a class with many wrong answers."""
        failed = call.excinfo is not None
        if failed and call.excinfo.errisinstance(pytest.skip.Exception):
            report = pytest.TestReport.from_item_and_call(item, call)  # a skip needs its location
        else:
            longrepr = f"{call.excinfo.typename}: {str(call.excinfo.value)[:500]}" if failed else None
            report = pytest.TestReport(item.nodeid, item.location, {k: 1 for k in item.keywords},
                                       "failed" if failed else "passed", longrepr, call.when, [], call.duration,
                                       call.start, call.stop, user_properties=item.user_properties)
        if report.when == "call" or (report.when == "setup" and report.failed):
            self._record(item, call.excinfo.value if report.failed else None, passed=report.passed)
        return report

    def pytest_sessionfinish(self):
        self.close()

    def _record(self, item, exc: BaseException | None, passed: bool = False):
        weight = item.get_closest_marker("weight")
        student_id = item.callspec.params.get("student_id", "?") if hasattr(item, "callspec") else "?"
        status, message = ("ok", "") if exc is None else _explain(item, exc)
        self.results.append(TestResult(
            student_id=student_id, grade_id=exercise_of(item), test=item.originalname,
            weight=float(weight.args[0]) if weight else 1.0, public=item.get_closest_marker("public") is not None,
            passed=passed and exc is None, status=status, message=message, behaviour=_behaviour(item)))


_OUR_FIXTURES = {"student", "reference", "student_id"}
_RUN_CHANGING_MARKS = {"skip", "skipif", "xfail", "usefixtures", "filterwarnings", "timeout"}


def _needs_only_our_fixtures(item) -> bool:
    """True for a plain test function whose arguments are our fixtures (as defined in the hidden conftest)
    and its own parameters, and whose markers do not change how it runs."""
    if not isinstance(item, pytest.Function) or not hasattr(item, "callspec"):
        return False
    if any(m.name in _RUN_CHANGING_MARKS for m in item.iter_markers()):
        return False
    info, params = item._fixtureinfo, set(item.callspec.params)
    closure = set(info.names_closure)
    if closure - _OUR_FIXTURES - {"request"} - params:
        return False  # a fixture of the suite's own: pytest resolves it
    if params & {"student", "reference"} or ("student_id" in closure and "student_id" not in params):
        return False  # our fixtures replaced by parameters, or not run by the grader: pytest's values differ
    for name in closure & {"student", "reference"}:
        defs = info.name2fixturedefs.get(name)
        if not defs or Path(defs[-1].func.__code__.co_filename).resolve() != HIDDEN_DIR / "conftest.py":
            return False  # overridden by the suite: its own definition must run
    return True


def _explain(item, exc: BaseException) -> tuple[str, str]:
    """Status and a student-facing reason; never the test's expected values."""
    if isinstance(exc, ProbeError):
        return exc.status, str(exc)
    if isinstance(exc, AssertionError):
        text = str(exc).split("\nassert ")[0].strip()
        return "failed", text or _doc(item)
    return "error", f"grader error in {item.originalname}: {type(exc).__name__}; please tell your TA"


def _doc(item) -> str:
    doc = (item.function.__doc__ or "").strip().splitlines()
    return doc[0] if doc else f"{item.originalname} failed"


def _behaviour(item) -> str:
    """The check's name as a student reads it: the docstring's first line, else the test's name."""
    doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip().splitlines()
    return doc[0].strip() if doc else item.originalname


def run(student_ids: list[str], open_handle: HandleFactory, suites: list[Path] | None = None,
        only: set[str] | None = None, quiet: bool = True,
        on_student_done: Callable[[str], None] | None = None, lean: bool | None = None,
        diagnose: bool = True) -> Results:
    """Run the hidden suites over the given students and return every test result, with the diagnoses.

    lean: run plain tests without pytest's per-test protocol (HiddenPlugin.pytest_runtest_protocol);
    default: when quiet, since pytest's own output then shows nothing anyway.
    diagnose: name the known mistake behind each exercise a student lost hidden checks on (grading.diagnosis).
    """
    suites = suites or sorted({ROOT / ex.suite for ex in COURSE.exercises if (ROOT / ex.suite).exists()})
    plugin = HiddenPlugin(student_ids, open_handle, only, on_student_done,
                          lean=quiet if lean is None else lean, diagnose=diagnose)
    args = [str(s) for s in suites] + ["-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:logging",
                                       "-p", "no:unraisableexception", "-p", "no:threadexception", "--assert=plain",
                                       "-o", "python_files=test_*.py", "--rootdir", str(ROOT),
                                       "--confcutdir", str(HIDDEN_DIR), "-W", "ignore"]
    args += ["-p", "no:terminal"] if quiet else ["-q"]
    code = pytest.main(args, plugins=[plugin])
    if code not in (0, 1):
        raise RuntimeError(f"hidden suites could not run (pytest exit code {int(code)}): {suites}")
    return Results(plugin.results, plugin.diagnoses)


def summarise(results: list[TestResult]) -> dict[tuple[str, str], Outcome]:
    """(student_id, grade_id) -> Outcome, hidden points split by test weight, with the run's diagnosis if any."""
    diagnoses = getattr(results, "diagnoses", {})
    grouped: dict[tuple[str, str], list[TestResult]] = defaultdict(list)
    for r in results:
        grouped[(r.student_id, r.grade_id)].append(r)
    out = {}
    for key, rs in grouped.items():
        ex = COURSE.exercise(key[1])
        hidden = [r for r in rs if not r.public] or rs
        total = sum(r.weight for r in hidden)
        got = sum(r.weight for r in hidden if r.passed)
        o = Outcome(hidden_score=round(ex.hidden_points * got / total, 4) if total else 0.0,
                    hidden_max=ex.hidden_points,
                    public_confirmed=all(r.passed for r in rs if r.public))
        failed = [r for r in rs if not r.passed]
        if failed:
            o.status = worst([r.status for r in failed])
            o.messages = list(dict.fromkeys(r.message for r in failed))
        o.checks = _checks(rs, {id(r) for r in hidden}, ex.hidden_points / total if total else 0.0)
        o.diagnosis = diagnoses.get(key) if failed else None
        out[key] = o
    return out


def _checks(rs: list[TestResult], weighted: set[int], points_per_weight: float) -> list[Check]:
    """One Check per test function (its parametrized cases folded), points from the weights of its cases.

    A `public` test that re-checks the public cell carries no hidden points (unless every test is public):
    its max is 0 and it gates the public points instead.
    """
    by_test: dict[str, list[TestResult]] = defaultdict(list)
    for r in rs:
        by_test[r.test].append(r)
    names = [cases[0].behaviour or test for test, cases in by_test.items()]
    checks = []
    for (test, cases), name in zip(by_test.items(), names):
        failed = [r for r in cases if not r.passed]
        top = sum(r.weight for r in cases if id(r) in weighted) * points_per_weight
        got = sum(r.weight for r in cases if id(r) in weighted and r.passed) * points_per_weight
        checks.append(Check(
            student_id=cases[0].student_id, grade_id=cases[0].grade_id,
            name=name if names.count(name) == 1 else f"{name} ({test})", passed=not failed,
            status=worst([r.status for r in failed]) if failed else "ok",
            message="\n".join(dict.fromkeys(r.message for r in failed if r.message)),
            points=round(got, 4), max_points=round(top, 4), public=all(r.public for r in cases)))
    return checks


def main(*, notebooks: list[Path] | None = None, verbose: bool = False) -> int:
    """`coursekit hidden`: grade notebooks (or the reference) in this process, unsandboxed, for authors."""
    from coursekit import notebook as nbk
    from coursekit.grading.submission import student_cells

    def open_handle(student_id, notebook):
        for path in notebooks or []:
            if Path(path).stem == notebook:
                return InProcess(student_cells(notebook, nbk.read(path)))
        return InProcess(reference_cells(notebook))

    results = run(["dev"], open_handle, quiet=not verbose)
    for (sid, gid), o in sorted(summarise(results).items()):
        looks = f" [looks like: {o.diagnosis.slug}]" if o.diagnosis else ""
        print(f"{gid:20s} {o.hidden_score:5.2f}/{o.hidden_max:<4} {o.status:8s}{looks} {' | '.join(o.messages)[:200]}")
    return 0
