"""The sandbox keeps CAP_DAC_READ_SEARCH only where its uid cannot otherwise read the Python installation."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from course_config import Limits
from coursekit.isolation import sandbox

pytestmark = [pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux-only"),
              pytest.mark.skipif(os.geteuid() != 0, reason="dropping to a sandbox uid needs root")]

SMALL = Limits(cpu_seconds=30, memory_mb=3072, max_processes=16, max_file_mb=1)
REPORT = """
import json
from coursekit.isolation import sandbox
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({"held": sandbox.held(), "effective": int(status["CapEff"], 16),
                  "permitted": int(status["CapPrm"], 16)}))
"""


def _snippet(code: str, out_fd: int) -> None:
    sys.stdout = os.fdopen(out_fd, "w", buffering=1)
    exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})  # noqa: S102 - the point of the test


def _report(policy: sandbox.Policy) -> dict:
    r, w = os.pipe()
    box = sandbox.fork_sandboxed(policy, _snippet, textwrap.dedent(REPORT), w)
    os.close(w)
    with os.fdopen(r) as fh:
        out = fh.read()
    box.wait(timeout=60)
    return json.loads(out)


@pytest.fixture
def open_folder():
    """A folder any user may enter (pytest's tmp_path sits under a 0700 folder)."""
    base = Path(tempfile.mkdtemp(prefix="coursekit-caps-"))
    os.chmod(base, 0o755)
    (base / "scratch").mkdir()
    yield base
    for p in sorted(base.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    base.rmdir()


def _as_sandbox_uid(paths) -> bool:
    return sandbox._in_fork(lambda: {"ok": sandbox._drop_privileges(sandbox.UID_BASE + os.getpid(), False)
                                     and sandbox.readable(paths)})["ok"]


def test_a_uid_without_capabilities_reads_only_what_the_permission_bits_allow(open_folder):
    shared, private = open_folder / "shared", open_folder / "private"
    shared.mkdir(mode=0o755)
    private.mkdir()
    os.chmod(private, 0o700)
    assert _as_sandbox_uid([shared]) is True
    assert _as_sandbox_uid([shared, private]) is False


def test_detect_probes_whether_the_python_installation_is_readable():
    p = sandbox.detect()
    assert p["caps"] == ("none" if p["python_readable"] else "dac_read_search")
    expected = "nocaps" if p["python_readable"] else "caps=dac_read_search"
    assert expected in sandbox.flags(p).split(",")
    assert ("CAP_DAC_READ_SEARCH kept" in sandbox.describe(p)) is not p["python_readable"]


def test_the_default_sandbox_holds_the_capability_only_when_python_needs_it(open_folder):
    got = _report(sandbox.Policy(scratch=open_folder / "scratch", limits=SMALL))
    keep = not sandbox.detect()["python_readable"]
    assert got["held"]["caps"] == ("dac_read_search" if keep else "none")
    assert got["effective"] == got["permitted"] == ((1 << sandbox.CAP_DAC_READ_SEARCH) if keep else 0)
    assert got["held"]["uid"] >= sandbox.UID_BASE


def test_a_sandbox_whose_paths_are_all_readable_holds_no_capability(open_folder):
    readable_python = tuple(p for p in (Path("/usr/lib"), Path("/lib")) if p.exists())  # the child imports nothing new
    got = _report(sandbox.Policy(scratch=open_folder / "scratch", limits=SMALL, interpreter=readable_python))
    assert got["held"]["caps"] == "none"
    assert got["effective"] == got["permitted"] == 0


def test_a_private_read_only_folder_keeps_the_capability(open_folder):
    private = open_folder / "private"
    private.mkdir()
    os.chmod(private, 0o700)
    readable_python = tuple(p for p in (Path("/usr/lib"), Path("/lib")) if p.exists())
    policy = sandbox.Policy(scratch=open_folder / "scratch", limits=SMALL, interpreter=readable_python,
                            read_only=(private,))
    assert sandbox.needs_read_capability(policy)
    assert _report(policy)["held"]["caps"] == "dac_read_search"
