"""OS isolation for untrusted student code: a forked child locked in by rlimits, namespaces, Landlock and dropped privileges.

Decisions (measured on Linux 6.18, x86_64, as root, Landlock ABI 7):
- One sandbox is two forks of the warm parent in a fresh PID namespace. PID 1
  is a trusted relay: it forks the worker (PID 2), forwards SIGINT/SIGTERM/
  SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2 to it, reaps orphans and exits with the
  worker's exit code (128+N when the worker died of signal N). Untrusted code
  never runs as PID 1, because a namespace's init ignores every signal it has
  no handler for, even SIGKILL sent to itself and SIGXCPU from RLIMIT_CPU.
  `Sandboxed.pid` is PID 1, so a plain os.kill(pid, SIGKILL) from outside
  kills everything in the namespace, and os.waitpid(pid) returns only when
  all of it is gone.
- The calling thread enters the new PID namespace for its next child with
  unshare(CLONE_NEWPID) and leaves it with setns() right after the fork, so
  the trusted process itself is left as it was.
- As root, the worker drops to a uid of its own (UID_BASE + PID 1's pid) and
  keeps CAP_DAC_READ_SEARCH only where it needs it: detect() probes, as such a
  uid with no capability, whether the Python installation is readable; the
  capability is kept when it is not (here the stdlib lives under /root, mode
  700: as uid nobody without that capability nothing new can be imported) or
  when a folder of the policy is not readable by others; everywhere else the
  worker holds no capability at all. uid 0 with no capabilities can import, but RLIMIT_NPROC
  does not apply to uid 0 and DAC still lets it write root's files and
  connect to root's Unix sockets. With its own uid, RLIMIT_NPROC bounds fork
  bombs, DAC refuses writes outside the scratch tree (chowned to that uid)
  and signals to other users. Reads are limited by Landlock (which also
  checks open_by_handle_at, the one thing that capability adds: tested).
  Policy(drop_uid=False) keeps uid 0 without capabilities instead.
- Landlock is applied in the worker, not in PID 1: the rule for /proc/self
  names one process. execve is never allowed (no EXECUTE right anywhere).
- Each sandbox gets its own network namespace (about 1 ms); even loopback is
  down in it, so Jupyter kernels use the `ipc` transport (sandbox_kernel).
- Per-namespace pid_max (Linux >= 6.14) caps the namespace at
  300 + max_processes pids, a bound that holds even when uid 0 is kept.
- Secrets in the environment: the worker clears os.environ down to
  ENV_KEEP and zeroes the inherited environment block (/proc/self/environ).
- warm_up() collapses the parent's anonymous memory into huge pages
  (MADV_COLLAPSE): fork of a torch parent went from about 10 ms to 2.5 ms.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import gc
import json
import os
import platform
import resource
import select
import signal
import site
import stat
import sys
import sysconfig
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from course_config import COURSE, ROOT, Limits

SETUP_FAILED = 121  # exit code of a sandbox that could not lock itself down (message on stderr)
UID_BASE = 1_000_000_000  # the worker's uid is UID_BASE + the outer pid of its PID 1
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "PYTHONHASHSEED", "PYTHONIOENCODING",
            "NBGRADER_EXECUTION", "MPLBACKEND", COURSE.data_env)
ENV_KEEP_PREFIXES = ("LC_", "OMP_", "MKL_", "OPENBLAS_")
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)

_LIBC = ctypes.CDLL(None, use_errno=True)
_LIBC.syscall.restype = ctypes.c_long
# Landlock's syscall numbers come from the generic table: the same on x86_64 and aarch64.
# Landlock's syscalls were added after the tables were unified: the same numbers on every architecture.
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446

CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_SET_KEEPCAPS, PR_CAPBSET_DROP = 1, 8, 24
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 39, 47, 4
CAP_DAC_READ_SEARCH = 2
_CAP_VERSION_3 = 0x20080522
_MADV_COLLAPSE = 25
_RESERVED_PIDS = 300  # the kernel's floor for pid_max

# Landlock access rights (include/uapi/linux/landlock.h); the ABI that introduced each is in the comment.
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_MAKE_CHAR, FS_MAKE_BLOCK = 1 << 6, 1 << 11
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
FS_ABI1 = (1 << 13) - 1
FS_FILE_ONLY = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
_RULE_PATH_BENEATH = 1
_READ = FS_READ_FILE | FS_READ_DIR
_DEVICE_RW = FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE


class SandboxError(RuntimeError):
    """The sandbox cannot be set up as asked (bad policy, or the kernel refuses a protection)."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _prctl(option: int, arg: int = 0) -> int:
    return _check(_LIBC.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
                              ctypes.c_ulong(0)), f"prctl({option})")


