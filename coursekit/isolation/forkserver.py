"""The fork-server: a clean, warm parent that forks one sandboxed child per student (coursekit.isolation.child).

The grader starts it as a fresh interpreter (`python -m coursekit.isolation.forkserver FD`)
before it loads any reference solution or hidden test, so nothing secret is in
the memory its children inherit.  It imports torch, numpy, scipy and
matplotlib once, warms them up, then serves "spawn" requests over a Unix
socket: each child gets a fresh scratch folder and a socket of its own, whose
other end is passed back to the grader with SCM_RIGHTS.  From then on the
grader talks to the child directly (coursekit.isolation.child) and kills it by pid.

It also serves kernel launchers (coursekit.isolation.kernel_launcher) on a
second socket, one line of JSON each way.  Work that every kernel of a class
would repeat is done here once, before any student code runs: the synthetic
V1 data that the notebooks' `load_data()` generates when the real files are
absent is generated once by the course's own helper module (in a private
folder of this server) and copied into each kernel's data cache
(sandbox_kernel.start_forked).  The helper is loaded under a private module
name and dropped afterwards, so no kernel or child inherits it: each still
imports the copy beside its notebook.
"""
from __future__ import annotations

import dataclasses
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from coursekit.files import tool_env
from coursekit.isolation import kernel_launcher, wire


class ForkServerError(RuntimeError):
    pass


def _serve(sock: socket.socket, unsafe: bool) -> None:
    from coursekit.isolation import policy, sandbox, sandbox_kernel, scratch

    sandbox.warm_up()
    sandbox_kernel.preimport()
    policy.install()
    _warm_policies(policy)
    protections = sandbox.detect()
    data = scratch.private_dir("data")
    stock = _stock_data(data)
    base = scratch.private_dir("scratch")
    os.chmod(base, 0o755)  # children (another uid) must traverse to their own scratch
    doors = scratch.private_dir("kernels")  # 0700: only this user's launchers get in
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(doors / "kernels.sock"))
    listener.listen(8)
    children: dict[int, tuple[object, Path]] = {}  # pid -> (Sandboxed, scratch)
    kernels: dict[socket.socket, tuple[object, object]] = {}  # launcher connection -> (its kernel's Sandboxed, stream)
    stream = sock.makefile("rwb")
    wire.send(stream, {"ready": True, "protections": protections, "kernel_socket": str(doors / "kernels.sock")})
    try:
        while True:
            _reap(children)
            _reap_kernels(kernels)
            boxes = [box for box, _ in kernels.values()]  # a pidfd is readable once its sandbox has ended
            ready, _, _ = select.select([sock, listener, *kernels, *boxes], [], [], 1.0)
            _serve_launchers(ready, listener, kernels, stock)
            if sock not in ready:
                continue
            try:
                request = wire.recv(stream)
            except EOFError:
                return
            if request.get("op") == "spawn":
                proc, own = _spawn_child(sock, request, base)
                children[proc.pid] = (proc, own)
    finally:
        for proc, _ in children.values():
            proc.kill()
        for conn, (box, _) in kernels.items():
            box.kill()
            conn.close()
        _reap(children)
        listener.close()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(doors, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)


def _stock_data(folder: Path) -> tuple[Path, ...]:
    """Generate into folder, once, the synthetic V1 data a kernel's `load_data()` would generate; return its files.

    The course's helper module makes them, loaded under a private name with its cache set to folder and
    the real files out of its sight: a kernel's copy of the helper never sees source/'s `data` folder
    (nbgrader does not copy it), so the synthetic file is what it would make.  If real files reach the
    kernels through W2D1_DATA_DIR they are read instead and the copy goes unused.  On any failure no file
    is returned and each kernel makes its own, as a student's Jupyter does.
    """
    import importlib.util

    from course_config import COURSE

    path = COURSE.source_dir / COURSE.assignment / COURSE.helper_module
    name = "_coursekit_stock_" + path.stem  # never the name a notebook imports
    saved = dict(os.environ)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        helpers = importlib.util.module_from_spec(spec)
        sys.modules[name] = helpers  # dataclasses look their module up while the module runs
        spec.loader.exec_module(helpers)
        os.environ.pop(helpers.DATA_ENV, None)
        os.environ[helpers.CACHE_ENV] = str(folder)
        helpers.DATA_DIR = folder / "no-real-data"
        helpers.load_data()
    except Exception as exc:  # noqa: BLE001 - a speed-up only: kernels fall back to generating the data
        print(f"fork-server: no shared V1 data ({type(exc).__name__}: {exc}); each kernel makes its own",
              file=sys.stderr)
        return ()
    finally:
        sys.modules.pop(name, None)
        os.environ.clear()
        os.environ.update(saved)
    return tuple(sorted(p for p in folder.iterdir() if p.suffix == ".npz"))


def _serve_launchers(ready: list, listener: socket.socket, kernels: dict, stock: tuple[Path, ...]) -> None:
    """A launcher that hung up takes its kernel with it; a new launcher gets a kernel forked for it."""
    for conn in [c for c in ready if c in kernels]:
        if not conn.recv(1):
            kernels.pop(conn)[0].kill()
            conn.close()
    if listener in ready:
        conn, _ = listener.accept()
        started = _start_kernel(conn, stock)
        if started is None:
            conn.close()
        else:
            kernels[conn] = started


