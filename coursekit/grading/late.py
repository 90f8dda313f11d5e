"""Late work: submission times (nbgrader's timestamp.txt), how late they are, and the penalty, as nbgrader counts them.

nbgrader's semantics: the due date is one instant; a submission is late by
its timestamp minus the due date; the penalty is taken per notebook and
clipped to [0, that notebook's score].  Methods: `none`, `zero` (nbgrader's
LateSubmissionPlugin) and `per_hour` (the plugin nbgrader's documentation
gives as its example: points per hour late, hours rounded).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STAMP_FILE = "timestamp.txt"
METHODS = ("none", "zero", "per_hour")
_ZONED = re.compile(r"^(?P<when>\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(?P<zone>\S*)$")


def zone(name: str):
    """A tzinfo for a zone name ("UTC", "Europe/Paris") or an offset ("+02:00")."""
    if re.fullmatch(r"[+-]\d\d:?\d\d", name):
        return datetime.strptime(name.replace(":", ""), "%z").tzinfo
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use a name like UTC or Europe/Paris, or an offset like "
                         "+02:00") from None


def parse_time(text: str, default_zone: str = "UTC") -> datetime:
    """A time like nbgrader's timestamp.txt ("2026-01-10 12:00:00.000000 UTC") or ISO 8601, as an aware datetime."""
    text = text.strip()
    m = _ZONED.match(text)
    if m and m.group("zone") and not re.fullmatch(r"[+-]\d\d:?\d\d|Z", m.group("zone")):
        return datetime.fromisoformat(m.group("when")).replace(tzinfo=zone(m.group("zone")))
    try:
        when = datetime.fromisoformat(text.replace(" Z", "Z"))
    except ValueError:
        raise ValueError(f"cannot read the time {text!r}; write it like 2026-12-01 23:59:00 UTC") from None
    return when if when.tzinfo else when.replace(tzinfo=zone(default_zone))


def stamp(when: datetime) -> str:
    """The line nbgrader writes in timestamp.txt, in UTC."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def read_stamp(folder: Path, default_zone: str = "UTC") -> datetime | None:
    """The submission time in folder/timestamp.txt, or None when there is none or it cannot be read."""
    path = Path(folder) / STAMP_FILE
    try:
        return parse_time(path.read_text(encoding="utf-8").splitlines()[0], default_zone)
    except (OSError, IndexError, ValueError):
        return None


def seconds_late(submitted: datetime | None, policy) -> float:
    """How many seconds after the due date the work came in (0: on time, no due date, or no time known)."""
    if submitted is None or not policy.due:
        return 0.0
    return max(0.0, (submitted - parse_time(policy.due, policy.timezone)).total_seconds())


def penalty(policy, late_seconds: float, score: float) -> float:
    """Points taken off one notebook that earned `score` and came in `late_seconds` late."""
    if late_seconds <= 0 or policy.method == "none":
        return 0.0
    if policy.method == "zero":
        raw = score
    elif policy.method == "per_hour":
        raw = round(late_seconds / 3600) * policy.points_per_hour
    else:
        raise ValueError(f"course_config LatePolicy.method {policy.method!r}: expected one of {', '.join(METHODS)}")
    return min(max(raw, 0.0), score)