# ---------------------------------------------------------------- the policy

@functools.cache
def interpreter_paths() -> tuple[Path, ...]:
    """Read-only paths the interpreter and its packages need after fork: stdlib, site-packages, system libraries.

    Only the venv's lib and bin folders are listed, never sys.prefix itself
    (the venv may live inside the course repo).
    """
    paths = sysconfig.get_paths()
    python = [paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib", "scripts")]
    python += [*site.getsitepackages(), os.path.join(sys.base_prefix, "lib")]
    system = ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo", "/usr/share/fonts",
              "/etc/ld.so.cache", "/etc/localtime", "/dev/urandom", "/dev/random", "/dev/zero",
              "/proc/cpuinfo", "/sys/devices/system/cpu"]
    return tuple(dict.fromkeys(Path(p) for p in python + system if os.path.exists(p)))


@functools.cache
def protected_paths() -> tuple[Path, ...]:
    """Folders no policy may expose, whole or through an ancestor: the course repo, homes, the gradebook."""
    return tuple(dict.fromkeys(Path(p).resolve() for p in
                               (ROOT, COURSE.gradebook.parent, Path.home(), "/root", "/home")))


@dataclass(frozen=True)
class Policy:
    """What one sandboxed child may touch; everything not listed is denied.

    scratch: private read-write folder, the child's cwd, HOME and TMPDIR;
    give each child a fresh one (as root it is chowned to the child's uid).
    read_only / read_write: extra paths (files or folders). read_write paths
    are chowned to the child's uid too when it drops root. allow_network
    skips the network namespace and Landlock's TCP rules. interpreter: the
    system paths of interpreter_paths(). protected: paths that must stay
    hidden; a policy whose paths contain one is refused. workdir: cwd of the
    child (default scratch). drop_uid: as root, run as UID_BASE+pid with only
    CAP_DAC_READ_SEARCH (True) or as uid 0 with no capabilities (False).
    """

    scratch: Path
    read_only: tuple[Path, ...] = ()
    read_write: tuple[Path, ...] = ()
    limits: Limits = field(default_factory=Limits)
    allow_network: bool = False
    interpreter: tuple[Path, ...] = field(default_factory=interpreter_paths)
    protected: tuple[Path, ...] = field(default_factory=protected_paths)
    workdir: Path | None = None
    drop_uid: bool = True

    def __post_init__(self):
        resolved = {name: tuple(Path(p).resolve() for p in getattr(self, name))
                    for name in ("read_only", "read_write", "interpreter", "protected")}
        for name, value in resolved.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "scratch", Path(self.scratch).resolve())
        if self.workdir is not None:
            object.__setattr__(self, "workdir", Path(self.workdir).resolve())
        for path in (self.scratch, *self.read_only, *self.read_write, *self.interpreter):
            for hidden in self.protected:
                if path == hidden or path in hidden.parents:
                    raise SandboxError(f"sandbox policy would expose {hidden} through {path}; "
                                       "allow a narrower folder")
        for path in (self.scratch, *self.read_write):
            _refuse_shared(path)

    def landlock_rules(self) -> list[tuple[Path, int]]:
        """(path, rights) pairs; rights are masked to the kernel's ABI and to file rights for files."""
        write = ~(FS_EXECUTE | FS_MAKE_CHAR | FS_MAKE_BLOCK | FS_IOCTL_DEV)
        return ([(p, _READ) for p in (*self.interpreter, *self.read_only, Path("/proc/self"))]
                + [(p, write) for p in (self.scratch, *self.read_write)]
                + [(Path("/dev/null"), _DEVICE_RW)])


