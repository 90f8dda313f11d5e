"""`coursekit grade`: every submission graded by nbgrader (public) and the hidden suites, nothing lost.

Pipeline per shard of students (one worker process each with --jobs N):
discover -> start the fork-server (before anything secret is loaded) ->
nbgrader autograde in sandboxed kernels -> hidden suites against sandboxed
children -> rows.  The main process merges rows and writes every output
atomically (coursekit.grading.report).  A submission that is missing, unreadable,
hostile or crashing still gets one row per exercise with a status.
"""
from __future__ import annotations

import multiprocessing as mp
import sys
import time
from dataclasses import replace
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from course_config import COURSE, ROOT
from coursekit import notebook as nbk
from coursekit.grading.discover import discover, select_shard
from coursekit.results import CellProblem, Check, Found, Graded, Row, worst

def grade_shard(found: list[Found], unsafe: bool, public: bool, progress=None) -> Graded:
    """Grade a list of students in this process."""
    from coursekit.isolation.forkserver import ForkServer  # started first: nothing secret is loaded yet
    from coursekit.isolation import sandbox

    with ForkServer(unsafe=unsafe) as server:
        sandbox.refuse_if_unprotected(server.protections, unsafe)
        t0 = time.perf_counter()
        public_results = _public(found, server.kernel_socket) if public else {}
        t1 = time.perf_counter()
        done: list[tuple[float, str]] = []  # (time, slug) as each student's hidden suites finish
        names = {f.slug: f.student_id for f in found}

        def student_done(slug: str) -> None:
            done.append((time.perf_counter(), slug))
            if progress is not None:
                progress(names.get(slug, slug))

        hidden_outcomes, cell_problems = _hidden(found, server, student_done)
        t2 = time.perf_counter()
        rows = [row for f in found for row in _rows(f, public_results, hidden_outcomes, public)]
        timing = {"public_seconds": t1 - t0, "hidden_seconds": t2 - t1,
                  "notebooks": sum(len(f.notebooks) for f in found), **_warm(done, found)}
        return Graded(rows, server.protections, timing, cell_problems)


def _warm(done: list[tuple[float, str]], found: list[Found]) -> dict:
    """Hidden-suite time once warm: from the first graded student to the last, over the later students' notebooks.

    The first student pays for pytest's start, collecting the suites and loading the reference solutions.
    """
    count = {f.slug: len(f.notebooks) for f in found}
    graded = [(t, sid) for t, sid in done if count[sid]]
    if len(graded) < 2:
        return {"hidden_warm_seconds": 0.0, "hidden_warm_notebooks": 0}
    return {"hidden_warm_seconds": graded[-1][0] - graded[0][0],
            "hidden_warm_notebooks": sum(count[sid] for _, sid in graded[1:])}


def _public(found: list[Found], kernel_socket: str | None = None) -> dict:
    from coursekit.grading import public as pub
    from coursekit.isolation import scratch
    from coursekit.isolation import sandbox_kernel
    from coursekit.grading.submission import release_notebook

    students = {f.slug: f.notebooks for f in found if f.notebooks}  # nbgrader's student ids are the slugs
    if not students:
        return {}
    with scratch.TemporaryDirectory("nbgrader") as tmp:
        course, kernels = Path(tmp) / "course", Path(tmp) / "jupyter"
        pub.prepare(course, students)
        sandbox_kernel.install_kernelspec(kernels, name=pub.KERNEL_NAME)
        pub.autograde(course, kernels, Path(tmp) / "nbgrader.log", kernel_socket)
        release = {name: release_notebook(name) for name in COURSE.tutorials}
        return pub.results(course, students, release)


def _hidden(found: list[Found], server, progress) -> tuple[dict, list[CellProblem]]:
    from coursekit.grading import hidden
    from coursekit.isolation.handle import StudentSandbox
    from coursekit.isolation.probe import ProbeError
    from coursekit.grading.submission import student_plan

    by_id = {f.slug: f for f in found}  # pytest's ids are the slugs
    current: list[tuple[str, StudentSandbox, dict]] = []  # the student being graded: one sandbox for all notebooks
    opened: list[tuple[Found, StudentSandbox, dict]] = []  # every student's sandbox and plans, for cell problems

    def refuse(status: str, message: str):
        raise ProbeError(message, status=status)

    def open_handle(slug: str, notebook: str):
        f = by_id[slug]
        if notebook not in f.notebooks:
            refuse(*f.problems.get(notebook, ("missing", "notebook not submitted")))
        if not current or current[0][0] != slug:
            cells, plans, unreadable = {}, {}, {}
            for name, path in f.notebooks.items():
                try:
                    plans[name] = student_plan(name, nbk.read(path))
                    cells[name] = [(label, source) for _, label, source in plans[name]]
                except (nbk.NotebookError, ValueError, KeyError) as exc:
                    unreadable[name] = str(exc)
            current[:] = [(slug, StudentSandbox(server, cells, COURSE.limits), unreadable)]
            opened.append((f, current[0][1], plans))
        _, sandbox, unreadable = current[0]
        if notebook in unreadable:
            refuse("error", f"{f.notebooks[notebook].name} could not be read: {unreadable[notebook]}")
        return sandbox.handle(notebook)

    ids = [f.slug for f in found if f.notebooks]
    for f in found:
        if not f.notebooks and progress is not None:
            progress(f.slug)
    if not ids:
        return {}, []
    results = hidden.run(ids, open_handle, on_student_done=progress)
    return hidden.summarise(results), [p for f, box, plans in opened for p in _cell_problems(f, box, plans)]


