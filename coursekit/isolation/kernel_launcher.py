"""The process Jupyter starts for each sandbox kernel: `python -m coursekit.isolation.kernel_launcher -f CONNECTION_FILE`.

Decisions:
- Jupyter starts this launcher once per notebook, so its start-up is paid on
  every notebook nbgrader grades: it imports the standard library and
  coursekit.isolation.sandbox only (about 0.07 s on 2 cores, where importing
  jupyter_client and numpy as well took 0.32 s).  The kernel managers and the
  direct path (no fork-server) live in coursekit.isolation.sandbox_kernel:
  without a fork-server to ask, the launcher execs that module in its place.
- With a fork-server (COURSEKIT_KERNEL_SERVER names its kernel socket) the
  launcher hands over its stdout and stderr with SCM_RIGHTS and sends one
  request; the fork-server forks the warm, sandboxed kernel and replies with
  its pid, later with its exit code.  Messages are single lines of JSON
  (plain data, never pickle), bounded in size.
- The launcher stays the kernel's stand-in for jupyter_client: it forwards
  SIGINT/SIGTERM/SIGHUP, exits with the kernel's exit code, and if it is
  killed the fork-server kills the kernel.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sys

from coursekit.isolation import sandbox

ENV_SERVER = "COURSEKIT_KERNEL_SERVER"
ENV_SCRATCH, ENV_ALLOW_RO, ENV_ALLOW_RW = "COURSEKIT_SCRATCH", "COURSEKIT_ALLOW_RO", "COURSEKIT_ALLOW_RW"
MAX_LINE = 1 << 20  # a request holds argv, cwd and the kept environment: far below this


def send_line(stream, message: dict) -> None:
    """Write one message as a line of JSON."""
    stream.write(json.dumps(message).encode() + b"\n")
    stream.flush()


def recv_line(stream) -> dict:
    """Read one message written by send_line; EOFError when the peer has gone, ValueError if malformed."""
    line = stream.readline(MAX_LINE + 1)
    if not line:
        raise EOFError("peer closed the channel")
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise ValueError("message line too long or cut short")
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("a message is a JSON object")
    return message


def kernel_environment(environ=os.environ) -> dict[str, str]:
    """What a kernel may see of its launcher's environment (NBGRADER_EXECUTION, locale, thread counts...)."""
    keep = sandbox.kept_environment(environ)
    keep.update({k: environ[k] for k in (ENV_SCRATCH, ENV_ALLOW_RO, ENV_ALLOW_RW) if k in environ})
    return keep


def launch_via_server(address: str, argv: list[str]) -> int:
    """Ask the fork-server for a warm sandboxed kernel, then stand in for it until it exits."""
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(address)
        except OSError as exc:
            print(f"coursekit sandbox kernel: cannot reach the fork-server at {address} ({exc.strerror}); "
                  f"unset {ENV_SERVER} to start kernels without it", file=sys.stderr)
            return sandbox.SETUP_FAILED
        socket.send_fds(sock, [b"k"], [1, 2])
        stream = sock.makefile("rwb")
        send_line(stream, {"op": "kernel", "argv": argv, "cwd": os.getcwd(), "env": kernel_environment()})
        try:
            reply = recv_line(stream)
        except (EOFError, ValueError):
            reply = {"error": "the fork-server closed the connection"}
        if "error" in reply:
            print(f"coursekit sandbox kernel: {reply['error']}", file=sys.stderr)
            return sandbox.SETUP_FAILED
        forward_signals(int(reply["pid"]))
        try:
            return exit_status(int(recv_line(stream).get("exit", 1)))
        except (EOFError, OSError, ValueError):
            return 1


def forward_signals(pid: int) -> None:
    """Pass jupyter's interrupts and shutdown signals on to the sandbox's PID 1, which relays them to the kernel."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: os.kill(pid, signum))


def exit_status(code: int) -> int:
    """A Sandboxed exit code as a process exit status: killed by signal N (code -N) gives 128 + N."""
    return code if code >= 0 else 128 - code


def served(argv: list[str], module: str) -> int | None:
    """The exit code when a launch ends here: a usage error (2), or the kernel the fork-server named by
    COURSEKIT_KERNEL_SERVER started; None when the caller starts the kernel itself."""
    if "-f" not in argv or argv.index("-f") + 1 >= len(argv):
        print(f"usage: python -m {module} -f CONNECTION_FILE [ipykernel options]", file=sys.stderr)
        return 2
    if os.environ.get(ENV_SERVER):
        return launch_via_server(os.environ[ENV_SERVER], argv)
    return None


def main(argv: list[str] | None = None) -> int:
    """Start one sandboxed kernel (through the fork-server when there is one); returns its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    code = served(argv, "coursekit.isolation.kernel_launcher")
    if code is not None:
        return code
    # no fork-server: become the full launcher (same pid, which jupyter_client watches), imports and all
    os.execv(sys.executable, [sys.executable, "-m", "coursekit.isolation.sandbox_kernel", *argv])


if __name__ == "__main__":
    sys.exit(main())