# ------------------------------------------------------------ detection

def landlock_abi() -> int:
    """Landlock ABI version of the running kernel, 0 when unavailable."""
    abi = _LIBC.syscall(ctypes.c_long(_SYS_CREATE_RULESET), None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(abi), 0)


@functools.cache
def detect() -> dict:
    """Which protections this kernel and process grant, probed in a throwaway fork (cached).

    Keys: landlock (ABI, 0 = none), landlock_tcp, landlock_scopes, netns,
    pidns, userns, rlimits, nnp, caps_drop, uid_drop (bools), and what the
    default Policy will get: caps ("dac_read_search", "none" or "all") and
    uid (UID_BASE stands for "a uid of its own"); root, arch.
    """
    abi = landlock_abi()
    probed = _in_fork(_probe)
    probed["python_readable"] = _in_fork(_probe_python_readable)["readable"]
    keep = probed["uid_drop"] and not probed["python_readable"]
    caps = "dac_read_search" if keep else "none" if probed["uid_drop"] or probed["caps_drop"] else "all"
    return {"landlock": abi, "landlock_tcp": abi >= 4, "landlock_scopes": abi >= 6, **probed,
            "caps": caps, "uid": UID_BASE if probed["uid_drop"] else os.geteuid(),
            "root": os.geteuid() == 0, "arch": platform.machine()}


def _probe() -> dict:
    """Try each step in this (throwaway) process, in the order the sandbox takes them."""
    stdlib = sysconfig.get_paths()["stdlib"]
    steps = (("netns", lambda: _unshare(CLONE_NEWNET)), ("pidns", lambda: _unshare(CLONE_NEWPID)),
             ("rlimits", lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0))),
             ("nnp", lambda: _prctl(PR_SET_NO_NEW_PRIVS, 1)),
             # dropping root must leave the stdlib importable (it lives under /root here)
             ("uid_drop", lambda: os.geteuid() == 0 and bool(_drop_privileges(UID_BASE + os.getpid(), True))
              and bool(os.listdir(stdlib))),
             ("caps_drop", lambda: _drop_privileges(None, False)),
             ("userns", lambda: _unshare(CLONE_NEWUSER)))
    result = {}
    for key, attempt in steps:
        try:
            result[key] = attempt() is not False
        except OSError:
            result[key] = False
    return result


def readable(paths) -> bool:
    """Whether this process can read every existing path (list a folder, open a file)."""
    for path in paths:
        try:
            if stat.S_ISDIR(os.stat(path).st_mode):
                os.listdir(path)
            else:
                os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC))
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True


def _probe_python_readable() -> dict:
    """Can a sandbox uid with no capability read the Python installation? (Run in a throwaway fork.)"""
    if os.geteuid() != 0:
        return {"readable": True}  # no uid change: the sandbox reads as this user does
    paths = interpreter_paths()  # before the drop: finding them imports from the installation
    _drop_privileges(UID_BASE + os.getpid(), keep_read=False)
    return {"readable": readable(paths)}


def _others_may_read(path: Path) -> bool:
    """By permission bits alone, can a user who is neither owner nor in the group read path (and reach it)?"""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return True
    need = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return _others_may_enter(path.parent) and mode & need == need


def _others_may_enter(folder: Path) -> bool:
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in (folder, *folder.parents) if p.exists())


def needs_read_capability(policy: Policy) -> bool:
    """Whether the sandbox uid must keep CAP_DAC_READ_SEARCH to read what the policy allows.

    The Python installation is probed (detect()); the policy's own read-only paths and the folders above
    its read-write ones are judged by their permission bits.
    """
    if tuple(Path(p).resolve() for p in interpreter_paths()) == policy.interpreter:
        python_ok = detect()["python_readable"]
    else:
        python_ok = all(_others_may_read(p) for p in policy.interpreter)
    own = [*policy.read_only, *([policy.workdir] if policy.workdir else [])]
    above = [p.parent for p in (policy.scratch, *policy.read_write)]
    return not (python_ok and all(_others_may_read(p) for p in own) and all(_others_may_enter(p) for p in above))