def _cell_problems(f: Found, box, plans: dict) -> list[CellProblem]:
    """Cells the student added that raised or timed out in the hidden-suite child (they cost no points).

    A solution cell's error is not repeated here: the exercise's checks already name its cell and line.
    """
    from coursekit.grading.submission import ADDED

    out = []
    for name, errors in box.cell_errors.items():
        cells = {label: cell for cell, label, _ in plans.get(name, []) if cell is not None}
        for e in errors:
            cell = cells.get(e.get("ran"))
            if cell is not None and cell.role == ADDED:
                out.append(CellProblem(f.student_id, name, cell.number, cell.first_line, e.get("type", "Error"),
                                       e.get("message", "")[:500]))
    return out


def _rows(f: Found, public_results: dict, hidden_outcomes: dict, public: bool) -> list[Row]:
    rows = []
    for ex in COURSE.exercises:
        if ex.notebook in f.problems:
            status, message = f.problems[ex.notebook]
            rows.append(Row(f.student_id, ex.notebook, ex.grade_id, 0, ex.public_points, 0, ex.hidden_points,
                            status, message, flags=list(f.flags)))
            continue
        o = hidden_outcomes.get((f.slug, ex.grade_id))
        p = public_results.get((f.slug, ex.grade_id))
        hidden_score = o.hidden_score if o else 0.0
        status = o.status if o else "error"
        messages = list(o.messages) if o else ["the hidden tests could not run"]
        public_ok = (p.passed if p else not public) and (o.public_confirmed if o else False)
        if p and not p.passed:
            said = p.message.removeprefix("public test failed: ")
            if not any(said in m for m in messages):  # the hidden tests' message already says it, with the line
                messages.insert(0, p.message)
            if status == "ok":
                status = p.status
        elif p and p.passed and o and not o.public_confirmed:
            messages.insert(0, "the public test passed in your notebook but the same check failed when re-run "
                               "by the grader")
        if p and p.tampered:
            status = "tampered"
            messages.insert(0, p.tampered)
        lost = (ex.public_points if public_ok else 0.0) + hidden_score < ex.public_points + ex.hidden_points
        rows.append(Row(f.student_id, ex.notebook, ex.grade_id, ex.public_points if public_ok else 0.0,
                        ex.public_points, hidden_score, ex.hidden_points, status,
                        " | ".join(m for m in dict.fromkeys(messages) if m)[:2000],
                        checks=[_public_check(f.student_id, ex, p, o, public_ok)]
                        + [replace(c, student_id=f.student_id) for c in (o.checks if o else [])],
                        flags=list(f.flags), diagnosis=o.diagnosis if o and lost else None))
    return rows


def _public_check(student_id: str, ex, p, o, public_ok: bool) -> Check:
    """The public test cell as one check: passed in the student's notebook and confirmed by the grader."""
    if p and p.tampered:
        status, message = "tampered", p.tampered
    elif p and not p.passed:
        status, message = p.status, p.message
    elif o is None:
        status, message = "error", "the grader could not re-run this check"
    elif not o.public_confirmed:
        status = worst([c.status for c in o.checks if c.public and not c.passed] or ["failed"])
        message = "the public test passed in your notebook but the same check failed when re-run by the grader"
    else:
        status, message = ("ok", "") if public_ok else ("failed", "")
    return Check(student_id, ex.grade_id, f"The public test in your notebook ({ex.test_cell})", public_ok,
                 "ok" if public_ok else status, "" if public_ok else message,
                 ex.public_points if public_ok else 0.0, ex.public_points, public=True)


def shards(found: list[Found], jobs: int) -> list[list[Found]]:
    """Split students over `jobs` workers with about the same work each, in discovery order within a shard.

    A worker grades its shard one notebook after another, so its work is about its number of notebooks:
    students with the most notebooks go first, each to the worker with the fewest so far (ties: the
    lowest worker).  A class where everyone submitted everything is dealt out in turn, as before.
    """
    order = {id(f): i for i, f in enumerate(found)}
    parts: list[list[Found]] = [[] for _ in range(jobs)]
    load = [0] * jobs
    for f in sorted(found, key=lambda f: -len(f.notebooks)):  # sorted() is stable: ties keep discovery order
        i = load.index(min(load))
        parts[i].append(f)
        load[i] += 1 + len(f.notebooks)  # a student without notebooks still costs a row and a hidden lookup
    return [sorted(part, key=lambda f: order[id(f)]) for part in parts]


def _worker(found: list[Found], unsafe: bool, public: bool, queue) -> Graded:
    return grade_shard(found, unsafe, public, progress=queue.put if queue is not None else None)


