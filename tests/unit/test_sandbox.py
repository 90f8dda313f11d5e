"""Each promise of coursekit.isolation.sandbox, proven by a small hostile snippet run in a real sandboxed child."""
from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import socket
import sys
import textwrap
import time

import pytest

from course_config import ROOT, Limits
from coursekit.isolation import sandbox

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux-only")

SMALL = Limits(cpu_seconds=30, memory_mb=3072, max_processes=16, max_file_mb=1)


@pytest.fixture(scope="module", autouse=True)
def warm():
    sandbox.warm_up()


@pytest.fixture
def scratch(tmp_path):
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


def _snippet(code: str, out_fd: int) -> None:
    sys.stdout = os.fdopen(out_fd, "w", buffering=1)
    exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})  # noqa: S102 - the point of the test


def start(code: str, scratch, **policy) -> tuple[sandbox.Sandboxed, int]:
    """Fork a sandbox running code; returns it and the read end of its stdout pipe."""
    r, w = os.pipe()
    pol = sandbox.Policy(scratch=scratch, limits=policy.pop("limits", SMALL), **policy)
    box = sandbox.fork_sandboxed(pol, _snippet, textwrap.dedent(code), w)
    os.close(w)
    return box, r


def read_until(fd: int, deadline: float, stop: str | None = None) -> str:
    """Read fd until EOF, the deadline, or text containing stop."""
    chunks = []
    while (remaining := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], remaining)[0]:
            break
        data = os.read(fd, 65536)
        chunks.append(data)
        if not data or (stop and stop in b"".join(chunks).decode(errors="replace")):
            break
    return b"".join(chunks).decode(errors="replace")


def run(code: str, scratch, timeout: float = 10.0, **policy) -> tuple[int | None, str]:
    """Run code in a sandbox: (exit code, or None when it overran timeout and was killed; its stdout)."""
    box, r = start(code, scratch, **policy)
    deadline = time.monotonic() + timeout
    try:
        out = read_until(r, deadline)
        status = box.wait(max(0.0, deadline - time.monotonic()))
    finally:
        os.close(r)
        if box.alive():
            box.kill()
            status = None
    return status, out


