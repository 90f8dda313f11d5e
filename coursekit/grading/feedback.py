"""A student's feedback page for one notebook: scores, every check by name, states that could not be graded, their code.

Nothing secret reaches it: check names are the hidden tests' docstrings (the
behaviour checked), messages are the hidden tests' own student-facing reasons,
and the code shown is the student's, taken with coursekit.grading.submission as
the grader ran it.  Failed checks are open <details>, passed ones folded; each
state has a word and an icon besides its colour.  An exercise whose behaviour
matches a known mistake (grading.diagnosis) says so above its checks: "This
looks like: <the mistake, in a sentence>".
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from course_config import COURSE
from coursekit.grading import advice
from coursekit.grading.pages import ICONS, esc, fraction, page, points
from coursekit.results import CellProblem, Check, Row


@lru_cache(maxsize=1)
def _code_css() -> str:
    from pygments.formatters import HtmlFormatter

    from coursekit.grading.pages import CODE_STYLE

    return "\n".join(HtmlFormatter(style=CODE_STYLE).get_token_style_defs("div.code")) + "\n"


def highlight(source: str) -> str:
    """Python source as highlighted HTML (pygments; colours from the page's stylesheet, no inline styles)."""
    from pygments import highlight as pyg
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    return pyg(source, PythonLexer(), HtmlFormatter(cssclass="code"))


def _shown(check: Check, today: dt.date) -> bool:
    return COURSE.visibility.shown(check.grade_id, check.public, today)


def _state(check: Check) -> str:
    if check.passed:
        return "passed"
    return "problem" if check.status in ("timeout", "crashed", "tampered") else "failed"


def _pts(check: Check) -> str:
    if check.max_points == 0 and check.public:
        return "needed for the public points"
    return fraction(check.points, check.max_points)


def check_html(check: Check) -> str:
    """One check as a <details>: open when it failed, folded when it passed."""
    state = _state(check)
    word = advice.WORDS["ok"] if check.passed else advice.WORDS.get(check.status, check.status)
    lines = check.message.splitlines() if not check.passed else []
    body = "".join(f"<p>{esc(line)}</p>" for line in lines if line.strip())
    if check.passed:
        body = "<p>Passed on every case tried.</p>"
    elif not body:
        body = "<p>This check failed; no further detail was given.</p>"
    return (f"<details class=\"check {state}\"{' open' if not check.passed else ''}><summary>"
            f"<span aria-hidden=\"true\">{ICONS[state]}</span> {esc(word)}: {esc(check.name)} "
            f"<span class=\"pts\">[{_pts(check)}]</span></summary>{body}</details>")


def _withheld(checks: list[Check], reason: str) -> str:
    """A count of checks that are not listed by name: how many passed and their points."""
    if not checks:
        return ""
    return (f"<div class=\"note hidden\"><p><span aria-hidden=\"true\">{ICONS['hidden']}</span> "
            f"{len(checks)} more check(s) count here but {reason}: {sum(c.passed for c in checks)} passed, "
            f"{fraction(sum(c.points for c in checks), sum(c.max_points for c in checks))} points.</p></div>")


def _group(title: str, checks: list[Check], today: dt.date) -> str:
    if not checks:
        return ""
    shown = [_shown(c, today) for c in checks]
    listed = [c for c, ok in zip(checks, shown) if ok]
    later = [c for c, ok in zip(checks, shown) if not ok
             and COURSE.visibility.of(c.grade_id, c.public) == "after_due_date"]
    never = [c for c, ok in zip(checks, shown) if not ok and all(c is not x for x in later)]
    when = f"from {COURSE.visibility.reveal_on}" if COURSE.visibility.reveal_on else "later"
    ordered = [c for c in listed if not c.passed] + [c for c in listed if c.passed]
    return (f"<h3>{esc(title)}: {sum(c.passed for c in checks)} of {len(checks)} passed</h3>"
            + "".join(check_html(c) for c in ordered)
            + _withheld(later, f"are shown {when}") + _withheld(never, "are not listed"))


def _problem_note(status: str, message: str, title: str = "Could not be graded") -> str:
    word = "error" if status == "error" and title == "Could not be graded" else advice.WORDS.get(status, status)
    return (f"<div class=\"note problem\"><p><b><span aria-hidden=\"true\">{ICONS['problem']}</span> {title} "
            f"({esc(word)})</b></p><p>{esc(message)}</p>"
            f"<p>What to do: {esc(advice.for_status(status))}</p></div>")


def _partly(row: Row) -> str:
    if row.status == "tampered":
        return "A locked test cell of this exercise was edited in your notebook."
    n = sum(c.status == row.status for c in row.checks)
    return f"{n} check(s) below {advice.WORDS[row.status]} before finishing; the others were graded as usual."


def exercise_html(row: Row, code: str | None, today: dt.date) -> str:
    """One exercise: its scores, its checks (public, then hidden) and the student's code for it."""
    parts = [f"<section class=\"exercise\" id=\"{esc(row.grade_id)}\">",
             f"<h2>Exercise {esc(row.grade_id)}: {fraction(row.score, row.max_score)}</h2>",
             f"<p class=\"muted\">public {fraction(row.public_score, row.public_max)} · hidden "
             f"{fraction(row.hidden_score, row.hidden_max)} · {esc(advice.WORDS.get(row.status, row.status))}</p>"]
    if row.diagnosis is not None:
        parts.append(diagnosis_html(row))
    if not row.checks:
        parts.append(_problem_note(row.status, row.message))
    else:
        if row.status in ("timeout", "crashed", "tampered"):
            parts.append(_problem_note(row.status, _partly(row), "Partly graded"))
        parts.append(_group("Public checks (your notebook's test cell, re-run by the grader)",
                            [c for c in row.checks if c.public], today))
        parts.append(_group("Hidden checks (more cases of the same exercise)",
                            [c for c in row.checks if not c.public], today))
    if code is not None:
        lost = row.score < row.max_score
        parts.append(f"<details class=\"yourcode\"{' open' if lost else ''}><summary>Your code for "
                     f"{esc(row.grade_id)}, as the grader ran it</summary>{highlight(code)}</details>")
    parts.append("</section>")
    return "\n".join(parts)


def diagnosis_html(row: Row) -> str:
    """The known mistake the exercise's answer behaves like, in the student's words."""
    return (f"<div class=\"note failed diagnosis\"><p><b>This looks like:</b> {esc(row.diagnosis.sentence)}.</p>"
            "<p>Your code gives the same results as this known mistake on every case the checks tried.</p></div>")


def verdict(rows: list[Row]) -> str:
    """One honest sentence: public checks passing never reads as everything passing."""
    checks = [c for r in rows for c in r.checks]
    public = [c for c in checks if c.public]
    hidden = [c for c in checks if not c.public]
    failed_hidden = sum(not c.passed for c in hidden)
    not_graded = [r for r in rows if not r.checks]
    if not_graded:
        return (f"{len(not_graded)} of {len(rows)} exercise(s) could not be graded; see what to do below, "
                "then submit again.")
    if checks and all(c.passed for c in checks):
        return "Every check passed, public and hidden."
    if public and all(c.passed for c in public) and failed_hidden:
        return (f"The public tests in your notebook pass, but {failed_hidden} of {len(hidden)} hidden checks "
                "fail: the hidden checks try more cases. Each failed check below says what to fix.")
    return (f"{sum(c.passed for c in public)} of {len(public)} public and {len(hidden) - failed_hidden} of "
            f"{len(hidden)} hidden checks passed. Each failed check below says what to fix.")


def _cell_problems(problems: list[CellProblem]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>your cell {p.cell} <code>{esc(p.first_line)}</code> raised "
                    f"<b>{esc(p.exc_type)}</b>: {esc(p.message)}</li>" for p in problems)
    return ("<div class=\"note problem\"><p><b><span aria-hidden=\"true\">{icon}</span> Cells you added that raised "
            "an error when the grader ran them</b> (they cost no points by themselves, but what they define is "
            "missing):</p><ul>{items}</ul></div>").format(icon=ICONS["problem"], items=items)


def _added(cells: list[tuple[str, str]]) -> str:
    added = [(label, src) for label, src in cells if label.startswith("added cell")]
    if not added:
        return ""
    blocks = "".join(f"<p class=\"muted\">{esc(label)}</p>{highlight(src)}" for label, src in added)
    return (f"<section class=\"exercise\" id=\"added-cells\"><h2>Cells you added</h2><details class=\"yourcode\">"
            f"<summary>{len(added)} cell(s), run by the grader before the checks</summary>{blocks}</details></section>")


def notebook_page(student_id: str, notebook: str, rows: list[Row], cells: list[tuple[str, str]] | None = None,
                  problems: list[CellProblem] = (), today: dt.date | None = None) -> str:
    """The whole page for one student's notebook; cells: (label, source) as submission.student_cells gives."""
    today = today or dt.date.today()
    code = {label: src for label, src in cells or []}
    total, top = sum(r.score for r in rows), sum(r.max_score for r in rows)
    index = "".join(f"<tr><td><a href=\"#{esc(r.grade_id)}\">{esc(r.grade_id)}</a></td><td class=\"num\">"
                    f"{fraction(r.score, r.max_score)}</td><td>{esc(advice.WORDS.get(r.status, r.status))}</td></tr>"
                    for r in rows)
    content = "\n".join([
        f"<p>Score for this notebook: <b>{points(total)} / {points(top)}</b> (public "
        f"{fraction(sum(r.public_score for r in rows), sum(r.public_max for r in rows))}, hidden "
        f"{fraction(sum(r.hidden_score for r in rows), sum(r.hidden_max for r in rows))}).</p>",
        f"<p>{esc(verdict(rows))}</p>",
        _cell_problems(list(problems)),
        f"<table><tr><th>exercise</th><th class=\"num\">score</th><th>result</th></tr>{index}</table>",
        *(exercise_html(r, code.get(r.grade_id), today) for r in rows),
        _added(cells or []),
        "<p class=\"muted\">Public checks are the tests in your notebook; hidden checks try the same exercise on "
        "more cases and never show the expected values. Scores are rounded to two decimals.</p>"])
    return page(f"{notebook}: feedback for {student_id}", content, extra_css=_code_css())
