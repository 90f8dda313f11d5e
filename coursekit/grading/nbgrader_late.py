"""The late penalty as an nbgrader plugin, so plain `nbgrader autograde` charges what course_config's LatePolicy says.

nbgrader computes how late a notebook is from timestamp.txt and the due date
it holds in its gradebook (`nbgrader db assignment add W2D1 --duedate ...`);
this plugin only turns that lateness into points, with coursekit's rule.
"""
from __future__ import annotations

from nbgrader.plugins import BasePlugin

from course_config import COURSE
from coursekit.grading import late


class NbgraderPenalty(BasePlugin):
    """nbgrader's AssignLatePenalties plugin: late.penalty() for each late notebook."""

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        return late.penalty(COURSE.late, total_seconds_late, score)
