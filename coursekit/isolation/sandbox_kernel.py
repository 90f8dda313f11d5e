"""A Jupyter kernel that runs ipykernel inside the coursekit sandbox: `python -m coursekit.isolation.sandbox_kernel -f CONNECTION_FILE`.

Decisions:
- Transport: the sandbox has its own network namespace where even loopback
  is down, so jupyter's default TCP-over-loopback cannot reach the kernel.
  The `ipc` transport uses Unix sockets named `<ip>-<port>`: filesystem
  objects, which work across network namespaces. The folder holding the
  connection file and those sockets is the kernel's scratch (read-write), so
  it must be private to this kernel: the launcher refuses a folder that holds
  other connection files (jupyter's shared runtime folder would hand the
  student every other kernel's key). SandboxKernelManager sets all this up.
- This process stays outside the sandbox as a small supervisor: it forks the
  sandbox (sandbox.fork_sandboxed), forwards SIGINT/SIGTERM/SIGHUP to it
  (jupyter interrupts by signal), and exits with its exit code. If it is
  killed, the sandbox dies with it (parent-death signal, PID namespace).
- Policy from the environment: COURSEKIT_SCRATCH (default: the connection
  file's folder), COURSEKIT_ALLOW_RO and COURSEKIT_ALLOW_RW (os.pathsep
  separated). The kernel's working directory (the notebook's folder, chosen
  by the kernel manager) is added read-only unless listed read-write.
- Warm kernels: when COURSEKIT_KERNEL_SERVER names the kernel socket of a
  running fork-server (coursekit.isolation.forkserver), the launcher
  (coursekit.isolation.kernel_launcher, what the kernelspec runs) does not
  fork the kernel itself: it asks the fork-server, whose torch, numpy,
  scipy, matplotlib and ipykernel are already imported, and hands over its
  stdout and stderr. The notebook's imports then cost nothing (they took
  6 s per kernel on a 2-core machine).
- Data stocked by the fork-server: start_forked copies the files it is
  given (the synthetic V1 data the fork-server generated once, see
  forkserver._stock_data) into the kernel's scratch at `~/.cache/w2d1`,
  where w2d1_helpers looks for its cache (HOME is the scratch folder), so
  `load_data()` reads them instead of generating them (0.5 s per notebook).
  A copy, not a link: the scratch tree is handed to the kernel's uid.
- Figures: kernels draw with Agg (sandbox.warm_up selects it in the
  fork-server, before ipykernel could choose its inline backend), so
  `plt.show()` renders nothing and autograded notebooks hold no PNG.
- Ready sooner: PromptKernelClient.wait_for_ready returns as soon as the
  kernel has answered kernel_info and reported idle for it on iopub, instead
  of jupyter_client's extra 0.2 s of iopub silence; nbclient ignores iopub
  messages that are not replies to its own requests either way.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.utils import run_sync
from traitlets import DottedObjectName, Type, Unicode

from course_config import COURSE, ROOT
from coursekit.isolation import sandbox
from coursekit.isolation import scratch
from coursekit.isolation.kernel_launcher import (ENV_ALLOW_RO, ENV_ALLOW_RW, ENV_SCRATCH, ENV_SERVER,  # noqa: F401
                                                 exit_status, forward_signals, served)

KERNEL_NAME = "coursekit-sandbox"
# No sqlite history in scratch; no parent poller: the worker's parent is PID 1 of its namespace, which
# ipykernel takes for "my parent died" (the sandbox dies with this launcher anyway).
IPKERNEL_ARGS = ("--HistoryManager.enabled=False", "--IPKernelApp.parent_handle=0")
PREIMPORTS = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython.core.interactiveshell",
              "jupyter_client.session", "zmq", "tornado.ioloop", "comm", "matplotlib_inline.backend_inline",
              "ipykernel.debugger")  # the debugger module (debugpy) is imported by every IPKernelApp: 0.07 s
DATA_HOME = Path(".cache") / "w2d1"  # where w2d1_helpers caches its synthetic data, under HOME (the scratch)


def kernelspec_dict() -> dict:
    """The kernel.json content: this interpreter, this module, the repo on PYTHONPATH, interrupts by signal."""
    return {"argv": [sys.executable, "-m", "coursekit.isolation.kernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (coursekit sandbox)", "language": "python",
            "interrupt_mode": "signal", "env": {"PYTHONPATH": str(ROOT)}, "metadata": {"debugger": False}}


def install_kernelspec(data_dir, name: str = KERNEL_NAME) -> str:
    """Write <data_dir>/kernels/<name>/kernel.json (data_dir is a JUPYTER_PATH entry); returns name."""
    folder = Path(data_dir) / "kernels" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernelspec_dict(), indent=1) + "\n")
    return name


def _paths(value: str | None) -> tuple[Path, ...]:
    return tuple(Path(p) for p in (value or "").split(os.pathsep) if p)


def policy_from_env(connection_file: Path, environ=os.environ, cwd: str | None = None) -> sandbox.Policy:
    """The sandbox policy for a kernel whose connection file is connection_file (see the module doc)."""
    scratch = Path(environ.get(ENV_SCRATCH) or connection_file.resolve().parent).resolve()
    _check_private(scratch, connection_file.resolve())  # before anything is handed to the sandbox uid
    read_only, read_write = _paths(environ.get(ENV_ALLOW_RO)), _paths(environ.get(ENV_ALLOW_RW))
    cwd = Path(cwd or os.getcwd()).resolve()
    if not any(cwd == p or p in cwd.parents for p in (scratch, *read_write)):
        read_only += (cwd,)
    return sandbox.Policy(scratch=scratch, read_only=read_only, read_write=read_write,
                          limits=COURSE.limits, workdir=cwd)


def _check_private(scratch: Path, connection_file: Path) -> None:
    """Refuse unless scratch is a private folder holding only this kernel's connection file and ipc sockets.

    Jupyter's default connection file lives in /tmp or the shared runtime
    folder: taking that as scratch would hand it to the student.
    """
    hint = ("Start the kernel with coursekit.isolation.sandbox_kernel.SandboxKernelManager, or give the KernelManager "
            "transport='ipc' and a connection_file and ip inside a fresh folder of its own.")
    try:
        info = json.loads(connection_file.read_text())
    except (OSError, ValueError) as exc:
        raise sandbox.SandboxError(f"cannot read connection file {connection_file}: {exc}. {hint}") from None
    ip = Path(str(info.get("ip", ""))).resolve()
    if info.get("transport") != "ipc" or ip.parent != scratch or connection_file.parent != scratch:
        raise sandbox.SandboxError(f"the sandbox kernel needs transport 'ipc' with its sockets and connection "
                                   f"file in one private folder (got transport {info.get('transport')!r}, "
                                   f"ip {info.get('ip')!r}, connection file {connection_file}). {hint}")
    strangers = [p.name for p in scratch.iterdir() if p != connection_file and not p.name.startswith(ip.name)]
    if strangers or scratch.stat().st_mode & 0o077:
        raise sandbox.SandboxError(f"kernel folder {scratch} is not private (shared, or holds "
                                   f"{strangers[:3]}). {hint}")


def preimport() -> None:
    """Import what ipykernel needs before the fork (the repo's own modules are unreadable afterwards).

    debugpy warns on stderr about frozen modules when imported; every kernel
    imports it and prints that to nbgrader's log anyway, but the grader's
    terminal need not show it.
    """
    import contextlib
    import importlib
    import io

    for name in PREIMPORTS:
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                importlib.import_module(name)
        except ImportError:
            pass


def _run_kernel(argv: list[str]) -> None:
    """Inside the sandbox: start ipykernel on the ipc sockets named in the connection file."""
    import warnings

    from ipykernel.kernelapp import IPKernelApp
    # ipykernel's pipe for output of forked subprocesses binds TCP on loopback, which the sandbox refuses.
    warnings.filterwarnings("ignore", message="Couldn't bind IOPub Pipe")
    IPKernelApp.launch_instance(argv=argv)


def start_forked(request: dict, out_fd: int, err_fd: int, stock: tuple[Path, ...] = ()) -> sandbox.Sandboxed:
    """In the fork-server: start the kernel a launcher asked for (kernel_launcher.launch_via_server), with copies
    of the `stock` files in its data cache; SandboxError if refused."""
    argv = [str(a) for a in request["argv"]]
    policy = policy_from_env(Path(argv[argv.index("-f") + 1]), environ=request["env"], cwd=request["cwd"])
    _stock(policy.scratch, stock)
    env = sandbox.kept_environment(request["env"])
    return sandbox.fork_sandboxed(policy, _run_forked_kernel, out_fd, err_fd, env, [*argv, *IPKERNEL_ARGS],
                                  keep_fds=[out_fd, err_fd])


def _stock(scratch_dir: Path, files: tuple[Path, ...]) -> None:
    """Copy the files into the kernel's data cache (after policy_from_env found the folder private).

    A copy that fails (a full disk) is left out: the kernel then generates the data itself.
    """
    cache = scratch_dir / DATA_HOME
    for path in files:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, cache / path.name)
        except OSError:
            (cache / path.name).unlink(missing_ok=True)


def _run_forked_kernel(out_fd: int, err_fd: int, env: dict, argv: list[str]) -> None:
    """Inside the sandbox forked from the fork-server: the launcher's output streams and environment, then ipykernel."""
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    for fd in {out_fd, err_fd} - {1, 2}:
        os.close(fd)
    sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)
    os.environ.update(env)
    if "" not in sys.path:
        sys.path.insert(0, "")  # the notebook's folder, as for a kernel started fresh there
    _run_kernel(argv)


