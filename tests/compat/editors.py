"""Compatibility bank: a correct submission saved the way each common editor writes it, built from the release.

Every builder takes a tutorial's name and returns the text of the .ipynb file
that editor would save after a student filled in the reference answers and ran
the notebook.  Where each format detail comes from is cited beside it; "public
code" means notebooks and editor sources read through the code search, not
copied.  All of them are correct and must get full marks.

    text = EDITORS["colab"]("W2D1_Tutorial1")
"""
from __future__ import annotations

import ast
import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import nbformat

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.authoring import simulate

# A 1x1 PNG: what a plot cell's display_data carries, kept tiny.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
HELPER = ('def _shape(x):\n    """Shape of an array or tensor, as a tuple (a student\'s helper)."""\n'
          "    return tuple(x.shape)")


def _uid(*parts) -> str:
    """A deterministic stand-in for the random ids editors make (same shape: hex, 8-36 characters)."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def filled(name: str) -> dict:
    """The release with the reference answers, as plain JSON data (nbformat 4.5, cell ids, nbgrader metadata)."""
    return json.loads(nbformat.writes(simulate.fill(name, simulate.reference_answers(name))))


def _lines(text: str) -> list[str]:
    """Source as the list of lines Jupyter writes: each ends with a newline except the last."""
    return text.splitlines(keepends=True)


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def _run(nb: dict) -> dict:
    """The notebook after Run All: numbered code cells, a stream output, and a figure where a cell plots."""
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        count += 1
        cell["execution_count"] = count
        source = _text(cell["source"])
        cell["outputs"] = []
        if "print(" in source:
            cell["outputs"].append({"name": "stdout", "output_type": "stream", "text": ["ran\n"]})
        if "plot" in source or "plt." in source:
            cell["outputs"].append({"data": {"image/png": PNG, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
                                    "metadata": {}, "output_type": "display_data"})
    return nb


def _jupyter_file(nb: dict) -> str:
    # Jupyter Server saves with nbformat.write: keys sorted, indent 1, non-ASCII kept, a final newline
    # (jupyter_server/services/contents/fileio.py `_save_notebook`; nbformat/v4/nbjson.py `BytesEncoder`/`writes`).
    for cell in nb["cells"]:
        cell["source"] = _lines(_text(cell["source"]))
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _solutions(nb: dict) -> list[int]:
    return [i for i, c in enumerate(nb["cells"]) if c.get("metadata", {}).get("nbgrader", {}).get("solution")
            and c["cell_type"] == "code"]


def _second_definition(source: str) -> int | None:
    """Line index where a cell's second top-level definition starts (a place a student would split it)."""
    starts = [n.lineno - 1 for n in ast.parse(source).body
              if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    return starts[1] if len(starts) > 1 else None


def jupyterlab4(name: str) -> str:
    """JupyterLab 4 with "record timing" on; the student split a two-function solution cell in two."""
    nb = _run(filled(name))
    lab_meta = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                "pygments_lexer": "ipython3", "version": "3.11.7"}  # ipykernel's kernel_info language_info
    nb["metadata"]["language_info"] = lab_meta
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":  # the notebook setting recordTiming writes these (@jupyterlab/notebook)
            cell["metadata"]["execution"] = {"iopub.execute_input": "2026-11-27T10:00:00.000000Z",
                                             "iopub.status.busy": "2026-11-27T10:00:00.000000Z",
                                             "iopub.status.idle": "2026-11-27T10:00:01.000000Z",
                                             "shell.execute_reply": "2026-11-27T10:00:01.000000Z"}
    for i in reversed(_solutions(nb)):
        cell = nb["cells"][i]
        lines = _text(cell["source"]).split("\n")
        at = _second_definition("\n".join(lines))
        if at is None:
            continue
        # NotebookActions.splitCell (packages/notebook/src/actions.tsx): every part is a new cell with new id
        # and a copy of the original's metadata (so both carry the same nbgrader grade_id); leading and
        # trailing blank lines are trimmed; only the last part keeps the outputs.
        first, second = ("\n".join(lines[:at]).strip("\n"), "\n".join(lines[at:]).strip("\n"))
        parts = [dict(cell, id=_uid(name, i, 0), source=first, outputs=[], execution_count=None),
                 dict(cell, id=_uid(name, i, 1), source=second,
                      metadata=json.loads(json.dumps(cell["metadata"])))]
        nb["cells"][i:i + 1] = parts
    return _jupyter_file(nb)


