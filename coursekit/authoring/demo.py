"""`coursekit demo`: simulate a class, grade it for real and print the summary table."""
from __future__ import annotations

import csv
import json
import shutil

from course_config import COURSE, ROOT
from coursekit.grading import pipeline as grade
from coursekit.authoring import simulate

DEMO_DIR = ROOT / ".demo"


def main(*, students: int = 8, jobs: int = 2) -> int:
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    submitted = DEMO_DIR / "submitted"
    profiles = simulate.build_class(submitted, students)
    grade.main(submitted=submitted, jobs=jobs, out=DEMO_DIR)
    with open(DEMO_DIR / "autograded" / "summary.csv", newline="") as fh:
        summary = list(csv.DictReader(fh))
    print(f"{'student':12s} {'profile':10s} {'score':>7s} {'max':>5s}  status")
    for rec in summary:
        print(f"{rec['student_id']:12s} {profiles.get(rec['student_id'], '?'):10s} {float(rec['score']):7.2f} "
              f"{float(rec['max_score']):5g}  {rec['status']}")
    print(f"\nsandbox: {summary[0]['flags'] if summary else '-'}")
    print(f"outputs: {DEMO_DIR / 'autograded'} (grades.csv, summary.csv, scores.csv, checks.csv)")
    print(f"class report: {DEMO_DIR / 'autograded' / 'report.html'}")
    example = next((sid for sid, p in profiles.items() if p == "mixed"), next(iter(profiles), None))
    if example is not None:
        first = DEMO_DIR / "feedback" / example / COURSE.assignment / f"{COURSE.tutorials[0]}.html"
        print(f"feedback: {DEMO_DIR / 'feedback'}/<student>/{COURSE.assignment}/<notebook>.html, e.g. {first}")
    (DEMO_DIR / "profiles.json").write_text(json.dumps(profiles, indent=1))
    return 0
