"""The mutant banks judged by the real hidden suites: every known-wrong entry loses points on its own
exercise and on no other, every alternative correct entry gets full marks.

Each tutorial's bank is judged by `python -m coursekit.authoring.banks GRADE_ID...` in its own process, the three
started together (the module's one fixture) so the work spreads over the machine's cores.
"""
import os
import subprocess
import sys
from collections import Counter

import pytest

from course_config import COURSE, ROOT
from coursekit.authoring import banks

pytestmark = pytest.mark.slow

# issue 4-6 minimums: grade_id -> (wrong, correct)
MINIMUM = {"deepnet_relu": (5, 2), "train": (5, 2), "linear_layer": (5, 2), "relu_layer": (5, 2),
           "mse_loss": (5, 2), "deepnet_gradients": (5, 2), "conv2d": (8, 3), "conv_layer": (4, 2),
           "rdm": (6, 3), "correlate_rdms": (5, 2)}


@pytest.fixture(scope="module")
def verdicts() -> dict[str, tuple[int, str]]:
    """notebook -> (exit code, printed verdict lines) of `python -m coursekit banks` over its exercises."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    procs = {nb: subprocess.Popen([sys.executable, "-m", "coursekit", "banks",
                                   *(ex.grade_id for ex in COURSE.exercises_in(nb))],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for nb in COURSE.tutorials}
    return {nb: (p.wait(timeout=900), p.stdout.read()) for nb, p in procs.items()}


def test_every_exercise_has_the_required_wrong_and_correct_entries():
    counts = Counter((e.grade_id, e.kind) for e in banks.entries())
    short = {gid: (counts[gid, "wrong"], counts[gid, "correct"]) for gid, (w, c) in MINIMUM.items()
             if counts[gid, "wrong"] < w or counts[gid, "correct"] < c}
    assert not short, f"banks below the minimum (wrong, correct): {short}"
    assert set(MINIMUM) == {ex.grade_id for ex in COURSE.exercises}


@pytest.mark.parametrize("notebook", COURSE.tutorials)
def test_bank_entries_are_judged_right_by_the_hidden_suites(verdicts, notebook):
    code, out = verdicts[notebook]
    wrongly = [line for line in out.splitlines() if line.startswith("BAD")]
    assert code == 0 and not wrongly, out[-4000:]
    judged = [line for line in out.splitlines() if line.startswith("ok ")]
    expected = sum(1 for e in banks.entries() if COURSE.exercise(e.grade_id).notebook == notebook)
    assert len(judged) == expected, out[-4000:]