def grade(found: list[Found], jobs: int = 1, unsafe: bool = False, public: bool = True,
          show_progress: bool = True) -> Graded:
    """Grade students with `jobs` worker processes; rows come back in discovery order."""
    from coursekit.grading.progress import Progress

    jobs = max(1, min(jobs, len(found) or 1))
    if public:
        from coursekit.authoring import ensure_gradebook

        ensure_gradebook()  # gitignored: a fresh clone builds it once, before workers start
    with Progress(total=len(found), enabled=show_progress) as bar:
        if jobs == 1:
            graded = grade_shard(found, unsafe, public, progress=bar.done)
        else:
            ctx = mp.get_context("spawn")
            with ctx.Manager() as manager, ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
                queue = manager.Queue()
                futures = [pool.submit(_worker, part, unsafe, public, queue) for part in shards(found, jobs)]
                while not all(fu.done() for fu in futures):
                    bar.drain(queue, timeout=0.2)
                bar.drain(queue, timeout=0)
                parts = [fu.result() for fu in futures]
            graded = Graded([r for part in parts for r in part.rows], parts[0].protections,
                            {k: sum(p.timing[k] for p in parts) for k in parts[0].timing},
                            [c for part in parts for c in part.cell_problems])
    order = {f.student_id: i for i, f in enumerate(found)}
    graded.rows.sort(key=lambda r: (order[r.student_id], [e.grade_id for e in COURSE.exercises].index(r.grade_id)))
    return graded


def _grade_changed(found: list[Found], submitted: Path, out: Path, *, jobs: int, unsafe: bool, public: bool,
                   force: bool) -> tuple[Graded, str]:
    """Grade the students whose inputs changed since their last record (all with force), record them, and
    return every student's rows (fresh and kept, discovery order) with the sandbox flags for the outputs."""
    from coursekit.grading import incremental
    from coursekit.isolation import sandbox

    todo = incremental.plan(found, submitted, out, force=force, settings={"public": public, "unsafe": unsafe})
    print(todo.describe(), file=sys.stderr)
    graded, flags = Graded([], {}, {}), None
    if todo.to_grade:
        graded = grade(todo.to_grade, jobs=jobs, unsafe=unsafe, public=public)
        flags = sandbox.flags(graded.protections)
        print(sandbox.describe(graded.protections), file=sys.stderr)
        incremental.record(graded, todo.to_grade, todo.keys, flags, out)  # only now: every row of the run exists
    return incremental.combine(found, todo, graded, flags)


def _seconds(timing: dict, found: list[Found]) -> dict[str, float]:
    """Each student's share of this run's grading time, for results.json's execution_time (volatile)."""
    graded = timing.get("regraded_students", len(found)) or 1
    share = (timing.get("public_seconds", 0.0) + timing.get("hidden_seconds", 0.0)) / graded
    return {f.student_id: share for f in found}


def main(*, submitted: Path | None = None, jobs: int = 1, shard: str | None = None, out: Path | None = None,
         unsafe: bool = False, public: bool = True, force: bool = False, roster: Path | None = None) -> int:
    """`coursekit grade`: grade SUBMITTED (default submitted/) into OUT/autograded and OUT/feedback."""
    from coursekit.grading import incremental, manual, totals
    from coursekit.grading import report
    from coursekit.grading.roster import RosterError, load as load_roster, with_roster
    from coursekit.isolation import scratch

    scratch.sweep_and_say()
    submitted = Path(submitted) if submitted else COURSE.submitted_dir
    out = Path(out) if out else ROOT
    try:  # read before grading: a typo in the TAs' files should not cost a whole run
        people = load_roster(roster, required=roster is not None)
        manual.load(manual.path(out))
    except (RosterError, manual.ManualError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    everyone = with_roster(discover(submitted), people)  # a rostered student with no folder gets `missing` rows
    found = select_shard(everyone, shard)
    print(f"grading {len(found)} submission(s) from {submitted} with {jobs} job(s)", file=sys.stderr)
    if not found:
        print(f"warning: no student folders in {submitted}", file=sys.stderr)
    for note in dict.fromkeys(n for f in found for n in f.notes):
        print(f"warning: {note}", file=sys.stderr)
    start = time.perf_counter()
    graded, flags = _grade_changed(found, submitted, out, jobs=jobs, unsafe=unsafe, public=public, force=force)
    incremental.prune(everyone, out)
    rows = graded.rows
    # formgrader's scores come from the gradebook, which holds hidden tests: opened only once every sandbox is gone
    written = manual.by_notebook(manual.scores(out))
    report.write_all(rows, flags, out, submissions={f.student_id: f.notebooks for f in found},
                     cell_problems=graded.cell_problems, seconds=_seconds(graded.timing, found),
                     extra=totals.for_grade(rows, people, submitted, written))
    report.write_timing(graded.timing, out / "autograded")
    print(report.summary_table(rows), file=sys.stderr)
    print(f"graded {len(found)} submission(s) in {time.perf_counter() - start:.1f} s; "
          f"outputs in {out / 'autograded'}", file=sys.stderr)
    return 0
