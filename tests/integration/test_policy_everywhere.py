"""Submissions that hand a forbidden computation to another thread or process earn none of the exercise's points.

Each submission is the reference notebook with one solution cell replaced (as a bank entry is), graded by the
real hidden suites against a real sandboxed child.  They are not bank entries: bank entries are judged in the
trusted process, where the process-wide half of the policy stays off.
"""
from __future__ import annotations

import sys

import pytest

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.authoring import banks
from coursekit.grading import hidden
from coursekit.grading.submission import source_notebook, student_cells
from coursekit.isolation.handle import sandboxed_notebook
from tests.builders import PIPE_PROTOCOL, fork_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="the sandbox is Linux-only")]

CONV_ARGS = """
    stride = [stride, stride] if isinstance(stride, int) else list(stride)
    padding = [padding, padding] if isinstance(padding, int) else list(padding)
"""
CONV_SIGNATURE = "def conv2d(x, weight, bias=None, stride=1, padding=0):\n    \"\"\"Convolution.\"\"\"\n"
IN_A_THREAD = """import threading


def in_a_thread(fn):
    out = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


"""

CONV2D = {
    "aten_in_a_thread": IN_A_THREAD + CONV_SIGNATURE + CONV_ARGS + (
        "    return in_a_thread(lambda: torch.ops.aten.convolution(x, weight, bias, stride, padding, [1, 1], False,"
        " [0, 0], 1))\n"),
    "torch_C_in_a_thread": IN_A_THREAD + CONV_SIGNATURE + CONV_ARGS + (
        "    return in_a_thread(lambda: torch._C._VariableFunctions.conv2d(x, weight, bias, stride, padding))\n"),
    "F_conv2d_in_an_earlier_thread": """import queue
import threading

jobs, results = queue.Queue(), queue.Queue()


def serve():
    while True:
        args = jobs.get()
        results.put(F.conv2d(*args))


threading.Thread(target=serve, name="conv-helper", daemon=True).start()


""" + CONV_SIGNATURE + "    jobs.put((x, weight, bias, stride, padding))\n    return results.get()\n",
    "forked_worker_fed_by_a_pipe": PIPE_PROTOCOL + """if os.fork() == 0:
    while True:
        x, weight, bias, stride, padding = receive(jobs_r)
        t = [None if a is None else torch.from_numpy(a) for a in (x, weight, bias)]
        send(results_w, torch.ops.aten.convolution(*t, stride, padding, [1, 1], False, [0, 0], 1).numpy())


""" + CONV_SIGNATURE + CONV_ARGS + """    arrays = [None if a is None else a.detach().numpy()
              for a in (x, weight, bias)]
    send(jobs_w, (*arrays, stride, padding))
    return torch.from_numpy(receive(results_r))
""",
}

