"""One sandboxed child per student: notebooks stay apart, and one broken notebook costs only its own tests."""
from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from course_config import COURSE
from coursekit.isolation.handle import StudentSandbox
from tests.builders import fork_server
from coursekit.isolation.probe import ChildCrashed, ProbeTimeout, StudentError

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux-only")

LIMITS = replace(COURSE.limits, cell_seconds=1.0, probe_seconds=5.0)

CHANGES_SETTINGS = [
    ("setup", "import numpy as np\nimport torch\n"),
    ("changes", "torch.set_default_dtype(torch.float64)\ntorch.set_grad_enabled(False)\nnp.seterr(all='raise')\n"
                "import os\nos.makedirs('a_folder', exist_ok=True)\nos.chdir('a_folder')\n"),
]
PLAIN = [("plain", "def double(x):\n    return 2 * x\n")]
HANGS = [("hangs", "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n")]
EXITS = [("exits", "import os\nos._exit(1)\n")]


@pytest.fixture(scope="module")
def server():
    with fork_server(LIMITS.cell_seconds) as srv:
        yield srv


def probe_settings(ns):
    import os

    return {"dtype": str(torch.get_default_dtype()), "grad": torch.is_grad_enabled(),
            "divide": np.geterr()["divide"], "cwd": os.path.basename(os.getcwd()), "pid": os.getpid()}


def probe_double(ns, x):
    return ns["double"](x)


def probe_exit(ns):
    import os

    os._exit(3)


def test_notebooks_share_one_child_but_not_their_settings(server):
    sandbox = StudentSandbox(server, {"A": CHANGES_SETTINGS, "B": PLAIN}, LIMITS)
    a, b = sandbox.handle("A"), sandbox.handle("B")
    try:
        before = b.run(probe_settings)
        changed = a.run(probe_settings)
        after = b.run(probe_settings)
        assert changed["pid"] == before["pid"] == after["pid"]
        assert (changed["dtype"], changed["grad"], changed["divide"], changed["cwd"]) == \
            ("torch.float64", False, "raise", "a_folder")
        for seen in (before, after):
            assert (seen["dtype"], seen["grad"], seen["divide"]) == ("torch.float32", True, "warn")
            assert seen["cwd"] != "a_folder"
        assert b.run(probe_double, 21) == 42
        with pytest.raises(StudentError, match="NameError: .double. is not defined"):
            a.run(probe_double, 1)  # A has no double: its namespace is its own
    finally:
        a.close()
        b.close()
    assert sandbox.shared is None, "closing the last handle ends the child"


def test_notebooks_whose_cells_hang_or_kill_the_child_fail_alone(server):
    sandbox = StudentSandbox(server, {"H": HANGS, "X": EXITS, "B": PLAIN}, LIMITS)
    h, x, b = sandbox.handle("H"), sandbox.handle("X"), sandbox.handle("B")
    try:
        assert b.run(probe_double, 4) == 8
        with pytest.raises(ProbeTimeout, match="while running your notebook's cells"):
            h.run(probe_settings)
        with pytest.raises(ProbeTimeout):  # reported once more, without waiting again
            h.run(probe_double, 1)
        with pytest.raises(ChildCrashed, match="died while running your notebook's cells"):
            x.run(probe_settings)
        assert b.run(probe_double, 5) == 10
        assert sandbox.shared is not None and not sandbox.shared_failed, "B still runs in a shared child"
    finally:
        for handle in (h, x, b):
            handle.close()


def test_a_probe_that_kills_the_child_costs_that_test_only(server):
    sandbox = StudentSandbox(server, {"A": PLAIN, "B": PLAIN}, LIMITS)
    a, b = sandbox.handle("A"), sandbox.handle("B")
    try:
        with pytest.raises(ChildCrashed, match="died in the test 'probe_exit'"):
            a.run(probe_exit)
        assert b.run(probe_double, 3) == 6
        assert a.run(probe_double, 3) == 6, "the notebook's later tests run in a fresh child"
        for _ in range(StudentSandbox.max_respawns):
            with pytest.raises(ChildCrashed, match="died"):
                a.run(probe_exit)
        with pytest.raises(ChildCrashed, match="too often"):
            a.run(probe_double, 3)
        assert b.run(probe_double, 7) == 14, "another notebook keeps its own budget"
    finally:
        a.close()
        b.close()


def test_notebooks_reported_back_to_back_are_all_read(server):
    """The child reports each notebook as its cells finish; quick notebooks arrive together and none is missed."""
    from coursekit.isolation.handle import Child

    for _ in range(10):
        child = Child(server, {name: PLAIN for name in "ABCD"}, LIMITS)
        try:
            assert sorted(child.cell_errors) == list("ABCD")
        finally:
            child.kill()


def probe_exit_later(ns):
    import os
    import threading
    import time

    threading.Thread(target=lambda: (time.sleep(0.2), os._exit(4)), daemon=True).start()
    return "answered"


def test_a_child_that_dies_between_tests_is_reported_at_the_next_test(server):
    import time

    sandbox = StudentSandbox(server, {"A": PLAIN, "B": PLAIN}, LIMITS)
    a, b = sandbox.handle("A"), sandbox.handle("B")
    try:
        assert a.run(probe_exit_later) == "answered"
        time.sleep(0.5)
        with pytest.raises(ChildCrashed, match="died"):
            a.run(probe_double, 1)
        assert b.run(probe_double, 2) == 4 and a.run(probe_double, 3) == 6
    finally:
        a.close()
        b.close()
