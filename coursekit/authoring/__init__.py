"""Authoring: notebook pairs, the student release, mutant banks, simulated classes and the self-check.

What other layers may use is named here; everything else in authoring is internal to it.
"""
from __future__ import annotations

from pathlib import Path


def ensure_gradebook() -> Path:
    """The nbgrader gradebook `autograde` needs (git ignores it), built from source/ when missing."""
    from coursekit.authoring.release import ensure_gradebook as build

    return build()


__all__ = ["ensure_gradebook"]