def processes_in_namespace(ns_inode: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/pid").st_ino == ns_inode:
                    found.append(int(entry))
            except OSError:
                pass
    return found


# --------------------------------------------------------------- detection


def test_detect_reports_landlock_and_namespaces():
    p = sandbox.detect()
    assert p["landlock"] >= 1, sandbox.describe(p)
    assert p["netns"] and p["pidns"] and p["rlimits"] and p["nnp"]
    assert sandbox.flags(p).startswith(f"landlock{p['landlock']},")
    assert sandbox.describe(p).startswith("sandbox: landlock")


def test_refuse_if_unprotected():
    with pytest.raises(sandbox.SandboxError, match="--unsafe"):
        sandbox.refuse_if_unprotected({"landlock": 0, "netns": False}, unsafe=False)
    sandbox.refuse_if_unprotected({"landlock": 0, "netns": False}, unsafe=True)
    sandbox.refuse_if_unprotected(sandbox.detect(), unsafe=False)


def test_policy_refuses_to_expose_the_repo_or_shared_folders(scratch):
    for bad in [{"read_only": (ROOT,)}, {"read_only": ("/",)}, {"read_write": (ROOT.parent,)}]:
        with pytest.raises(sandbox.SandboxError, match="expose"):
            sandbox.Policy(scratch=scratch, **bad)
    for shared in ["/tmp", "/dev/shm"]:
        # refused as shared; or first as exposing the repo, when the checkout itself lives in /tmp
        with pytest.raises(sandbox.SandboxError, match="shared|expose"):
            sandbox.Policy(scratch=shared)
    with pytest.raises(sandbox.SandboxError, match="shared"):
        sandbox.Policy(scratch="/dev/shm")
    sandbox.Policy(scratch=scratch, read_only=(ROOT / "release",))


# ------------------------------------------------------------ exit status


@pytest.mark.parametrize("code, expected", [
    ("pass", 0),
    ("import sys; sys.exit(3)", 3),
    ("import os; os._exit(4)", 4),
    ("import sys; sys.exit('bye')", 1),
    ("raise ValueError('boom')", 1),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", 128 + signal.SIGKILL),
    ("import faulthandler, os; faulthandler.disable(); os.abort()", 128 + signal.SIGABRT),  # no dump in the log
])
def test_exit_is_an_exit_code_not_a_crash_of_the_parent(scratch, code, expected):
    assert run(code, scratch)[0] == expected


def test_setup_failure_is_reported(scratch, monkeypatch, capfd):
    def refuse(*args):
        raise OSError("no landlock today")

    monkeypatch.setattr(sandbox, "_landlock", refuse)
    status, out = run("print('target ran')", scratch)
    assert status == sandbox.SETUP_FAILED and "target ran" not in out
    assert "setup failed" in capfd.readouterr().err


def test_wall_clock_timeout_kills_an_infinite_loop(scratch):
    box, r = start("print('spinning')\nwhile True: pass", scratch)
    try:
        assert "spinning" in read_until(r, time.monotonic() + 10, stop="spinning")
        assert box.wait(0.3) is None and box.alive()
        assert box.kill() == -signal.SIGKILL
        assert not box.alive()
    finally:
        os.close(r)


# ---------------------------------------------------------------- resources


def test_memory_hog_gets_memory_error_and_parent_is_fine(scratch):
    status, out = run("""
        import numpy as np
        for make in (lambda: bytearray(10 * 2**30), lambda: np.ones(10 * 2**30 // 8)):
            try:
                make()
                print("allocated")
            except MemoryError:
                print("MemoryError")
    """, scratch)
    assert status == 0 and out.split() == ["MemoryError", "MemoryError"]


def test_file_size_is_limited(scratch):
    status, out = run("""
        try:
            with open("big.bin", "wb") as fh:
                fh.write(b"x" * (2 * 2**20))
            print("wrote")
        except OSError as exc:
            print(exc.errno)
    """, scratch)
    assert (status, out.strip()) == (0, "27")  # EFBIG: RLIMIT_FSIZE is 1 MiB here


FORK_BOMB = """
    import os, time
    n = 0
    for _ in range({tries}):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
    print("forked", n)
    time.sleep(60)
"""


@pytest.mark.parametrize("drop_uid, bound", [(True, SMALL.max_processes), (False, 300 + SMALL.max_processes)])
def test_fork_bomb_is_bounded_and_all_cleaned_up_by_kill(scratch, drop_uid, bound):
    box, r = start(FORK_BOMB.format(tries=bound + 50), scratch, drop_uid=drop_uid)
    try:
        ns = os.stat(f"/proc/{box.pid}/ns/pid").st_ino
        out = read_until(r, time.monotonic() + 20, stop="\n")
        forked = int(out.split()[1])
        assert 0 < forked < bound
        assert len(processes_in_namespace(ns)) >= forked
        box.kill()
        assert processes_in_namespace(ns) == []
    finally:
        os.close(r)


# ------------------------------------------------------------------ network


def test_network_is_unreachable(scratch, tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind(f"\0coursekit-test-{os.getpid()}")
    abstract.listen()
    (tmp_path / "run").mkdir()
    root_socket = socket.socket(socket.AF_UNIX)
    root_socket.bind(str(tmp_path / "run" / "daemon.sock"))
    os.chmod(tmp_path / "run" / "daemon.sock", 0o755)  # as root's sockets usually are
    root_socket.listen()
    try:
        status, out = run(f"""
            import socket
            attempts = {{
                "tcp loopback": lambda: socket.create_connection(("127.0.0.1", {listener.getsockname()[1]}), 2),
                "tcp outside": lambda: socket.create_connection(("1.1.1.1", 443), 2),
                "dns": lambda: socket.getaddrinfo("pypi.org", 443),
                "udp": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
                "tcp bind": lambda: socket.create_server(("127.0.0.1", 0)),
                "abstract unix": lambda: socket.socket(socket.AF_UNIX).connect("\\0coursekit-test-{os.getpid()}"),
                "root's unix socket": lambda: socket.socket(socket.AF_UNIX).connect("{tmp_path}/run/daemon.sock"),
            }}
            for name, attempt in attempts.items():
                try:
                    attempt()
                    print(name, "REACHED")
                except OSError as exc:
                    print(name, "refused", type(exc).__name__)
        """, scratch)
    finally:
        for s in (listener, abstract, root_socket):
            s.close()
    assert status == 0 and out.count("refused") == 7, out


# --------------------------------------------------------------- filesystem


def test_reads_outside_the_sandbox_are_denied(scratch, tmp_path):
    sibling = tmp_path / "student_b" / "W2D1_Tutorial1.ipynb"
    sibling.parent.mkdir()
    sibling.write_text("another student's work")
    targets = [ROOT / "course_config.py", ROOT, sibling, sibling.parent, "/etc/shadow", "/proc/1/environ",
               "/root", tmp_path]
    status, out = run(f"""
        import os
        for path in {[str(t) for t in targets]!r}:
            try:
                os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
                print("READ", path)
            except PermissionError:
                print("denied", path)
    """, scratch)
    assert status == 0 and out.count("denied") == len(targets), out


def test_writes_only_inside_scratch(scratch, tmp_path):
    outside = [tmp_path / "outside.txt", ROOT / "pwned.txt", "/tmp/coursekit-pwned.txt", "/dev/shm/pwned"]
    status, out = run(f"""
        import os
        with open("inside.txt", "w") as fh:
            fh.write("ok")
        os.mkdir("sub")
        os.rename("inside.txt", "sub/inside.txt")
        for path in {[str(p) for p in outside]!r}:
            try:
                open(path, "w").write("x")
                print("WROTE", path)
            except PermissionError:
                print("denied", path)
    """, scratch)
    assert status == 0 and out.count("denied") == len(outside), out
    assert (scratch / "sub" / "inside.txt").read_text() == "ok"
    assert not any(os.path.exists(p) for p in outside)


def test_open_by_handle_at_cannot_bypass_landlock(scratch):
    """The worker keeps CAP_DAC_READ_SEARCH, which allows open_by_handle_at; Landlock must still refuse."""
    class FileHandle(ctypes.Structure):
        _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int), ("f_handle", ctypes.c_ubyte * 128)]

    libc = ctypes.CDLL(None, use_errno=True)
    handle, mount_id = FileHandle(handle_bytes=128), ctypes.c_int()
    assert libc.name_to_handle_at(-100, str(ROOT / "course_config.py").encode(), ctypes.byref(handle),
                                  ctypes.byref(mount_id), 0) == 0
    raw = bytes(handle.f_handle[:handle.handle_bytes])
    status, out = run(f"""
        import ctypes, os
        class FileHandle(ctypes.Structure):
            _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int),
                        ("f_handle", ctypes.c_ubyte * 128)]
        raw = {raw!r}
        handle = FileHandle(handle_bytes=len(raw), handle_type={handle.handle_type})
        ctypes.memmove(handle.f_handle, raw, len(raw))
        libc = ctypes.CDLL(None, use_errno=True)
        mount = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
        fd = libc.open_by_handle_at(mount, ctypes.byref(handle), os.O_RDONLY)
        print("OPENED" if fd >= 0 else f"refused {{ctypes.get_errno()}}")
    """, scratch)
    assert status == 0 and out.startswith("refused"), out