def _spawn_child(sock: socket.socket, request: dict, base: Path):
    """Fork one sandboxed child for a spawn request; hand its socket and pid to the grader."""
    from course_config import Limits
    from coursekit.isolation import child, sandbox

    own = Path(tempfile.mkdtemp(prefix="child-", dir=base))  # private; the sandbox chowns it
    parent_end, child_end = socket.socketpair()
    limits = Limits(**request["limits"])  # the grader's limits travel with each request
    pol = sandbox.Policy(scratch=own, limits=limits)
    proc = sandbox.fork_sandboxed(pol, child.main, child_end.fileno(), request["notebooks"],
                                  limits.cell_seconds, keep_fds=[child_end.fileno()])
    child_end.close()
    socket.send_fds(sock, [proc.pid.to_bytes(8, "little")], [parent_end.fileno()])
    parent_end.close()
    return proc, own


def _start_kernel(conn: socket.socket, stock: tuple[Path, ...]):
    """Serve one launcher (coursekit.isolation.kernel_launcher): fork its kernel and reply with the pid.

    Returns (the kernel's Sandboxed, the connection's stream), or None if refused.
    """
    from coursekit.isolation import sandbox
    from coursekit.isolation import sandbox_kernel

    conn.settimeout(10)
    try:
        _, fds, _, _ = socket.recv_fds(conn, 1, 2)
        stream = conn.makefile("rwb")
        request = kernel_launcher.recv_line(stream)
    except (OSError, EOFError, ValueError):
        return None
    conn.settimeout(None)
    try:
        if len(fds) != 2 or request.get("op") != "kernel":
            raise sandbox.SandboxError("a kernel request carries its stdout and stderr and op 'kernel'")
        box = sandbox_kernel.start_forked(request, *fds, stock=stock)
    except (sandbox.SandboxError, KeyError, ValueError, TypeError) as exc:
        _answer(stream, {"error": str(exc)})
        return None
    finally:
        for fd in fds:
            os.close(fd)
    _answer(stream, {"pid": box.pid})
    return box, stream


def _answer(stream, message: dict) -> None:
    try:
        kernel_launcher.send_line(stream, message)
    except OSError:
        pass


def _reap_kernels(kernels: dict) -> None:
    """Tell each launcher whose kernel has ended its exit code and hang up."""
    for conn, (box, stream) in list(kernels.items()):
        if not box.alive():
            _answer(stream, {"exit": box.returncode})
            del kernels[conn]
            conn.close()


def _warm_policies(policy) -> None:
    """Arm each policy once before forking: the first TorchDispatchMode imports torch._dynamo lazily,
    which inside a sandbox fails (it wants a cache folder under /tmp) and poisons later calls."""
    import torch

    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # lazy import of about 1 s, once here
    with policy.no_library_conv():
        torch.zeros(2) + 1
    with policy.no_autograd():
        torch.zeros(2) * 2


def _reap(children: dict[int, tuple[object, Path]]) -> None:
    """Forget children that have ended (the grader kills them) and delete their scratch folders."""
    for pid, (proc, scratch) in list(children.items()):
        if not proc.alive():
            del children[pid]
            shutil.rmtree(scratch, ignore_errors=True)


class ForkServer:
    """The grader's end of the fork-server; start it before loading anything secret."""

    def __init__(self, unsafe: bool = False):
        ours, theirs = socket.socketpair()
        env = tool_env(pythonpath=Path(__file__).resolve().parents[2], MPLBACKEND="Agg", OMP_NUM_THREADS="1",
                       MKL_NUM_THREADS="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "coursekit.isolation.forkserver", str(theirs.fileno()),
                                      *(["--unsafe"] if unsafe else [])], pass_fds=[theirs.fileno()], env=env)
        theirs.close()
        self.sock = ours
        self.stream = ours.makefile("rwb")
        try:
            hello = wire.recv(self.stream)
        except EOFError:
            raise ForkServerError("the fork-server died while starting; run `python -m coursekit.isolation.forkserver` "
                                  "to see why") from None
        self.protections = hello["protections"]
        self.kernel_socket = hello["kernel_socket"]  # for coursekit.isolation.sandbox_kernel launchers: warm kernels

    def spawn(self, notebooks: list, limits) -> tuple[int, socket.socket]:
        """Fork a sandboxed child under `limits` (course_config.Limits) that runs the notebooks' cells
        ([name, [[label, source], ...]] pairs); returns its pid and a connected socket."""
        wire.send(self.stream, {"op": "spawn", "notebooks": notebooks, "limits": dataclasses.asdict(limits)})
        data, fds, _, _ = socket.recv_fds(self.sock, 8, 1)
        if len(data) != 8 or not fds:
            raise ForkServerError("the fork-server stopped answering; see its messages above")
        return int.from_bytes(data, "little"), socket.socket(fileno=fds[0])

    def close(self) -> None:
        try:
            self.stream.close()
            self.sock.close()
        finally:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main(argv: list[str]) -> int:
    fd = int(argv[0])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when we stop
    with socket.socket(fileno=fd) as sock:
        _serve(sock, unsafe="--unsafe" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
