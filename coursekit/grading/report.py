"""Grading outputs: CSVs, Gradescope results.json, per-student feedback and the class report, written atomically.

Every output is a pure function of the rows, so re-running `grade` on the same
submissions rewrites the same bytes; each file is written to a temporary name
and renamed into place, so an interrupted run leaves the previous outputs whole.
"""
from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

from course_config import COURSE
from coursekit.files import atomic_write
from coursekit.results import GRADE_COLUMNS, SEVERITY, SUMMARY_COLUMNS, Row, worst

def _num(x: float) -> str:
    return f"{x:g}"


def _csv(columns: list[str], records: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for rec in records:
        writer.writerow({k: _num(v) if isinstance(v, float) else v for k, v in rec.items()})
    return buf.getvalue()


def grade_records(rows) -> list[dict]:
    return [{c: getattr(r, c) for c in GRADE_COLUMNS} for r in rows]


def summary_records(rows, flags: str) -> list[dict]:
    by_student: dict[str, list] = defaultdict(list)
    for r in rows:
        by_student[r.student_id].append(r)
    out = []
    for sid, rs in by_student.items():
        statuses = {r.status for r in rs}
        status = worst(statuses)
        student_flags = [flags] + (["tampered"] if "tampered" in statuses else [])
        out.append({"student_id": sid, "score": round(sum(r.public_score + r.hidden_score for r in rs), 4),
                    "max_score": round(sum(r.public_max + r.hidden_max for r in rs), 4),
                    "status": status, "flags": " ".join(f for f in student_flags if f)})
    return out


def gradescope(rows) -> dict:
    """Gradescope's results.json for one student's rows."""
    tests = []
    for r in rows:
        for part, score, top in (("public", r.public_score, r.public_max), ("hidden", r.hidden_score, r.hidden_max)):
            tests.append({"name": f"{r.notebook} {r.grade_id} ({part} tests)", "score": score, "max_score": top,
                          "status": "passed" if score >= top else "failed",
                          "output": r.message if score < top else "", "visibility": "visible"})
    return {"score": round(sum(t["score"] for t in tests), 4), "tests": tests,
            "output": "Autograded by coursekit; hidden tests report behaviour, never expected values."}


def feedback_html(student_id: str, notebook: str, rows) -> str:
    """One notebook's feedback for a student: scores, statuses and actionable messages only."""
    body = "".join(
        f"<tr class='{html.escape(r.status)}'><td>{html.escape(r.grade_id)}</td>"
        f"<td>{_num(r.public_score)}/{_num(r.public_max)}</td><td>{_num(r.hidden_score)}/{_num(r.hidden_max)}</td>"
        f"<td>{html.escape(r.status)}</td><td>{html.escape(r.message)}</td></tr>" for r in rows)
    total = sum(r.public_score + r.hidden_score for r in rows)
    top = sum(r.public_max + r.hidden_max for r in rows)
    return _page(f"{notebook}: feedback for {student_id}", f"""
<p>Score for this notebook: <b>{_num(total)} / {_num(top)}</b>. Public tests are the ones in your notebook;
hidden tests check the same exercises on more cases. Each message says which behaviour to fix.</p>
<table><tr><th>exercise</th><th>public</th><th>hidden</th><th>status</th><th>what to look at</th></tr>{body}</table>""")


def _page(title: str, content: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}
tr.ok td{{background:#eef9ee}}tr.failed td,tr.error td{{background:#fdf0f0}}
tr.timeout td,tr.crashed td,tr.missing td,tr.tampered td{{background:#fff6e0}}</style></head>
<body><h1>{html.escape(title)}</h1>{content}</body></html>
"""


def _plots(rows, out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    totals = defaultdict(float)
    for r in rows:
        totals[r.student_id] += r.public_score + r.hidden_score
    top = sum(e.max_points for e in COURSE.exercises)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(list(totals.values()), bins=20, range=(0, top), color="#4477aa")
    ax.set(xlabel="total score", ylabel="students", title="Score distribution")
    fig.tight_layout()
    atomic_write(out_dir / "scores.png", _png(fig))
    names.append("scores.png")
    per_ex = defaultdict(list)
    for r in rows:
        top_ex = r.public_max + r.hidden_max
        per_ex[r.grade_id].append((r.public_score + r.hidden_score) / top_ex if top_ex else 0)
    ids = [e.grade_id for e in COURSE.exercises if e.grade_id in per_ex]
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar(ids, [100 * sum(per_ex[i]) / len(per_ex[i]) for i in ids], color="#66aa55")
    ax.set(ylabel="mean score (%)", ylim=(0, 100), title="Mean score per exercise")
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    atomic_write(out_dir / "exercises.png", _png(fig))
    names.append("exercises.png")
    plt.close("all")
    return names


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    return buf.getvalue()


def class_report(rows, flags: str, out_dir: Path) -> str:
    plots = _plots(rows, out_dir) if rows else []
    status_counts = Counter((r.grade_id, r.status) for r in rows)
    ids = [e.grade_id for e in COURSE.exercises]
    head = "".join(f"<th>{s}</th>" for s in SEVERITY[::-1])
    table = "".join(f"<tr><td>{g}</td>" + "".join(f"<td>{status_counts.get((g, s), 0) or ''}</td>"
                                                   for s in SEVERITY[::-1]) + "</tr>" for g in ids)
    messages = Counter((r.grade_id, m) for r in rows for m in r.message.split(" | ") if m and r.status != "ok")
    common = "".join(f"<tr><td>{html.escape(g)}</td><td>{n}</td><td>{html.escape(m[:300])}</td></tr>"
                     for (g, m), n in messages.most_common(15))
    n_students = len({r.student_id for r in rows})
    imgs = "".join(f"<img src='{p}' alt='{p}'>" for p in plots)
    return _page("W2D1 class report", f"""
<p>{n_students} students graded. Sandbox: {html.escape(flags)}.</p>{imgs}
<h2>Status per exercise</h2><table><tr><th>exercise</th>{head}</tr>{table}</table>
<h2>Most common problems</h2><table><tr><th>exercise</th><th>students</th><th>message</th></tr>{common}</table>""")


def write_all(rows, flags: str, out: Path) -> None:
    """Write every contract output under out/autograded and out/feedback; flags name the sandbox protections."""
    auto, feedback = Path(out) / "autograded", Path(out) / "feedback"
    atomic_write(auto / "grades.csv", _csv(GRADE_COLUMNS, grade_records(rows)))
    atomic_write(auto / "summary.csv", _csv(SUMMARY_COLUMNS, summary_records(rows, f"sandbox={flags}")))
    by_student: dict[str, list] = defaultdict(list)
    for r in rows:
        by_student[r.student_id].append(r)
    for sid, rs in by_student.items():
        atomic_write(auto / sid / COURSE.assignment / "results.json", json.dumps(gradescope(rs), indent=2) + "\n")
        for nb in COURSE.tutorials:
            atomic_write(feedback / sid / COURSE.assignment / f"{nb}.html",
                         feedback_html(sid, nb, [r for r in rs if r.notebook == nb]))
    atomic_write(auto / "report.html", class_report(rows, flags, auto))


def summary_table(rows) -> str:
    recs = summary_records(rows, "")
    width = max([len(r["student_id"]) for r in recs] + [10])
    lines = [f"{'student':{width}s} {'score':>7s} {'max':>5s}  status"]
    lines += [f"{r['student_id']:{width}s} {r['score']:7.2f} {r['max_score']:5g}  {r['status']}" for r in recs]
    return "\n".join(lines)


def read_rows(auto_dir: Path) -> list[Row]:
    with open(Path(auto_dir) / "grades.csv", newline="", encoding="utf-8") as fh:
        return [Row.from_record(rec) for rec in csv.DictReader(fh)]
