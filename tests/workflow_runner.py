"""A local stand-in for a GitHub-hosted runner: runs a workflow's jobs and `run:` steps for real, in order.

    runner = Runner(workflow_file, repo=..., root=..., inputs={"shards": "2"})
    jobs = runner.run()            # job name -> list of JobRun (one per matrix entry)
    runner.artifacts / "grades"    # each uploaded artifact is a folder

Each job gets a fresh workspace at one fixed path (as every hosted job sees
the same /home/runner/work/<repo>/<repo>), kept afterwards under root/jobs/.
`run:` steps execute as `bash --noprofile --norc -eo pipefail` (GitHub's
`shell: bash`) with GITHUB_* variables, GITHUB_OUTPUT, GITHUB_ENV and
GITHUB_STEP_SUMMARY files; `${{ }}` expressions are evaluated for the forms
workflows commonly use.  `uses:` steps are emulated: checkout copies the
repository, setup-python does nothing, cache links the already built venv
(a hit), upload-artifact and download-artifact copy folders with v4's rules
(least common ancestor of the paths; `pattern:` and `merge-multiple:`).
A `sudo` on PATH runs its command as is: the tests already run as root.
"""
from __future__ import annotations

import fnmatch
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!().\[\],])"
                    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))")
_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.pyc", ".ruff_cache", ".pytest_cache", ".demo",
                                 ".grading", "submitted", "autograded", "feedback", ".release-tmp-*")


class WorkflowError(RuntimeError):
    """A step failed or the workflow uses something this runner does not emulate."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise WorkflowError(f"cannot read expression {text!r} at {text[pos:]!r}")
        out.append(next((k, v) for k, v in m.groupdict().items() if v is not None))
        pos = m.end()
    return out


def _truthy(value) -> bool:
    return value not in (None, False, 0, "", 0.0)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class Expression:
    """A recursive-descent evaluator of GitHub's expression syntax (the subset workflows here use)."""

    def __init__(self, text: str, context: dict, functions: dict):
        self.toks, self.i, self.ctx, self.fns = _tokens(text), 0, context, functions

    def value(self):
        v = self._or()
        if self.i != len(self.toks):
            raise WorkflowError(f"unexpected {self.toks[self.i][1]!r} in expression")
        return v

    def _peek(self):
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def _take(self):
        self.i += 1
        return self.toks[self.i - 1]

    def _or(self):
        v = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            v = v if _truthy(v) else right
        return v

    def _and(self):
        v = self._cmp()
        while self._peek() == "&&":
            self._take()
            right = self._cmp()
            v = right if _truthy(v) else v
        return v

    def _cmp(self):
        v = self._unary()
        if self._peek() in ("==", "!="):
            op = self._take()[1]
            same = _text(v).lower() == _text(self._unary()).lower()
            return same if op == "==" else not same
        return v

    def _unary(self):
        if self._peek() == "!":
            self._take()
            return not _truthy(self._unary())
        return self._primary()

    def _primary(self):
        kind, tok = self._take()
        if kind == "str":
            return tok[1:-1].replace("''", "'")
        if kind == "num":
            return float(tok) if "." in tok else int(tok)
        if tok == "(":
            v = self._or()
            self._take()
            return v
        if tok in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[tok]
        if self._peek() == "(":
            self._take()
            args = []
            while self._peek() != ")":
                args.append(self._or())
                if self._peek() == ",":
                    self._take()
            self._take()
            if tok not in self.fns:
                raise WorkflowError(f"function {tok}() is not emulated")
            return self.fns[tok](*args)
        v = self.ctx.get(tok)
        while self._peek() in (".", "["):
            if self._take()[1] == ".":
                key = self._take()[1]
            else:
                key = _text(self._or())
                self._take()
            v = v.get(key) if isinstance(v, dict) else None
        return v