# ------------------------------------------------------------------ signals


def test_cannot_signal_the_grader_or_the_sandbox_init(scratch):
    status, out = run(f"""
        import os, signal
        for pid in ({os.getpid()}, 1):
            try:
                os.kill(pid, signal.SIGTERM)
                print("SIGNALLED", pid)
            except OSError as exc:
                print("refused", pid, type(exc).__name__)
        print("still here")
    """, scratch)
    assert status == 0 and out.count("refused") == 2 and "still here" in out, out


# ------------------------------------------------------------ what must work


def test_torch_numpy_scipy_matplotlib_and_lazy_imports_work(scratch):
    lazy = next(m for m in ("fractions", "statistics", "colorsys", "wave", "tomllib") if m not in sys.modules)
    status, out = run(f"""
        import importlib, os
        import numpy as np, scipy.stats, torch
        import matplotlib.pyplot as plt
        y = torch.nn.functional.conv2d(torch.ones(1, 1, 5, 5), torch.ones(1, 1, 3, 3)).sum().item()
        x = np.linalg.solve(2 * np.eye(3), np.ones(3)).sum()
        r = scipy.stats.pearsonr([1, 2, 3], [1, 2, 4])[0]
        plt.plot([0, 1]); plt.savefig("fig.png")
        importlib.import_module("{lazy}")
        import decimal  # C extension (_decimal) loaded after the sandbox is up
        print(y, x, round(r, 2), os.path.getsize("fig.png") > 0, "{lazy}" in __import__("sys").modules)
    """, scratch)
    assert (status, out.split()) == (0, ["81.0", "1.5", "0.98", "True", "True"]), out