def _in_fork(func) -> dict:
    """Run func() in a forked child and return its JSON-able result."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(w, json.dumps(func()).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data or b"{}")


_FLAG_NAMES = (("landlock_tcp", "tcp"), ("landlock_scopes", "scopes"), ("netns", "netns"), ("pidns", "pidns"),
               ("rlimits", "rlimits"), ("nnp", "nnp"))


def flags(protections: dict) -> str:
    """Compact flags for a CSV column, e.g. "landlock7,tcp,scopes,netns,pidns,rlimits,nnp,nonroot,nocaps"."""
    out = [f"landlock{protections['landlock']}"] if protections.get("landlock") else []
    out += [short for key, short in _FLAG_NAMES if protections.get(key)]
    if protections.get("uid"):
        out.append("nonroot")
    caps = protections.get("caps")
    if caps == "none":
        out.append("nocaps")
    elif caps and caps != "all":
        out.append(f"caps={caps}")
    return ",".join(out) or "none"


def describe(protections: dict) -> str:
    """One line for logs, e.g. "sandbox: landlock7,tcp,scopes,netns,... (x86_64, root parent)"."""
    who = "root parent" if protections.get("root") else f"uid {protections.get('uid', os.geteuid())}"
    why = ""
    if protections.get("caps") == "dac_read_search":
        why = "; CAP_DAC_READ_SEARCH kept: the sandbox uid cannot read the Python installation without it"
    elif protections.get("caps") == "none" and protections.get("uid_drop"):
        why = "; no capability: the sandbox uid reads the Python installation by its permissions"
    return f"sandbox: {flags(protections)} ({protections.get('arch', platform.machine())}, {who}{why})"


def refuse_if_unprotected(protections: dict, unsafe: bool) -> None:
    """Raise SandboxError when neither Landlock nor a network namespace is available, unless unsafe."""
    if unsafe or protections.get("landlock") or protections.get("netns"):
        return
    raise SandboxError("no sandbox available here: this kernel grants neither Landlock nor network "
                       "namespaces, so student code would run unprotected. Grade on Linux >= 5.13 as root, "
                       "or pass --unsafe to grade anyway (only for code you trust).")


# -------------------------------------------------------------- warm-up

def warm_up() -> None:
    """Import torch, numpy, scipy and matplotlib (Agg) and run one op of each kind, so children start warm.

    torch reads /proc/cpuinfo and builds oneDNN kernels on its first ops;
    done here once, children neither repeat it nor print "Error in cpuinfo".
    Then everything is frozen out of the cyclic GC and the heap is collapsed
    into huge pages, to make each fork and each child cheaper.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import scipy.spatial.distance
    import scipy.stats
    import torch

    x = torch.randn(4, 8, requires_grad=True)
    y = torch.nn.functional.conv2d(x.reshape(1, 1, 4, 8), torch.randn(2, 1, 3, 3), padding=1)
    ((x @ x.T).relu().sum() + y.mean()).backward()
    a = np.random.default_rng(0).random((5, 3))
    np.linalg.solve(a.T @ a + np.eye(3), a[0])
    scipy.stats.pearsonr(a[:, 0], a[:, 1])
    scipy.spatial.distance.pdist(a, "correlation")
    fig = plt.figure(figsize=(1, 1))
    fig.gca().plot([0, 1])
    fig.canvas.draw()
    plt.close(fig)
    gc.collect()
    gc.freeze()  # children's collections then skip everything imported so far (fewer copy-on-write faults)
    _collapse_anonymous_memory()


def _collapse_anonymous_memory() -> None:
    """Ask the kernel to back private anonymous memory with huge pages: fewer page tables to copy per fork."""
    madvise = _LIBC.madvise
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    huge = 2 * 1024 * 1024
    with open("/proc/self/maps") as fh:
        for line in fh:
            parts = line.split()
            if parts[1] != "rw-p" or (len(parts) > 5 and parts[5] != "[heap]"):
                continue
            start, end = (int(v, 16) for v in parts[0].split("-"))
            start, end = (start + huge - 1) & ~(huge - 1), end & ~(huge - 1)
            if end > start:
                madvise(start, end - start, _MADV_COLLAPSE)  # advisory: EINVAL on old kernels is fine


