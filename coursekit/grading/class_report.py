"""The instructors' class report (autograded/report.html + PNG plots): distributions, pass rates, item statistics,
and the known mistakes diagnosed per exercise (grading.diagnosis), each with its students.

A pure function of the rows (with their checks) and the sandbox flags, so a
merge of shards rebuilds it byte for byte.  Grading time is volatile, so it is
not in report.html: the page loads it from timing.js beside it (written with
timing.json by `grade`), and says where to find it when that file is absent.
"""
from __future__ import annotations

import io
import statistics
from collections import defaultdict
from pathlib import Path

from course_config import COURSE
from coursekit.files import atomic_write
from coursekit.grading import advice
from coursekit.grading.exports import by_student
from coursekit.grading.pages import esc, feedback_href, fraction, page, points
from coursekit.grading.totals import report_section as class_list
from coursekit.results import SEVERITY, Row

QUINTILES = 5
MOST_FAIL = 0.5  # a check failed by more than this share of students is flagged
FLAG_WORDS = {"landlock": "Landlock filesystem rules (ABI version)", "tcp": "Landlock blocks TCP",
              "scopes": "Landlock scopes (signals, abstract sockets)", "netns": "no network (own network namespace)",
              "pidns": "own process namespace", "rlimits": "CPU, memory, process and file-size limits",
              "nnp": "no new privileges", "nonroot": "student code runs as an unprivileged user",
              "nocaps": "no capabilities", "seccomp": "system-call filter"}


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3 or statistics.pstdev(xs) == 0 or statistics.pstdev(ys) == 0:
        return None
    return statistics.correlation(xs, ys)


def exercise_stats(rows: list[Row]) -> list[dict]:
    """Per exercise: mean, median, standard deviation (points), discrimination, mean % per quintile of the class."""
    students = by_student(rows)
    totals = {sid: sum(r.score for r in rs) for sid, rs in students.items()}
    ranked = sorted(totals, key=lambda sid: (totals[sid], sid))
    size, extra = divmod(len(ranked), QUINTILES)
    groups, start = [], 0
    for q in range(QUINTILES):  # lowest totals first; the first `extra` groups take one more student
        end = start + size + (q < extra)
        groups.append(ranked[start:end])
        start = end
    out = []
    for ex in COURSE.exercises:
        score = {sid: r.score for sid, rs in students.items() for r in rs if r.grade_id == ex.grade_id}
        if not score:
            continue
        ids = sorted(score)
        values = [score[s] for s in ids]
        pct = [[100 * score[s] / ex.max_points for s in g if s in score] for g in groups]
        out.append({"grade_id": ex.grade_id, "max": ex.max_points, "values": values,
                    "mean": statistics.fmean(values), "median": statistics.median(values),
                    "sd": statistics.pstdev(values),
                    "discrimination": _pearson(values, [totals[s] - score[s] for s in ids]),
                    "quintiles": [statistics.fmean(p) if p else None for p in pct]})
    return out


def check_stats(rows: list[Row]) -> list[dict]:
    """Per check (exercise, name, kind): who took it, who failed it, and whether it looks suspect."""
    stats: dict[tuple, dict] = {}
    all_passed_else = {}
    for sid, rs in by_student(rows).items():
        checks = [c for r in rs for c in r.checks]
        failed = [c for c in checks if not c.passed]
        all_passed_else[sid] = (len(failed) == 1 and all(r.checks for r in rs)) and failed[0]
    notebook = {ex.grade_id: ex.notebook for ex in COURSE.exercises}
    for r in rows:
        for c in r.checks:
            s = stats.setdefault((c.grade_id, c.name, c.public),
                                 {"grade_id": c.grade_id, "name": c.name, "public": c.public, "taken": 0,
                                  "failed": [], "alone": 0, "notebook": notebook.get(c.grade_id, r.notebook)})
            s["taken"] += 1
            if not c.passed:
                s["failed"].append(c.student_id)
                s["alone"] += all_passed_else.get(c.student_id) is c
    for s in stats.values():
        s["failed"].sort()
        s["flags"] = ([f"failed by most students ({len(s['failed'])} of {s['taken']})"]
                      if s["taken"] >= 2 and len(s["failed"]) > MOST_FAIL * s["taken"] else [])
        if s["alone"]:
            s["flags"].append(f"the only check failed by {s['alone']} student(s) who pass everything else")
    order = [ex.grade_id for ex in COURSE.exercises]
    return sorted(stats.values(), key=lambda s: (order.index(s["grade_id"]) if s["grade_id"] in order else 99,
                                                 not s["public"]))


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, metadata={"Software": None})
    return buf.getvalue()