def test_environment_is_scrubbed(scratch, monkeypatch):
    monkeypatch.setenv("COURSEKIT_TEST_SECRET", "hunter2")
    status, out = run("""
        import os
        print("COURSEKIT_TEST_SECRET" in os.environ, b"hunter2" in open("/proc/self/environ", "rb").read(),
              os.environ["HOME"] == os.getcwd())
    """, scratch)
    assert (status, out.split()) == (0, ["False", "False", "True"])


def test_held_reports_what_held(scratch):
    status, out = run("""
        import json
        from coursekit.isolation import sandbox
        print(json.dumps(sandbox.held()))
    """, scratch)
    held = json.loads(out)
    assert status == 0 and held["landlock"] >= 1 and held["netns"] and held["pidns"] and held["rlimits"]
    assert held["uid"] >= sandbox.UID_BASE
    assert held["caps"] == ("none" if sandbox.detect()["python_readable"] else "dac_read_search")
    assert "nonroot" in sandbox.flags(held)


# ----------------------------------------------------------- kernel launcher


def test_kernel_launcher_refuses_a_shared_connection_folder(tmp_path):
    from coursekit.isolation import sandbox_kernel

    shared = tmp_path / "runtime"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    conn = shared / "kernel-1.json"
    conn.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))
    (shared / "kernel-2.json").write_text("{}")
    owner = os.stat(shared).st_uid
    with pytest.raises(sandbox.SandboxError, match="ipc"):
        sandbox_kernel.policy_from_env(conn, environ={})
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(shared / "kernel-ipc")}))
    with pytest.raises(sandbox.SandboxError, match="not private"):
        sandbox_kernel.policy_from_env(conn, environ={})
    assert os.stat(shared).st_uid == owner and os.stat(conn).st_uid == owner


@pytest.mark.parametrize("warm", [False, True], ids=["launcher-forks", "fork-server-forks"])
def test_nbclient_runs_a_notebook_in_the_sandbox_kernel(tmp_path, monkeypatch, warm):
    """Both ways of starting the kernel give the same lock-down; the warm one has torch imported already."""
    nbformat = pytest.importorskip("nbformat")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.utils import run_sync
    from nbclient import NotebookClient

    from coursekit.isolation import sandbox_kernel
    from coursekit.isolation.forkserver import ForkServer

    server = ForkServer() if warm else None
    if warm:
        monkeypatch.setenv(sandbox_kernel.ENV_SERVER, server.kernel_socket)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("SECRET_TOKEN", "do-not-pass")
    sandbox_kernel.install_kernelspec(tmp_path / "jupyter")
    listener = socket.create_server(("127.0.0.1", 0))
    cells = [
        "import os; print(os.getuid() >= 1_000_000_000)",
        f"try:\n    open({str(ROOT / 'course_config.py')!r}).read(); print('REPO READ')\n"
        "except PermissionError: print('repo denied')",
        f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {listener.getsockname()[1]}), 2)\n"
        "    print('NETWORK REACHED')\nexcept OSError: print('network denied')",
        "import numpy as np; print(np.arange(4).sum())",
        "import os; print(os.environ.get('NBGRADER_EXECUTION'), os.environ.get('SECRET_TOKEN'))",
        "import sys; print('torch' in sys.modules)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    workdir = tmp_path / "notebook"
    workdir.mkdir()
    km = sandbox_kernel.AsyncSandboxKernelManager(
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "jupyter" / "kernels")]))
    try:
        NotebookClient(nb, km=km, timeout=60, startup_timeout=60,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        listener.close()
        if km.has_kernel:  # nbclient leaves a kernel it did not start running: shut it down here
            run_sync(km.shutdown_kernel)(now=True)
        if server is not None:
            server.close()
    assert not km.has_kernel
    printed = [o["text"].strip() for c in nb.cells for o in c.outputs if o.get("name") == "stdout"]
    assert printed[:5] == ["True", "repo denied", "network denied", "6", "autograde None"]
    if warm:
        assert printed[5] == "True"