def notebook7(name: str) -> str:
    """Notebook 7: a helper cell inserted below the first solution and then merged into it; an output collapsed."""
    nb = _run(filled(name))
    i = _solutions(nb)[0]
    cell = nb["cells"][i]
    # NotebookActions.insertBelow gives a new code cell metadata {trusted: true}; mergeCells keeps the active
    # cell's metadata, sets trusted, joins the sources with a blank line and inserts it as a new cell (new id).
    merged = dict(cell, id=_uid(name, "merged"), source=_text(cell["source"]) + "\n\n" + HELPER,
                  metadata=dict(cell["metadata"], trusted=True), outputs=[], execution_count=None)
    nb["cells"][i] = merged
    for c in nb["cells"]:
        if c["cell_type"] == "code" and c["outputs"]:
            c["metadata"]["jupyter"] = {"outputs_hidden": True}  # "Collapse output" (JupyterLab cell model)
            break
    return _jupyter_file(nb)


def vscode(name: str) -> str:
    """VS Code's ipynb extension: kernel picked from a venv; a fresh cell the student added to try things."""
    nb = _run(filled(name))
    nb["metadata"]["kernelspec"] = {"display_name": ".venv", "language": "python", "name": "python3"}
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python",
                                       "file_extension": ".py", "pygments_lexer": "ipython3",
                                       "codemirror_mode": {"name": "ipython", "version": 3},
                                       "nbconvert_exporter": "python"}
    i = _solutions(nb)[0]
    # a new cell: metadata {} and a fresh id for nbformat 4.5 (extensions/ipynb/src/serializers.ts
    # createCodeCellFromNotebookCell; cellIdService.ts)
    nb["cells"].insert(i + 2, {"cell_type": "code", "execution_count": None, "id": _uid(name, "vscode"),
                               "metadata": {}, "outputs": [], "source": HELPER + "\n"})
    for cell in nb["cells"]:
        # splitMultilineString: lines keep their "\n" except the last, no empty last line; CRLF becomes LF
        cell["source"] = [ln for ln in _lines(_text(cell["source"]).replace("\r\n", "\n")) if ln]
    # notebookSerializer.ts: JSON.stringify of the keys sorted recursively, the file's own indent (1 here,
    # detected from the release), and a final newline
    return json.dumps(_sorted(nb), indent=1, ensure_ascii=False) + "\n"


def _sorted(value):
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    return [_sorted(v) for v in value] if isinstance(value, list) else value


def colab(name: str) -> str:
    """Google Colab: nbformat 4.0, its own ids in cell metadata, no nbgrader metadata left (the worst case)."""
    nb = _run(filled(name))
    cells = []
    for k, cell in enumerate(nb["cells"]):
        # Colab cells (Colab-saved notebooks in public code): key order cell_type, source, metadata,
        # execution_count, outputs; metadata {"id": <12 characters>}, plus "colab": {"base_uri": ...} and
        # "outputId" on a cell with outputs.  nbformat_minor 0 has no top-level cell ids.  We assume the
        # nbgrader metadata is gone: a Colab helper in public code re-adds "missing grader metadata".
        meta = {"id": _uid(name, k)[:12]}
        out = {"cell_type": cell["cell_type"], "source": _lines(_text(cell["source"])), "metadata": meta}
        if cell["cell_type"] == "code":
            if cell["outputs"]:
                meta.update(colab={"base_uri": "https://localhost:8080/"}, outputId=_uid(name, k, "out")[:36])
            out.update(execution_count=cell["execution_count"], outputs=cell["outputs"])
        cells.append(out)
    doc = {"nbformat": 4, "nbformat_minor": 0,
           "metadata": {"colab": {"provenance": []},
                        "kernelspec": {"name": "python3", "display_name": "Python 3"},
                        "language_info": {"name": "python"}},
           "cells": cells}
    return json.dumps(doc, indent=2, ensure_ascii=False)  # Colab: two-space indent, keys unsorted