@dataclass
class JobRun:
    """One job (or one matrix entry of it) as it ran."""

    name: str
    matrix: dict
    workspace: Path
    outputs: dict = field(default_factory=dict)
    summary: str = ""
    logs: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, workflow: Path, *, repo: Path, root: Path, venv: Path, inputs: dict | None = None,
                 event: str = "workflow_dispatch", step_timeout: float = 1200):
        self.workflow = yaml.safe_load(Path(workflow).read_text())
        self.repo, self.root, self.venv = Path(repo), Path(root), Path(venv)
        self.event, self.step_timeout = event, step_timeout
        self.workspace = self.root / "work" / self.repo.name
        self.artifacts = self.root / "artifacts"
        self.bin = self.root / "bin"
        self.inputs = self._inputs(inputs or {})
        self.results: dict[str, list[JobRun]] = {}

    def _inputs(self, given: dict) -> dict:
        triggers = self.workflow.get("on", self.workflow.get(True, {}))  # YAML 1.1 reads a bare `on` as true
        spec = ((triggers or {}).get("workflow_dispatch") or {}).get("inputs", {}) if self.event == "workflow_dispatch" else {}
        return {name: given.get(name, s.get("default")) for name, s in spec.items()}

    def run(self, only: set[str] | None = None) -> dict[str, list[JobRun]]:
        """Run every job (or only those named, whose needs must be among them), in the order needs give."""
        self.bin.mkdir(parents=True, exist_ok=True)
        sudo = self.bin / "sudo"
        sudo.write_text('#!/bin/sh\n# the hosted runner\'s passwordless sudo; these tests already run as root\n'
                        'while [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n')
        sudo.chmod(0o755)
        for name in [n for n in self._order() if only is None or n in only]:
            self.results[name] = [self._job(name, matrix, i, total)
                                  for i, (matrix, total) in enumerate(self._matrix(name))]
        return self.results

    def _order(self) -> list[str]:
        jobs, done = self.workflow["jobs"], []
        while len(done) < len(jobs):
            ready = [n for n, j in jobs.items() if n not in done and set(_list(j.get("needs"))) <= set(done)]
            if not ready:
                raise WorkflowError("jobs' needs form a cycle")
            done += ready
        return done

    def _needs(self, name: str) -> dict:
        needs = _list(self.workflow["jobs"][name].get("needs"))
        return {n: {"result": "success", "outputs": self.results[n][0].outputs if self.results[n] else {}}
                for n in needs}

    def _matrix(self, name: str) -> list[tuple[dict, int]]:
        strategy = self.workflow["jobs"][name].get("strategy", {})
        spec = strategy.get("matrix")
        if spec is None:
            return [({}, 1)]
        spec = self._eval(spec, {"needs": self._needs(name), "inputs": self.inputs, "github": self._github()})
        if set(spec) & {"include", "exclude"}:
            raise WorkflowError("matrix include/exclude is not emulated")
        keys = list(spec)
        combos = [dict(zip(keys, values)) for values in itertools.product(*(spec[k] for k in keys))]
        return [(c, len(combos)) for c in combos]

    def _github(self) -> dict:
        return {"workspace": str(self.workspace), "event_name": self.event, "ref": "refs/heads/main",
                "ref_name": "main", "repository": f"local/{self.repo.name}", "run_id": "1", "run_attempt": "1",
                "sha": "0" * 40, "workflow": self.workflow.get("name", ""), "event": {"inputs": self.inputs}}

    def _eval(self, value, ctx: dict):
        """Evaluate `${{ }}` in a string (a lone expression keeps its type), or throughout a dict or list."""
        if isinstance(value, dict):
            return {k: self._eval(v, ctx) for k, v in value.items()}
        if isinstance(value, list):
            return [self._eval(v, ctx) for v in value]
        if not isinstance(value, str):
            return value
        fns = {"fromJSON": json.loads, "toJSON": json.dumps, "success": lambda: True, "always": lambda: True,
               "failure": lambda: False, "cancelled": lambda: False, "hashFiles": self._hash_files}
        whole = _EXPR.fullmatch(value.strip())
        if whole:
            return Expression(whole.group(1), ctx, fns).value()
        return _EXPR.sub(lambda m: _text(Expression(m.group(1), ctx, fns).value()), value)

    def _hash_files(self, *patterns: str) -> str:
        h = hashlib.sha256()
        for pattern in patterns:
            for path in sorted(self.workspace.glob(pattern)):
                h.update(path.read_bytes())
        return h.hexdigest()

    def _job(self, name: str, matrix: dict, index: int, total: int) -> JobRun:
        job = self.workflow["jobs"][name]
        shutil.rmtree(self.workspace, ignore_errors=True)
        self.workspace.mkdir(parents=True)
        temp = self.root / "runner-temp"
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir()
        run = JobRun(name, matrix, self.workspace)
        ctx = {"github": self._github(), "inputs": self.inputs, "matrix": matrix, "needs": self._needs(name),
               "strategy": {"job-index": index, "job-total": total}, "runner": {"os": "Linux", "temp": str(temp)},
               "steps": {}, "env": {}}
        summary = temp / "step_summary.md"
        summary.touch()
        env = {**os.environ, "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(self.workspace),
               "GITHUB_EVENT_NAME": self.event, "GITHUB_REF": "refs/heads/main", "GITHUB_RUN_ID": "1",
               "GITHUB_REPOSITORY": f"local/{self.repo.name}", "GITHUB_JOB": name, "RUNNER_TEMP": str(temp),
               "RUNNER_OS": "Linux", "GITHUB_STEP_SUMMARY": str(summary),
               "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}"}
        for scope in (self.workflow.get("env", {}), job.get("env", {})):
            for k, v in scope.items():
                ctx["env"][k] = env[k] = _text(self._eval(v, ctx))
        for number, step in enumerate(job["steps"], 1):
            self._step(run, step, number, ctx, env)
        run.outputs = {k: _text(self._eval(v, ctx)) for k, v in job.get("outputs", {}).items()}
        run.summary = summary.read_text()
        kept = self.root / "jobs" / f"{name}-{index + 1}"
        shutil.rmtree(kept, ignore_errors=True)
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(self.workspace), kept)
        run.workspace = kept
        return run

    def _step(self, run: JobRun, step: dict, number: int, ctx: dict, env: dict) -> None:
        if "if" in step:
            condition = step["if"]
            condition = condition if "${{" in str(condition) else f"${{{{ {condition} }}}}"
            if not _truthy(self._eval(condition, ctx)):
                run.logs.append(f"step {number} skipped: {step.get('name', step.get('uses', ''))}")
                return
        step_env = {**env, **{k: _text(self._eval(v, ctx)) for k, v in step.get("env", {}).items()}}
        with_ = {k: self._eval(v, ctx) for k, v in step.get("with", {}).items()}
        outputs: dict[str, str] = {}
        if "uses" in step:
            outputs = self._uses(step["uses"], with_)
        else:
            outputs = self._run(run, step, number, step_env, env)
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": outputs, "outcome": "success", "conclusion": "success"}

    def _run(self, run: JobRun, step: dict, number: int, step_env: dict, env: dict) -> dict:
        temp = Path(env["RUNNER_TEMP"])
        script, output, env_file = temp / f"step{number}.sh", temp / f"output{number}", temp / f"env{number}"
        script.write_text(step["run"])
        output.touch()
        env_file.touch()
        step_env = {**step_env, "GITHUB_OUTPUT": str(output), "GITHUB_ENV": str(env_file)}
        cwd = self.workspace / step.get("working-directory", ".")
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd,
                              env=step_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=self.step_timeout, stdin=subprocess.DEVNULL)
        run.logs.append(f"step {number}: {step.get('name', step['run'].splitlines()[0])}\n{proc.stdout}")
        if proc.returncode != 0:
            raise WorkflowError(f"job {run.name} {run.matrix}: step {number} ({step.get('name', 'run')}) exited "
                                f"{proc.returncode}:\n{proc.stdout[-4000:]}")
        env.update(_key_values(env_file.read_text()))
        return _key_values(output.read_text())

    def _uses(self, uses: str, with_: dict) -> dict:
        action = uses.split("@")[0]
        if action == "actions/checkout":
            shutil.copytree(self.repo, self.workspace, ignore=_IGNORE, dirs_exist_ok=True, symlinks=True)
            return {}
        if action == "actions/setup-python":
            return {"python-version": f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"}
        if action == "actions/cache":
            for path in str(with_["path"]).split():
                (self.workspace / path).symlink_to(self.venv if path == ".venv" else self.workspace / path)
            return {"cache-hit": "true"}
        if action == "actions/upload-artifact":
            return self._upload(with_)
        if action == "actions/download-artifact":
            return self._download(with_)
        raise WorkflowError(f"uses: {uses} is not emulated")

    def _upload(self, with_: dict) -> dict:
        dest = self.artifacts / str(with_["name"])
        if dest.exists():
            raise WorkflowError(f"artifact {with_['name']} uploaded twice (v4 artifacts are immutable)")
        paths = [self.workspace / p.strip() for p in str(with_["path"]).splitlines() if p.strip()]
        files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*")) if p.is_dir() else [])
                 if f.is_file() and not f.name.startswith(".") and not any(q.startswith(".") for q in
                                                                             f.relative_to(self.workspace).parts)]
        if not files and with_.get("if-no-files-found", "warn") == "error":
            raise WorkflowError(f"artifact {with_['name']}: no files found at {with_['path']}")
        base = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in paths]))
        for f in files:
            target = dest / f.relative_to(base)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
        return {"artifact-id": str(len(list(self.artifacts.iterdir())))}

    def _download(self, with_: dict) -> dict:
        path = self.workspace / str(with_.get("path", "."))
        names = sorted(p.name for p in self.artifacts.iterdir()) if self.artifacts.is_dir() else []
        chosen = [n for n in names if fnmatch.fnmatch(n, str(with_.get("pattern", with_.get("name", "*"))))]
        for name in chosen:
            target = path if _truthy(with_.get("merge-multiple")) and with_.get("merge-multiple") != "false" \
                else path / name
            shutil.copytree(self.artifacts / name, target, dirs_exist_ok=True)
        return {"download-path": str(path)}


def _list(value) -> list:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _key_values(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV lines: `key=value`, or `key<<DELIM` ... `DELIM`."""
    out, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            block = []
            for value in lines:
                if value == delim:
                    break
                block.append(value)
            out[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out