AUTOGRAD_GRADS = """
def autograd_grads(net, r, target):
    net.zero_grad()
    loss = ((net.out_layer(torch.relu(net.in_layer(r))) - target) ** 2).mean()
    loss.backward()
    return {name: p.grad.clone() for name, p in net.named_parameters()}


"""
DEEPNET_SIGNATURE = "def deepnet_gradients(net, r, target):\n    \"\"\"Gradients by hand.\"\"\"\n"
DEEPNET_GRADIENTS = {
    "backward_in_a_thread": IN_A_THREAD + AUTOGRAD_GRADS + DEEPNET_SIGNATURE
    + "    return in_a_thread(lambda: autograd_grads(net, r, target))\n",
    "autograd_grad_in_a_thread": IN_A_THREAD + DEEPNET_SIGNATURE + """    def by_autograd():
        params = [p.detach().clone().requires_grad_(True) for p in net.parameters()]
        W1, b1, W2, b2 = params
        loss = ((torch.relu(r @ W1.T + b1) @ W2.T + b2 - target) ** 2).mean()
        grads = torch.autograd.grad(loss, params)
        return {name: g for (name, _), g in zip(net.named_parameters(), grads)}
    return in_a_thread(by_autograd)
""",
    "backward_in_an_earlier_thread": "import queue\nimport threading\n" + AUTOGRAD_GRADS + """
jobs, results = queue.Queue(), queue.Queue()
threading.Thread(target=lambda: [results.put(autograd_grads(*jobs.get())) for _ in iter(int, 1)],
                 name="grad-helper", daemon=True).start()


""" + DEEPNET_SIGNATURE + "    jobs.put((net, r, target))\n    return results.get()\n",
    "forked_worker_fed_by_a_pipe": PIPE_PROTOCOL + AUTOGRAD_GRADS + """if os.fork() == 0:
    while True:
        state, r, target = receive(jobs_r)
        net = DeepNetReLU(r.shape[1], state["in_layer.weight"].shape[0])
        net.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
        grads = autograd_grads(net, torch.from_numpy(r), torch.from_numpy(target))
        send(results_w, {k: v.numpy() for k, v in grads.items()})


""" + DEEPNET_SIGNATURE + """    state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    send(jobs_w, (state, r.detach().numpy(), target.detach().numpy()))
    return {k: torch.from_numpy(v) for k, v in receive(results_r).items()}
""",
}
CHEATS = {"conv2d": CONV2D, "deepnet_gradients": DEEPNET_GRADIENTS}
RULE = {"conv2d": "this exercise implements the convolution itself",
        "deepnet_gradients": "this exercise computes gradients by hand"}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """(student_id, grade_id) -> Outcome of the hidden suites, every submission in a sandbox of its own."""
    folder = tmp_path_factory.mktemp("cheats")
    selected = []
    for grade_id, sources in CHEATS.items():
        (folder / grade_id).mkdir()
        for slug, source in sources.items():
            path = folder / grade_id / f"wrong_{slug}.py"
            path.write_text(f"# wrong: {slug.replace('_', ' ')}\n{source}")
            selected.append(banks.Entry(grade_id, "wrong", path))
        honest = folder / grade_id / "correct_reference.py"
        notebook = COURSE.exercise(grade_id).notebook
        _, cell = nbk.cells_by_grade_id(source_notebook(notebook), notebook)[grade_id]
        honest.write_text(nbk.strip_markers(cell.source))
        selected.append(banks.Entry(grade_id, "correct", honest))
    with fork_server(COURSE.limits.cell_seconds) as server:
        results = hidden.run([e.name for e in selected], _sandboxed(server, selected),
                             only={gid for gid in CHEATS})
    return hidden.summarise(results)


def _sandboxed(server, selected):
    by_name = {e.name: e for e in selected}

    def open_handle(student_id: str, notebook: str):
        entry = by_name[student_id]
        nb = banks.mutant_notebook(entry) if COURSE.exercise(entry.grade_id).notebook == notebook \
            else banks.reference_submission(notebook)
        cells = student_cells(notebook, nb, release_nb=source_notebook(notebook))
        return sandboxed_notebook(server, notebook, cells, COURSE.limits)

    return open_handle


@pytest.mark.parametrize(("grade_id", "slug"), [(g, s) for g, sources in CHEATS.items() for s in sources])
def test_work_handed_to_another_thread_or_process_earns_none_of_the_exercise_points(outcomes, grade_id, slug):
    got = outcomes[(f"{grade_id}/wrong_{slug}", grade_id)]
    assert got.hidden_score == 0, f"{got.hidden_score}/{got.hidden_max}: {got.messages}"
    assert not got.public_confirmed, "the public points must not be confirmed either"
    assert any("PolicyViolation: " + RULE[grade_id] in m and "runs alone" in m for m in got.messages), got.messages


@pytest.mark.parametrize("grade_id", CHEATS)
def test_the_reference_solution_keeps_full_marks_in_the_sandbox(outcomes, grade_id):
    got = outcomes[(f"{grade_id}/correct_reference", grade_id)]
    assert got.hidden_score == got.hidden_max and got.public_confirmed, got.messages