# -------------------------------------------------------- privileged steps

def _unshare(flags: int) -> bool:
    _check(_LIBC.unshare(ctypes.c_int(flags)), f"unshare({flags:#x})")
    return True


def _set_rlimits(limits: Limits) -> bool:
    mib = 1024 * 1024
    for res, value in ((resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1)),
                       (resource.RLIMIT_AS, (limits.memory_mb * mib,) * 2),
                       (resource.RLIMIT_NPROC, (limits.max_processes,) * 2),
                       (resource.RLIMIT_FSIZE, (limits.max_file_mb * mib,) * 2),
                       (resource.RLIMIT_CORE, (0, 0))):
        resource.setrlimit(res, value)
    return True


def _enter_network_namespace() -> bool:
    """A fresh, empty network namespace (no interface is up); via a user namespace when not root."""
    try:
        return _unshare(CLONE_NEWNET)
    except OSError as exc:
        if exc.errno != errno.EPERM:
            raise
    uid, gid = os.getuid(), os.getgid()
    _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)
    return True


def _limit_pid_namespace(limits: Limits) -> bool:
    """Per-namespace pid_max (Linux >= 6.14); only PID 1's own namespace is affected."""
    try:
        with open("/proc/sys/kernel/pid_max", "w") as fh:
            fh.write(str(_RESERVED_PIDS + limits.max_processes))
        return True
    except OSError:
        return False


def _hand_over(paths, uid: int) -> None:
    """chown each read-write tree to the sandbox uid: only entries the caller owns, never through symlinks.

    A shared folder (/tmp and the like) is refused before anything is changed.
    """
    me = os.geteuid()
    for top in paths:
        _refuse_shared(Path(top))
    for top in paths:
        for folder, dirs, files in os.walk(top):
            for path in (folder, *(os.path.join(folder, n) for n in dirs + files)):
                if os.lstat(path).st_uid == me:
                    os.chown(path, uid, uid, follow_symlinks=False)


_SYSTEM_TEMP = tempfile.gettempdir()  # read at import: a sandbox later points tempfile at its own scratch


def _shared_folders() -> set[Path]:
    return {Path(p).resolve() for p in ("/", "/tmp", "/var/tmp", "/dev/shm", "/run", _SYSTEM_TEMP)}


def _refuse_shared(path: Path) -> None:
    """Raise SandboxError for a folder other users share (world-writable, or a system temp folder).

    A sticky bit alone is no sign of sharing: jupyter_client sets it on the
    folder of every connection file it writes, private or not.
    """
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise SandboxError(f"sandbox folder {path}: {exc.strerror}") from None
    if path.resolve() in _shared_folders() or st.st_mode & stat.S_IWOTH or st.st_uid != os.geteuid():
        raise SandboxError(f"{path} is shared (or not ours); a sandbox's read-write folders must be private "
                           "folders made for it, e.g. tempfile.mkdtemp()")


def kept_environment(environ) -> dict[str, str]:
    """The variables of environ a sandbox may see: ENV_KEEP and the ENV_KEEP_PREFIXES families."""
    return {k: v for k, v in environ.items() if k in ENV_KEEP or k.startswith(ENV_KEEP_PREFIXES)}


