"""Temporary folders left by a killed grader are removed at the next start; a live grader's never are."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from coursekit.isolation import scratch


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_folders_of_ended_processes_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / f"coursekit-nbgrader-{_dead_pid()}-abc123"
    (dead / "course" / "gradebook").mkdir(parents=True)
    (dead / "course" / "gradebook" / "gradebook.db").write_text("secret")
    live = scratch.private_dir("scratch", tmp_path)
    assert str(os.getpid()) in live.name and oct(live.stat().st_mode & 0o777) == "0o700"
    other = tmp_path / "coursekit-notes"  # not named by private_dir
    other.mkdir()
    removed = scratch.sweep(tmp_path)
    assert removed == [dead]
    assert not dead.exists() and live.exists() and other.exists()


def test_sweeping_does_not_follow_links_left_inside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    dead = tmp_path / "elsewhere" / f"coursekit-kernel-{_dead_pid()}-xyz"
    dead.mkdir(parents=True)
    (dead / "link").symlink_to(outside, target_is_directory=True)
    linked = tmp_path / "elsewhere" / f"coursekit-kernel-{_dead_pid()}-lnk"
    linked.symlink_to(outside, target_is_directory=True)  # the folder itself a link: not a candidate
    assert scratch.sweep(tmp_path / "elsewhere") == [dead]
    assert (outside / "keep.txt").read_text() == "mine" and linked.is_symlink()


def test_temporary_directory_is_named_for_the_sweep():
    with scratch.TemporaryDirectory("check") as tmp:
        assert os.path.basename(tmp).startswith(f"coursekit-check-{os.getpid()}-")
    assert not os.path.exists(tmp)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand a folder over")
def test_as_root_a_folder_handed_over_to_a_sandbox_uid_is_swept_too(tmp_path):
    from coursekit.isolation.sandbox import UID_BASE

    dead = tmp_path / f"coursekit-kernel-{_dead_pid()}-handed"
    dead.mkdir()
    (dead / "kernel.json").write_text("{}")
    os.chown(dead, UID_BASE + 4242, UID_BASE + 4242)
    stranger = tmp_path / f"coursekit-kernel-{_dead_pid()}-other"
    stranger.mkdir()
    os.chown(stranger, 4242, 4242)  # an ordinary user's folder: not ours to remove
    assert scratch.sweep(tmp_path) == [dead]
    assert stranger.exists()
