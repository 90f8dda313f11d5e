"""How `coursekit grade --jobs N` deals students out to its workers (coursekit.grading.pipeline.shards)."""
from __future__ import annotations

from pathlib import Path

from coursekit.grading.pipeline import shards
from coursekit.results import Found


def student(sid: str, notebooks: int) -> Found:
    return Found(sid, {f"nb{i}": Path(f"/nowhere/{sid}/nb{i}.ipynb") for i in range(notebooks)})


def notebooks(part: list[Found]) -> int:
    return sum(len(f.notebooks) for f in part)


def test_a_class_that_submitted_everything_is_dealt_out_in_turn():
    found = [student(f"s{i}", 3) for i in range(7)]
    parts = shards(found, 2)
    assert [[f.student_id for f in p] for p in parts] == [["s0", "s2", "s4", "s6"], ["s1", "s3", "s5"]]


def test_students_without_notebooks_do_not_leave_one_worker_with_all_the_work():
    # in turn, the workers would get 12 and 0 notebooks
    found = [student(f"s{i}", 3 if i % 2 == 0 else 0) for i in range(8)]
    parts = shards(found, 2)
    assert [notebooks(p) for p in parts] == [6, 6]


def test_every_student_is_in_exactly_one_shard_in_discovery_order():
    found = [student(f"s{i}", i % 4) for i in range(11)]
    for jobs in (1, 2, 3):
        parts = shards(found, jobs)
        assert len(parts) == jobs
        assert sorted(f.student_id for p in parts for f in p) == sorted(f.student_id for f in found)
        for p in parts:
            assert p == sorted(p, key=found.index)
        assert max(map(notebooks, parts)) - min(map(notebooks, parts)) <= 3
