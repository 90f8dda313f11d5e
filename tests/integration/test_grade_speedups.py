"""The public step's speed-ups change nothing nbgrader records: real nbgrader, real fork-server, real sandboxed kernels.

What is sped up (benchmarks/profile_public.py shows by how much): the V1 data is generated once by the
fork-server and copied into each kernel, kernels draw with Agg, the launcher starts light, the client
does not wait out jupyter_client's iopub silence, and nbclient kills a kernel after its last cell.
"""
from __future__ import annotations

import hashlib
import random
import subprocess
import sys

import nbformat
import pytest

from course_config import COURSE, ROOT

T3 = COURSE.tutorials[2]


@pytest.fixture(scope="module")
def server():
    from coursekit.isolation.forkserver import ForkServer

    with ForkServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def graded(server, tmp_path_factory):
    """Tutorial 3 of an honest and of an untouched (stub) student, through coursekit's public step."""
    from coursekit.authoring import ensure_gradebook, simulate
    from coursekit.grading import public as pub
    from coursekit.isolation import sandbox_kernel

    ensure_gradebook()
    tmp = tmp_path_factory.mktemp("speedups")
    students = {}
    for sid, profile in (("honest", "perfect"), ("untouched", "stub")):
        path = tmp / "submitted" / sid / f"{T3}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(nbformat.writes(simulate.student_notebooks(profile, random.Random(COURSE.seed))[T3]))
        students[sid] = {T3: path}
    course, kernels = tmp / "course", tmp / "jupyter"
    pub.prepare(course, students)
    sandbox_kernel.install_kernelspec(kernels, name=pub.KERNEL_NAME)
    code = pub.autograde(course, kernels, tmp / "nbgrader.log", server.kernel_socket)
    assert code == 0, (tmp / "nbgrader.log").read_text()[-3000:]
    return course, students


def test_nbgrader_records_every_public_test_cell_of_a_warm_kernel_in_its_gradebook(graded):
    from nbgrader.api import Gradebook

    course, _ = graded
    with Gradebook(f"sqlite:///{course}/gradebook.db", COURSE.course_id) as gb:
        scores = {sid: {g.name: (g.auto_score, g.max_score) for g in
                        gb.find_submission_notebook(T3, COURSE.assignment, sid).grades if g.name.startswith("test_")}
                  for sid in ("honest", "untouched")}
    tests = [ex.test_cell for ex in COURSE.exercises_in(T3)]
    assert sorted(scores["honest"]) == sorted(tests)
    assert all(score == top and top > 0 for score, top in scores["honest"].values()), scores["honest"]
    assert all(score == 0 for score, _ in scores["untouched"].values()), scores["untouched"]


def test_autograded_notebooks_hold_the_test_verdicts_and_no_rendered_figure(graded):
    from coursekit.grading import public as pub
    from coursekit.grading.submission import release_notebook

    course, students = graded
    verdicts = pub.results(course, students, {T3: release_notebook(T3)})
    assert {gid: r.passed for (sid, gid), r in verdicts.items() if sid == "honest"} == \
        {ex.grade_id: True for ex in COURSE.exercises_in(T3)}
    assert not any(r.passed for (sid, _), r in verdicts.items() if sid == "untouched")
    honest = nbformat.read(course / "autograded" / "honest" / COURSE.assignment / f"{T3}.ipynb", as_version=4)
    outputs = [o for c in honest.cells for o in c.get("outputs", [])]
    assert outputs and not any("image/png" in o.get("data", {}) for o in outputs)


def test_a_warm_kernel_reads_the_v1_data_the_fork_server_made_and_draws_with_agg(server, tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.utils import run_sync
    from nbclient import NotebookClient

    from coursekit.isolation import sandbox_kernel

    monkeypatch.setenv(sandbox_kernel.ENV_SERVER, server.kernel_socket)
    sandbox_kernel.install_kernelspec(tmp_path / "jupyter")
    workdir = tmp_path / "notebook"
    workdir.mkdir()
    helper = COURSE.source_dir / COURSE.assignment / COURSE.helper_module
    (workdir / helper.name).write_bytes(helper.read_bytes())
    cells = ["from pathlib import Path; print(sorted(p.name for p in (Path.home() / '.cache' / 'w2d1').iterdir()))",
             "import hashlib; from w2d1_helpers import load_data; resp, stimuli = load_data()\n"
             "print(tuple(resp.shape), hashlib.md5(resp.numpy().tobytes() + stimuli.numpy().tobytes()).hexdigest())",
             "import matplotlib, matplotlib.pyplot as plt; plt.plot([0, 1]); plt.show(); print(matplotlib.get_backend())"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    km = sandbox_kernel.AsyncSandboxKernelManager(
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "jupyter" / "kernels")]))
    try:
        NotebookClient(nb, km=km, timeout=60, startup_timeout=60,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    printed = [o["text"].strip() for c in nb.cells for o in c.outputs if o.get("name") == "stdout"]
    assert printed[0].endswith("W3D4_stringer_oribinned1.npz']"), printed
    assert printed[1] == _v1_data_made_here(tmp_path / "cache", monkeypatch)
    assert printed[2].lower() == "agg"
    assert not any("image/png" in o.get("data", {}) for c in nb.cells for o in c.outputs)


def _v1_data_made_here(cache, monkeypatch) -> str:
    """What a student's own load_data() prints for the same cell, generating the data itself."""
    import importlib.util

    monkeypatch.setenv("W2D1_CACHE_DIR", str(cache))
    spec = importlib.util.spec_from_file_location("w2d1_helpers_here",
                                                  COURSE.source_dir / COURSE.assignment / COURSE.helper_module)
    helpers = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "w2d1_helpers_here", helpers)
    spec.loader.exec_module(helpers)
    resp, stimuli = helpers.load_data()
    return f"{tuple(resp.shape)} {hashlib.md5(resp.numpy().tobytes() + stimuli.numpy().tobytes()).hexdigest()}"


def test_the_kernel_launcher_starts_without_jupyter_client_numpy_or_torch():
    """Jupyter starts the launcher once per notebook: it imports the standard library and the sandbox only."""
    code = ("import sys, coursekit.isolation.kernel_launcher\n"
            "print(sorted(m for m in ('jupyter_client', 'numpy', 'torch', 'zmq') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