def main(argv: list[str] | None = None) -> int:
    """Supervise one sandboxed kernel; returns its exit code.

    With a fork-server, ask it for the kernel (kernel_launcher.launch_via_server); without one, check the
    policy, import what ipykernel needs, fork the sandbox here and supervise it.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    code = served(argv, "coursekit.isolation.sandbox_kernel")
    if code is not None:
        return code
    connection_file = Path(argv[argv.index("-f") + 1])
    try:
        policy = policy_from_env(connection_file)
        sandbox.refuse_if_unprotected(sandbox.detect(), unsafe=False)
    except sandbox.SandboxError as exc:
        print(f"coursekit sandbox kernel: {exc}", file=sys.stderr)
        return sandbox.SETUP_FAILED
    preimport()
    box = sandbox.fork_sandboxed(policy, _run_kernel, [*argv, *IPKERNEL_ARGS])
    forward_signals(box.pid)
    return exit_status(box.wait())


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's asyncio client, ready as soon as the kernel is (see the module doc)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            if await self._answered(deadline):
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _answered(self, deadline: float) -> bool:
        """True once a kernel_info reply came on shell and a message on iopub (iopub is connected: the test
        jupyter_client makes); False after a second without the reply or 0.2 s without iopub, to ask again."""
        while True:
            try:
                reply = await self.shell_channel.get_msg(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
            except Empty:
                return False
            if reply["msg_type"] == "kernel_info_reply":
                break
        try:
            await self.iopub_channel.get_msg(timeout=0.2)
        except Empty:
            return False
        self._handle_kernel_info_reply(reply)
        return True


class _PrivateIpcFolder:
    """Mixin for jupyter_client kernel managers: ipc transport, connection file and sockets in a fresh folder."""

    _private_dir: str | None = None

    async def _async_pre_start_kernel(self, **kw):
        if self._private_dir is None:
            self._private_dir = str(scratch.private_dir("kernel"))
            self.transport = "ipc"
            self.connection_file = os.path.join(self._private_dir, "kernel.json")
            self.ip = os.path.join(self._private_dir, "kernel-ipc")
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._private_dir:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None


class SandboxKernelManager(_PrivateIpcFolder, KernelManager):
    """KernelManager for the sandbox kernel (kernel_name defaults to KERNEL_NAME); the folder goes at clean-up.

    Use it as nbclient's `km`, or name it (or AsyncSandboxKernelManager) as
    nbclient/nbgrader's kernel_manager_class:
    "coursekit.isolation.sandbox_kernel.AsyncSandboxKernelManager".
    """

    kernel_name = Unicode(KERNEL_NAME).tag(config=True)
    pre_start_kernel = run_sync(_PrivateIpcFolder._async_pre_start_kernel)
    cleanup_resources = run_sync(_PrivateIpcFolder._async_cleanup_resources)


class AsyncSandboxKernelManager(_PrivateIpcFolder, AsyncKernelManager):
    """The asyncio flavour of SandboxKernelManager (nbclient's default kind of manager), with PromptKernelClient."""

    kernel_name = Unicode(KERNEL_NAME).tag(config=True)
    client_class = DottedObjectName("coursekit.isolation.sandbox_kernel.PromptKernelClient")
    client_factory = Type(PromptKernelClient, klass=AsyncKernelClient)
    pre_start_kernel = _PrivateIpcFolder._async_pre_start_kernel
    cleanup_resources = _PrivateIpcFolder._async_cleanup_resources

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        """Notice a killed kernel's exit within 10 ms (jupyter_client polls every 100 ms)."""
        await super()._async_wait(pollinterval=pollinterval)


if __name__ == "__main__":
    sys.exit(main())
