"""The command line: one table of verbs, every option reachable, keyword-only mains, no side effects at import."""
from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit import cli

PACKAGE = Path(cli.__file__).resolve().parent


def _dests(verb: cli.Verb) -> set[str]:
    p = cli.argparse.ArgumentParser()
    verb.options(p)
    return {a.dest for a in p._actions if a.dest != "help"}


@pytest.mark.parametrize("verb", cli.VERBS, ids=lambda v: v.name)
def test_each_verb_calls_a_keyword_only_main_that_takes_every_option(verb):
    main = importlib.import_module(verb.module).main
    params = inspect.signature(main).parameters
    positional = [n for n, p in params.items() if p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD)]
    assert not positional, f"{verb.module}.main takes {positional} positionally; make them keyword-only"
    missing = _dests(verb) - set(params)
    assert not missing, f"`coursekit {verb.name}` has options {missing} that {verb.module}.main does not take"


def test_every_verb_of_the_contract_is_in_the_table():
    names = {v.name for v in cli.VERBS}
    assert {"release", "check", "grade", "merge", "demo", "collect"} <= names


def test_only_the_command_line_parses_arguments():
    parsers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) else []
            if "argparse" in mods:
                parsers.append(str(path.relative_to(PACKAGE)))
    assert not parsers, f"argument parsing outside coursekit/cli.py: {parsers}"


def test_importing_the_command_line_changes_no_environment():
    code = ("import os, sys, json; env, path = dict(os.environ), list(sys.path); import coursekit.cli; "
            "print(json.dumps([dict(os.environ) == env, sys.path == path]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [True, True]


def test_release_options_are_reachable_from_the_command_line():
    args = cli.parser().parse_args(["release", "--out", "x"])
    assert args.out == Path("x")
    args = cli.parser().parse_args(["sync", "--check", "--force"])
    assert args.check and args.force


def test_grade_without_public_step_parses_to_public_false():
    assert cli.parser().parse_args(["grade", "--no-public"]).public is False
    assert cli.parser().parse_args(["grade"]).public is True


def test_a_missing_submissions_folder_is_a_clear_error_and_exit_2(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and "coursekit collect" in err


def test_the_contract_document_names_every_verb_and_exercise():
    from course_config import COURSE

    text = (PACKAGE.parent / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
    undocumented = [v.name for v in cli.VERBS if f"`{v.name}" not in text]
    undocumented += [ex.grade_id for ex in COURSE.exercises if f"`{ex.grade_id}`" not in text]
    assert not undocumented, f"docs/CONTRACT.md does not describe {undocumented}"