def plots(rows: list[Row], ex_stats: list[dict], out_dir: Path) -> list[tuple[str, str]]:
    """Write scores.png (totals) and exercises.png (one histogram per exercise); return (file, alt text)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = [sum(r.score for r in rs) for rs in by_student(rows).values()]
    top = sum(e.max_points for e in COURSE.exercises)
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.hist(totals, bins=20, range=(0, top), color="#33669a", edgecolor="#ffffff")
    ax.set(xlabel="total score (points)", ylabel="students", title="Score distribution")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.18, top=0.88)  # fixed: tight_layout doubles the cost
    atomic_write(out_dir / "scores.png", _png(fig))
    cols = 5
    nrows = max(1, -(-len(ex_stats) // cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(11, 2.1 * nrows), squeeze=False)
    for ax, st in zip(axes.flat, ex_stats):
        ax.hist(st["values"], bins=8, range=(0, st["max"]), color="#4d7f3a", edgecolor="#ffffff")
        ax.axvline(st["mean"], color="#a4161a", linewidth=1.5)
        ax.set_title(f"{st['grade_id']} (max {points(st['max'])})", fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(ex_stats):]:
        ax.axis("off")
    fig.suptitle("Score per exercise (points; red line: mean)", fontsize=10)
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.08, top=0.84, wspace=0.3, hspace=0.55)
    atomic_write(out_dir / "exercises.png", _png(fig))
    plt.close("all")
    return [("scores.png", "Histogram of the students' total scores"),
            ("exercises.png", "One histogram of scores per exercise, with its mean")]


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def exercises_table(ex_stats: list[dict]) -> str:
    head = ("<tr><th>exercise</th><th class=\"num\">max</th><th class=\"num\">mean</th><th class=\"num\">median</th>"
            "<th class=\"num\">sd</th><th class=\"num\">discrimination</th>"
            + "".join(f"<th class=\"num\">Q{q + 1}</th>" for q in range(QUINTILES)) + "</tr>")
    body = "".join(
        f"<tr><td>{esc(s['grade_id'])}</td><td class=\"num\">{points(s['max'])}</td>"
        f"<td class=\"num\">{_fmt(s['mean'])}</td><td class=\"num\">{_fmt(s['median'])}</td>"
        f"<td class=\"num\">{_fmt(s['sd'])}</td><td class=\"num\">{_fmt(s['discrimination'])}</td>"
        + "".join(f"<td class=\"num\">{_fmt(q, 0)}{'%' if q is not None else ''}</td>" for q in s["quintiles"])
        + "</tr>" for s in ex_stats)
    return (f"<table>{head}{body}</table><p class=\"muted\">How to read: discrimination is the correlation of the "
            "exercise's score with the rest of each student's total (above 0.3 separates strong from weak students "
            "well; near 0 or negative, look at the exercise or its tests). Q1..Q5 are the mean score, as % of the "
            "exercise's max, of each fifth of the class ranked by total, Q1 lowest: it should rise from Q1 to Q5."
            "</p>")


def _students(ids: list[str], grade_id: str, notebook: str) -> str:
    return ", ".join(f"<a href=\"{esc(feedback_href(sid, COURSE.assignment, notebook, grade_id))}\">{esc(sid)}</a>"
                     for sid in ids)


def checks_table(c_stats: list[dict]) -> str:
    body = "".join(
        f"<tr><td>{esc(s['grade_id'])}</td><td>{esc(s['name'])}</td><td>{'public' if s['public'] else 'hidden'}</td>"
        f"<td class=\"num\">{_fmt(100 * (s['taken'] - len(s['failed'])) / s['taken'], 0)}%</td>"
        f"<td class=\"num\">{s['taken'] - len(s['failed'])}/{s['taken']}</td>"
        f"<td>{'; '.join(esc(f) for f in s['flags'])}</td>"
        f"<td>{_students(s['failed'], s['grade_id'], s['notebook'])}</td></tr>" for s in c_stats)
    return ("<table><tr><th>exercise</th><th>check</th><th>kind</th><th class=\"num\">pass rate</th>"
            "<th class=\"num\">passed</th><th>suspect?</th><th>failed by (links to their feedback)</th></tr>"
            f"{body}</table>")


def diagnoses_table(rows: list[Row]) -> str:
    """Per exercise and known mistake (grading.diagnosis): how many students made it, and who."""
    found: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        if r.diagnosis is not None:
            found[(r.grade_id, r.diagnosis.slug)].append(r)
    if not found:
        return "<p>No answer matched a known mistake of the banks.</p>"
    order = [ex.grade_id for ex in COURSE.exercises]
    lines = []
    for (grade_id, slug), rs in sorted(found.items(), key=lambda kv: (
            order.index(kv[0][0]) if kv[0][0] in order else 99, -len(kv[1]), kv[0][1])):
        ids = sorted(r.student_id for r in rs)
        lines.append(f"<tr><td>{esc(grade_id)}</td><td><code>{esc(slug)}</code><br>{esc(rs[0].diagnosis.sentence)}</td>"
                     f"<td class=\"num\">{len(ids)}</td><td>{_students(ids, grade_id, rs[0].notebook)}</td></tr>")
    return ("<table><tr><th>exercise</th><th>known mistake</th><th class=\"num\">students</th>"
            "<th>who (links to their feedback)</th></tr>" + "".join(lines) + "</table><p class=\"muted\">A "
            "diagnosis is given only when a wrong answer behaves exactly like one known mistake of the bank on "
            "every case the checks tried; it is in diagnoses.csv too.</p>")


def statuses_table(rows: list[Row]) -> str:
    """Every non-ok status, with the students and exercises it concerns."""
    by_status: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        if r.status != "ok":
            by_status[r.status].append(r)
    if not by_status:
        return "<p>Every exercise of every student was graded with status ok.</p>"
    lines = []
    for status in (s for s in SEVERITY if s in by_status):
        for r in sorted(by_status[status], key=lambda r: (r.student_id, r.grade_id)):
            lines.append(f"<tr><td>{esc(status)} ({esc(advice.WORDS.get(status, status))})</td>"
                         f"<td>{_students([r.student_id], r.grade_id, r.notebook)}</td><td>{esc(r.grade_id)}</td>"
                         f"<td>{fraction(r.score, r.max_score)}</td><td>{esc(r.message[:240])}</td></tr>")
    return ("<table><tr><th>status</th><th>student</th><th>exercise</th><th>score</th><th>first message</th></tr>"
            + "".join(lines) + "</table>")


def protections(flags: str) -> str:
    items = []
    for flag in sorted({f for part in flags.split("+") for f in part.split(",") if f and f != "none"}):
        key = flag.rstrip("0123456789").split("=")[0]
        items.append(f"<li><code>{esc(flag)}</code>: {esc(FLAG_WORDS.get(key, 'see coursekit.isolation.sandbox'))}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else "<p class=\"failed\">No sandbox protection was recorded.</p>"


TIMING = ("<p id=\"timing\">Grading time is in <a href=\"timing.json\">timing.json</a> beside this report.</p>"
          "<script src=\"timing.js\"></script>")


def report(rows: list[Row], flags: str, out_dir: Path, extra: dict[str, dict] | None = None) -> str:
    """Write the plots into out_dir and return the report's HTML (extra: grading.totals' columns per student)."""
    ex_stats = exercise_stats(rows) if rows else []
    images = plots(rows, ex_stats, out_dir) if rows else []
    students = by_student(rows)
    totals = [sum(r.score for r in rs) for rs in students.values()]
    top = sum(e.max_points for e in COURSE.exercises)
    mean = f"mean {points(statistics.fmean(totals))}, median {points(statistics.median(totals))}" if totals else ""
    imgs = "".join(f"<p><img src=\"{esc(name)}\" alt=\"{esc(alt)}\"></p>" for name, alt in images)
    content = f"""
