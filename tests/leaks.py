"""The leak check for grading outputs: no hidden-suite code and no reference-solution line a student did not write.

A line leaks when it is a code line of tests/hidden (docstrings and comments
aside: a test's docstring is the check's name students are meant to read) or a
line from a solution / hidden-test region of the source, unless the release
shows it anyway or the student's own submission holds it (their code is on the
page, and a correct answer can equal the reference line for line).
"""
from __future__ import annotations

import ast
import json
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from course_config import ROOT

BLOCKS = {"p", "li", "div", "td", "th", "tr", "summary", "h1", "h2", "h3", "details", "pre", "section", "br",
          "table", "ul", "title"}
LONG = 30  # a secret line this long is looked for inside text too, not only as a whole line


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")
        self.parts.append("\n" if tag in BLOCKS else "")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")
        self.parts.append("\n" if tag in BLOCKS else "")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    """What a reader sees of an HTML page, one line per block or code line."""
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def json_text(data) -> str:
    """Every string in a JSON value, Markdown escapes undone, one per line."""
    if isinstance(data, dict):
        return "\n".join(json_text(v) for v in data.values())
    if isinstance(data, list):
        return "\n".join(json_text(v) for v in data)
    return re.sub(r"\\(.)", r"\1", data) if isinstance(data, str) else ""


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines |= set(range(first.lineno, first.end_lineno + 1))
    return lines


@lru_cache(maxsize=1)
def hidden_code_lines() -> frozenset[str]:
    out = set()
    for path in sorted((ROOT / "tests" / "hidden").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        docs = _docstring_lines(ast.parse(source))
        for k, line in enumerate(source.splitlines(), start=1):
            text = line.strip()
            if text and k not in docs and not text.startswith("#"):
                out.add(text)
    return frozenset(out)


@lru_cache(maxsize=1)
def _secret_and_public() -> tuple[frozenset[str], frozenset[str]]:
    from coursekit.authoring.release import secret_and_public_lines

    secret, public = secret_and_public_lines()
    return frozenset(secret), frozenset(public)


def own_lines(notebooks: list[Path]) -> set[str]:
    """Stripped lines of a student's submitted notebooks (their own code may be shown to them)."""
    import nbformat

    out = set()
    for path in notebooks:
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception:  # noqa: BLE001 - an unreadable submission has no lines of its own to allow
            continue
        out |= {ln.strip() for c in nb.cells for ln in c.source.splitlines()}
    return out


def leaks(text: str, own: set[str] = frozenset()) -> list[str]:
    """The lines of text that leak hidden-suite code or reference solutions."""
    secret, public = _secret_and_public()
    forbidden = (hidden_code_lines() | secret) - public - own
    lines = {ln.strip() for ln in text.splitlines()}
    found = sorted(lines & forbidden)
    found += sorted(s for s in forbidden if len(s) >= LONG and s in text and s not in found)
    return found


def file_leaks(path: Path, own: set[str] = frozenset()) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        text = json_text(json.loads(text))
    elif path.suffix == ".html":
        text = page_text(text)
    return leaks(text, own)
