"""Small helpers at the edges: atomic file writes and the environment for tools run as subprocesses."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes | str, mode: int | None = None) -> None:
    """Write data to path through a temporary file in the same folder and a rename: readers see old or new, whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644 if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def tool_env(base: dict[str, str] | None = None, pythonpath: Path | None = None, **extra: str) -> dict[str, str]:
    """An environment for a subprocess of this interpreter's tools (nbgrader runs `alembic` and `jupyter` by
    name): this interpreter's bin first on PATH, optionally a folder first on PYTHONPATH, plus `extra`."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join(p for p in [str(Path(sys.executable).parent), env.get("PATH", "")] if p)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(pythonpath), env.get("PYTHONPATH", "")] if p)
    env.update(extra)
    return env