def nbformat44(name: str) -> str:
    """nbformat 4.4 (Notebook 6.0 and older): no cell ids at all."""
    nb = _run(filled(name))
    nb["nbformat_minor"] = 4  # cell "id" arrived with 4.5 (nbformat's v4 schema changelog, JEP 62)
    for cell in nb["cells"]:
        cell.pop("id", None)
    return _jupyter_file(nb)


def nbformat45(name: str) -> str:
    """nbformat 4.5 with ids; the student pasted the first answer into a fresh cell and deleted the stub."""
    nb = _run(filled(name))
    i = _solutions(nb)[0]
    cell = nb["cells"][i]
    # Notebook 6.5 / JupyterLab 3 insert: a new random id (nbformat.v4.new_code_cell) and no nbgrader metadata
    nb["cells"][i] = dict(cell, id=_uid(name, "fresh"), metadata={})
    return _jupyter_file(nb)


def trailing_whitespace(name: str) -> str:
    """Trailing spaces on every line and indented blank lines (CodeMirror keeps the indent on a new line)."""
    nb = filled(name)
    for cell in nb["cells"]:
        lines = _text(cell["source"]).split("\n")
        cell["source"] = "\n".join((ln + "  ") if ln.strip() else "    " for ln in lines) + "\n"
    return _jupyter_file(nb)


def crlf(name: str) -> str:
    """Windows line ends: CRLF inside every cell's source and between the file's lines.

    Seen when a notebook is edited as text on Windows; VS Code itself turns CRLF back into LF on save.
    """
    nb = filled(name)
    for cell in nb["cells"]:
        cell["source"] = _text(cell["source"]).replace("\n", "\r\n")
    return _jupyter_file(nb).replace("\n", "\r\n")


EDITORS: dict[str, Callable[[str], str]] = {
    "jupyterlab4": jupyterlab4, "notebook7": notebook7, "vscode": vscode, "colab": colab,
    "nbformat44": nbformat44, "nbformat45": nbformat45, "trailing_whitespace": trailing_whitespace, "crlf": crlf,
}


def has_grade_ids(text: str) -> bool:
    """Whether a saved notebook still carries nbgrader metadata (Colab's does not)."""
    return any(nbk.grade_id(c) for c in nbformat.reads(text, as_version=4).cells)


# A class of honest students named as LMSs name folders, each notebook saved by another editor.
_T1, _T2, _T3 = COURSE.tutorials
HONEST = {  # student -> editor per notebook: all eight formats, Tutorial 1 in four of them
    "José García": {_T1: "jupyterlab4", _T2: "notebook7", _T3: "nbformat45"},
    "Jose Garcia": {_T1: "colab", _T2: "crlf", _T3: "trailing_whitespace"},
    "王小明": {_T1: "vscode", _T2: "nbformat44", _T3: "colab"},
    "Zoë Ünal": {_T1: "notebook7", _T2: "vscode", _T3: "jupyterlab4"},
}


def write_honest_students(submitted: Path) -> dict[str, str]:
    """The reference answers, saved by the editors of the compatibility bank; student -> profile 'honest'."""
    for student, editors in HONEST.items():
        folder = submitted / student / COURSE.assignment
        folder.mkdir(parents=True)
        for name, editor in editors.items():
            (folder / f"{name}.ipynb").write_bytes(EDITORS[editor](name).encode("utf-8"))
    return {student: "honest" for student in HONEST}