def _scrub_environment(policy: Policy) -> None:
    """Keep only ENV_KEEP in os.environ and zero the inherited environment block behind /proc/self/environ."""
    keep = kept_environment(os.environ)
    os.environ.clear()
    with open("/proc/self/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    start, end = int(fields[47]), int(fields[48])  # env_start, env_end: fields 50 and 51 of stat(5)
    if 0 < start < end:
        ctypes.memset(start, 0, end - start)
    home = str(policy.scratch)
    os.environ.update(keep, HOME=home, TMPDIR=home, MPLCONFIGDIR=os.path.join(home, ".matplotlib"),
                      IPYTHONDIR=os.path.join(home, ".ipython"), TORCHINDUCTOR_CACHE_DIR=os.path.join(home, ".torch"))
    tempfile.tempdir = home  # the parent's cached answer (/tmp) would send torch's lazy caches outside scratch


def _drop_bounding_set(keep: set[int]) -> None:
    with open("/proc/sys/kernel/cap_last_cap") as fh:
        last = int(fh.read())
    for cap in range(last + 1):
        if cap not in keep:
            _prctl(PR_CAPBSET_DROP, cap)


def _capset(mask: int) -> None:
    data = (_CapData * 2)()
    for i in range(2):
        data[i].effective = data[i].permitted = (mask >> (32 * i)) & 0xFFFFFFFF
    _check(_LIBC.capset(ctypes.byref(_CapHeader(_CAP_VERSION_3, 0)), data), "capset")


def _drop_privileges(uid: int | None, keep_read: bool) -> dict:
    """Drop every capability (keeping CAP_DAC_READ_SEARCH if keep_read) and, if uid is given, become that uid."""
    keep = {CAP_DAC_READ_SEARCH} if keep_read else set()
    with contextlib.suppress(OSError):  # needs CAP_SETPCAP; without it no_new_privs still blocks gains
        _drop_bounding_set(keep)
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        _prctl(PR_SET_KEEPCAPS, 1)
        os.setresuid(uid, uid, uid)
        _prctl(PR_SET_KEEPCAPS, 0)
    _capset(sum(1 << c for c in keep))
    with contextlib.suppress(OSError):
        _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    return {"caps": "dac_read_search" if keep else "none", "uid": os.getuid()}


def _landlock(policy: Policy, abi: int) -> dict:
    """Create, fill and enforce a ruleset handling every right this ABI knows; returns what it covers."""
    handled = FS_ABI1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0) \
        | (FS_IOCTL_DEV if abi >= 5 else 0)
    tcp = abi >= 4 and not policy.allow_network
    attr = _RulesetAttr(handled, (NET_BIND_TCP | NET_CONNECT_TCP) if tcp else 0,
                        (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0)
    ruleset = _check(_LIBC.syscall(ctypes.c_long(_SYS_CREATE_RULESET), ctypes.byref(attr),
                                   ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for path, rights in policy.landlock_rules():
            _add_path_rule(ruleset, path, rights & handled)
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _check(_LIBC.syscall(ctypes.c_long(_SYS_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return {"landlock": abi, "landlock_tcp": tcp, "landlock_scopes": abi >= 6}


def _add_path_rule(ruleset: int, path: Path, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not os.path.isdir(f"/proc/self/fd/{fd}"):
            rights &= FS_FILE_ONLY
        attr = _PathBeneathAttr(rights, fd)
        _check(_LIBC.syscall(ctypes.c_long(_SYS_ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                             ctypes.byref(attr), ctypes.c_uint32(0)), f"landlock_add_rule({path})")
    finally:
        os.close(fd)


def _die_with_parent(parent_pid: int | None) -> None:
    """SIGKILL this process when the thread that forked it dies; exit now if that already happened."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent_pid is None:
        return
    with open("/proc/self/stat") as fh:  # getppid() is 0 across a PID namespace; /proc shows the outer pid
        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
    if ppid != parent_pid:
        os._exit(SETUP_FAILED)


def _sandbox_uid(policy: Policy) -> int | None:
    """The uid the sandbox drops to: UID_BASE + this process's pid as seen from outside, or None to keep it."""
    if os.geteuid() != 0 or not policy.drop_uid:
        return None
    return UID_BASE + int(os.readlink("/proc/self"))


def _self_and_parents(path: str) -> set[Path]:
    resolved = Path(os.path.realpath(path))
    return {resolved, *resolved.parents}


def _prune_sys_path(policy: Policy) -> None:
    """Drop sys.path entries the sandbox cannot read, so imports do not trip over denied folders."""
    allowed = {*policy.interpreter, *policy.read_only, *policy.read_write, policy.scratch}
    sys.path[:] = [p for p in sys.path if p in ("", ".") or not allowed.isdisjoint(_self_and_parents(p))]
    sys.dont_write_bytecode = True


# ---------------------------------------------------------------- apply

def prepare(policy: Policy, uid: int | None, pid_namespace: bool) -> dict:
    """Steps shared by every process of the sandbox, run once by PID 1 before it forks the worker.

    New session, network namespace, pid_max of the namespace, environment
    scrub, and the read-write trees handed over to the sandbox uid.
    """
    with contextlib.suppress(PermissionError):
        os.setsid()
    held = {"pidns": pid_namespace, "netns": False}
    if not policy.allow_network:
        held["netns"] = _enter_network_namespace()
    if pid_namespace and os.geteuid() == 0:
        held["pid_max"] = _limit_pid_namespace(policy.limits)
    _scrub_environment(policy)
    if uid is not None:
        _hand_over((policy.scratch, *policy.read_write), uid)
    return held


def lock_down(policy: Policy, uid: int | None, parent_pid: int | None = None) -> dict:
    """Steps for the process that will run untrusted code: rlimits, Landlock, privileges, cwd, threads.

    parent_pid: pid of the forking process, checked after PR_SET_PDEATHSIG.
    """
    held = {"rlimits": _set_rlimits(policy.limits), "landlock": 0, "landlock_tcp": False,
            "landlock_scopes": False}
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    held["nnp"] = _prctl(PR_GET_NO_NEW_PRIVS) == 1
    abi = landlock_abi()
    if abi:
        held.update(_landlock(policy, abi))
    held.update(_drop_privileges(uid, keep_read=uid is not None and needs_read_capability(policy)))
    _die_with_parent(parent_pid)  # after the uid change, which clears the parent-death signal
    os.chdir(policy.workdir or policy.scratch)
    _prune_sys_path(policy)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)  # the parent's OpenMP pool does not survive fork
    return held


def apply(policy: Policy, parent_pid: int | None = None) -> dict:
    """Lock the calling process down (no PID namespace); returns what held, for logs and flags().

    Use in a freshly forked, single-threaded child. fork_sandboxed() is the
    usual entry: it adds the PID namespace and a trusted PID 1.
    """
    uid = _sandbox_uid(policy)
    return {**prepare(policy, uid, pid_namespace=False), **lock_down(policy, uid, parent_pid)}


_HELD: dict | None = None


def held() -> dict | None:
    """Inside a sandboxed worker: the protections that held (as apply() returns them); None elsewhere."""
    return _HELD


# --------------------------------------------------------------- forking

_OWN_FDS: set[int] = set()  # pidfds of live Sandboxed handles: closed in every new child


class Sandboxed:
    """Handle on a sandbox started by fork_sandboxed().

    pid: PID 1 of the sandbox's PID namespace (the relay). os.kill(pid,
    SIGKILL) kills every process of the sandbox; os.waitpid(pid) returns only
    when all are gone. Exit codes: the target's exit code (0 when it
    returned, 1 for an uncaught exception, SystemExit's code), 128+N when the
    worker died of signal N, SETUP_FAILED when the lock-down failed, and -N
    from wait() when the sandbox itself was killed from outside by signal N.
    """

    def __init__(self, pid: int, pidns: bool):
        self.pid = pid
        self.pidns = pidns
        self.returncode: int | None = None
        self._pidfd = os.pidfd_open(pid)
        _OWN_FDS.add(self._pidfd)

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to timeout seconds (None: forever); the exit code, or None if still running."""
        if self.returncode is None:
            poller = select.poll()
            poller.register(self._pidfd, select.POLLIN)
            if not poller.poll(None if timeout is None else max(0, int(timeout * 1000))):
                return None
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
            self._close()
        return self.returncode

    def alive(self) -> bool:
        return self.wait(0) is None

    def fileno(self) -> int:
        """The pidfd: readable once the sandbox has ended (for select; -1 after it was reaped)."""
        return self._pidfd

    def kill(self) -> int:
        """SIGKILL every process of the sandbox, reap it, and return the exit code."""
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
                if not self.pidns:
                    os.killpg(self.pid, signal.SIGKILL)
        return self.wait()

    def _close(self) -> None:
        if self._pidfd >= 0:
            _OWN_FDS.discard(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()

    def __del__(self):  # closes the pidfd only: dropping the handle must not kill the sandbox
        with contextlib.suppress(Exception):
            self._close()


@contextlib.contextmanager
def _child_pid_namespace():
    """Within the block, this thread's next fork() becomes PID 1 of a new PID namespace.

    Yields (entered, fd of the caller's own PID namespace or -1). The forked
    child leaves through os._exit and never runs the clean-up.
    """
    outer, entered = -1, False
    with contextlib.suppress(OSError):  # not root (or no PID namespaces): fall back to a process group
        outer = os.open("/proc/thread-self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        entered = _unshare(CLONE_NEWPID)
    try:
        yield entered, outer
    finally:
        if entered:
            _check(_LIBC.setns(ctypes.c_int(outer), ctypes.c_int(CLONE_NEWPID)), "setns(pid)")
        if outer >= 0:
            os.close(outer)


def fork_sandboxed(policy: Policy, target, *args, keep_fds=None) -> Sandboxed:
    """Fork a sandbox that runs target(*args) under policy, and return its handle at once.

    The child inherits every file descriptor of the caller (pipes, sockets),
    unless keep_fds is given: then all others above stderr are closed.
    The wall-clock limit is the caller's: wait(timeout), then kill().
    Call it from a long-lived thread: the sandbox dies with the forking thread.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    parent = os.getpid()
    with _child_pid_namespace() as (pidns, outer):
        pid = os.fork()
        if pid == 0:
            _relay_main(policy, parent, pidns, outer, keep_fds, target, args)
    return Sandboxed(pid, pidns)


def _close_fds(ours: set[int], keep) -> None:
    for fd in ours:
        with contextlib.suppress(OSError):
            os.close(fd)
    if keep is not None:
        keep = sorted({0, 1, 2, *keep})
        for low, high in zip(keep, keep[1:] + [os.sysconf("SC_OPEN_MAX")]):
            os.closerange(low + 1, high)


def _relay_main(policy, parent, pidns, outer, keep_fds, target, args) -> None:
    """PID 1 of the sandbox: shared set-up, fork the worker, relay signals and its exit status. Never returns."""
    try:
        _close_fds({*_OWN_FDS, outer} - {-1}, keep_fds)
        _die_with_parent(parent)
        uid = _sandbox_uid(policy)
        shared = prepare(policy, uid, pidns)
        relay = os.getpid() if not pidns else None
        worker = []
        for sig in FORWARDED_SIGNALS:
            signal.signal(sig, lambda signum, frame: worker and os.kill(worker[0], signum))
        worker.append(os.fork())
        if worker[0] == 0:
            _worker_main(policy, uid, relay, shared, target, args)
        _drop_privileges(uid, keep_read=False)
        _die_with_parent(parent)  # again: the uid change cleared it
    except BaseException:  # noqa: BLE001 - report anything, then leave with a code the caller can read
        _report_setup_failure()
        os._exit(SETUP_FAILED)
    os._exit(_wait_for(worker[0]))


def _wait_for(worker: int) -> int:
    """Reap children (orphans reparent to PID 1) until the worker exits; its code, or 128+N for signal N."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return SETUP_FAILED
        if pid == worker:
            code = os.waitstatus_to_exitcode(status)
            return 128 - code if code < 0 else code


def _worker_main(policy, uid, relay, shared, target, args) -> None:
    """The worker: lock down, run target(*args), exit with its code. Never returns."""
    global _HELD
    try:
        for sig in FORWARDED_SIGNALS:
            signal.signal(sig, signal.SIG_DFL if sig != signal.SIGINT else signal.default_int_handler)
        _HELD = {**shared, **lock_down(policy, uid, relay)}
    except BaseException:  # noqa: BLE001
        _report_setup_failure()
        os._exit(SETUP_FAILED)
    os._exit(_run(target, args))


def _run(target, args) -> int:
    try:
        target(*args)
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # noqa: BLE001 - the target's own failure: traceback to its stderr, code 1
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def _report_setup_failure() -> None:
    with contextlib.suppress(Exception):
        os.write(2, f"coursekit.isolation.sandbox: setup failed, exit {SETUP_FAILED}\n{traceback.format_exc()}".encode())