<p>{len(students)} student(s) graded, out of {points(top)} points: {mean}. Exports beside this page:
<a href="grades.csv">grades.csv</a>, <a href="summary.csv">summary.csv</a>, <a href="scores.csv">scores.csv</a>
(student x exercise), <a href="checks.csv">checks.csv</a> (student x check).</p>
{imgs}
<h2>Exercises: item statistics</h2>{exercises_table(ex_stats)}
<h2>Checks: pass rates and suspects</h2>{checks_table(check_stats(rows))}
<h2>Known mistakes: diagnoses per exercise</h2>{diagnoses_table(rows)}
{class_list(extra or {}, rows)}
<h2>Statuses other than ok</h2>{statuses_table(rows)}
<h2>Protections that held</h2>{protections(flags)}
<h2>Grading time</h2>{TIMING}"""
    return page(f"{COURSE.assignment} class report", content)


def timing_script(timing: dict) -> str:
    """timing.js: fills the report's grading-time paragraph (kept out of report.html, which is reproducible)."""
    import json

    text = ", ".join(f"{k.replace('_', ' ')} {v:.1f}" if isinstance(v, float) else f"{k.replace('_', ' ')} {v}"
                     for k, v in timing.items() if isinstance(v, (int, float)))
    return ("// Generated by coursekit grade: this run's timing (volatile; see timing.json).\n"
            f"document.getElementById('timing').textContent = {json.dumps('Grading time: ' + text + '.')};\n")
