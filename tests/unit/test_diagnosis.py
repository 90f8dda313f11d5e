"""Diagnosis: the banks state their misconceptions, replies are compared by behaviour, and every output says it."""
import csv
import json
from dataclasses import asdict, replace

import numpy as np
import pytest
import torch

from course_config import COURSE
from coursekit.authoring import banks
from coursekit.grading import class_report, diagnosis, feedback, gradescope, hidden, incremental, merge, report
from coursekit.grading.diagnosis import Recorder, misconception_of, same_reply
from coursekit.isolation.probe import InProcess, encode_call
from coursekit.results import Diagnosis
from tests import leaks
from tests.class_builders import PERFECT, exercise_row
from tests.gradescope_format import problems

FLIPPED = Diagnosis("flipped-kernel", "the kernel is flipped, which computes a convolution instead of the "
                                      "cross-correlation conv2d asks for")


# ---------------------------------------------------------------- the banks state their misconceptions

def test_every_wrong_entry_states_one_misconception_right_after_its_first_line():
    for entry in banks.entries():
        lines = entry.path.read_text(encoding="utf-8").splitlines()
        stated = misconception_of("\n".join(lines))
        if entry.kind == "wrong":
            assert lines[0].startswith("# wrong:") and stated is not None, (
                f"{entry.path}: line 2 should be `# misconception <slug>: <sentence>`")
        else:
            assert not any(line.startswith("# misconception") for line in lines), f"{entry.path} is correct"


def test_entries_sharing_a_slug_share_the_sentence_word_for_word():
    sentences: dict[str, set[str]] = {}
    for entry in banks.entries():
        if entry.kind == "wrong":
            sentences.setdefault(entry.misconception.slug, set()).add(entry.misconception.sentence)
    assert {slug: s for slug, s in sentences.items() if len(s) > 1} == {}
    assert not [s for ss in sentences.values() for s in ss if s.endswith(".")], \
        "sentences continue 'This looks like: ' and end without a full stop (the pages add it)"


def test_the_slugs_other_checks_rely_on_name_the_library_and_autograd_entries():
    slug = {e.name: e.misconception.slug for e in banks.entries() if e.kind == "wrong"}
    assert {slug[f"conv2d/{n}"] for n in ("wrong_library_call", "wrong_library_aten", "wrong_library_importlib")} \
        == {"library-convolution"}
    autograd = {name for name in slug if name.split("/")[1].startswith("wrong_autograd")}
    assert len(autograd) >= 3 and {slug[n] for n in autograd} == {"autograd-instead-of-by-hand"}


def test_a_line_that_is_not_a_slug_and_sentence_states_nothing():
    assert misconception_of("# wrong: x\n# misconception Flipped Kernel: text\n") is None
    assert misconception_of("# wrong: x\n# misconception flipped-kernel:\n") is None
    assert misconception_of("# wrong: x\n") is None


# ---------------------------------------------------------------- replies compared by behaviour

def ok(value):
    return {"ok": value}


def error(kind, message="boom"):
    return {"error": {"type": kind, "message": message, "cell": "conv2d", "line": 3, "missing": False}}


def test_close_values_of_the_same_dtype_and_shape_are_the_same_behaviour():
    a = torch.tensor([1.0, 2.0, float("nan")])
    assert same_reply(ok({"out": a}), ok({"out": a + 1e-6}))
    assert not same_reply(ok({"out": a}), ok({"out": a + 1e-2}))
    assert not same_reply(ok({"out": a}), ok({"out": a.double()})), "dtype is behaviour"
    assert not same_reply(ok({"out": a}), ok({"out": a[:2]}))
    assert not same_reply(ok({"out": a}), ok({"out": torch.tensor([1.0, 2.0, 3.0])})), "NaNs in the same places"
    assert not same_reply(ok({"out": a}), ok({"out": a.numpy()})), "a tensor is not an array"
    assert same_reply(ok([1.0, "x", True]), ok((1.0 + 1e-9, "x", True)))
    assert not same_reply(ok([1.0, "x", True]), ok([1.0, "x", 1]))


def test_errors_are_the_same_behaviour_by_type_and_by_message_only_when_strict():
    assert same_reply(error("TypeError", "a"), error("TypeError", "b"))
    assert not same_reply(error("TypeError", "a"), error("TypeError", "b"), strict=True)
    assert not same_reply(error("TypeError"), error("ValueError"))
    assert not same_reply(error("TypeError"), ok(None))


def test_a_policy_refusal_matches_only_the_same_rule_for_the_same_reason():
    rule = "this exercise computes gradients by hand: autograd may not be used"
    assert same_reply(error("PolicyViolation", rule), error("PolicyViolation", rule + " (called aten::mm)"))
    assert not same_reply(error("PolicyViolation", rule + "; your notebook left a thread running"),
                          error("PolicyViolation", rule))


def test_a_part_that_changes_with_the_seed_is_compared_by_kind_unless_the_student_gives_the_fixed_right_value():
    fixed, first, second = torch.ones(3), torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0.5, 0.6, 0.7])
    student = {"weight": torch.tensor([0.9, 0.8, 0.7]), "n": 3}
    assert same_reply(ok(student), ok({"weight": first, "n": 3}), ok({"weight": second, "n": 3}))
    assert not same_reply(ok(student), ok({"weight": first, "n": 4}), ok({"weight": second, "n": 4}))
    assert not same_reply(ok({"weight": fixed, "n": 3}), ok({"weight": first, "n": 3}), ok({"weight": second, "n": 3}),
                          ref=(ok({"weight": fixed, "n": 3}), ok({"weight": fixed, "n": 3})))


# ---------------------------------------------------------------- recording what a student was asked

def probe_double(ns, x):
    return ns["double"](x)


def test_the_recorder_files_each_call_under_the_running_exercise_and_counts_memo_hits_too():
    running = ["linear_layer"]
    handle = Recorder(InProcess([("cell", "def double(x):\n    return 2 * x\n")]), lambda: running[0])
    assert hidden.run_once(handle, probe_double, np.arange(3)).tolist() == [0, 2, 4]
    running[0] = "relu_layer"
    hidden.run_once(handle, probe_double, np.arange(3))  # answered from run_once's memo
    handle.run(probe_double, 5)
    assert len(handle.calls("linear_layer")) == 1 and len(handle.calls("relu_layer")) == 2
    assert all(c.reply is not None for c in handle.calls("relu_layer"))


# ---------------------------------------------------------------- the known mistakes themselves

def test_a_bank_entry_that_changes_process_settings_leaves_the_grader_as_it_was():
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    state = torch.random.get_rng_state()
    entry = diagnosis._Mistaken("conv2d", "torch.set_default_dtype(torch.float64)\ntorch.set_grad_enabled(False)\n"
                                "torch.manual_seed(3)\n" + (COURSE.banks_dir / "conv2d" / "wrong_flipped_kernel.py")
                                .read_text())
    entry.answer(diagnosis.Probe.of(probe_double), encode_call((1,), {}), seed=1)
    assert (torch.get_default_dtype(), torch.is_grad_enabled()) == (dtype, grad)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_each_exercise_with_a_bank_has_known_mistakes_with_their_misconceptions():
    for ex in COURSE.exercises:
        mistakes = diagnosis.known_mistakes(ex.grade_id)
        assert mistakes and all(m.misconception.slug for m in mistakes), ex.grade_id


# ---------------------------------------------------------------- every output says it

def test_a_row_with_full_marks_never_carries_a_diagnosis_and_a_row_that_lost_points_keeps_it():
    from coursekit.grading import pipeline
    from coursekit.results import Found, Outcome

    ex = COURSE.exercise("conv2d")
    outcomes = {("amy", "conv2d"): Outcome(ex.hidden_points, ex.hidden_points, diagnosis=FLIPPED),
                ("ben", "conv2d"): Outcome(0.0, ex.hidden_points, status="failed", diagnosis=FLIPPED)}
    got = {sid: next(r for r in pipeline._rows(Found(sid, {}), {}, outcomes, False) if r.grade_id == "conv2d")
           for sid in ("amy", "ben")}
    assert got["amy"].diagnosis is None and got["ben"].diagnosis == FLIPPED


@pytest.fixture
def rows():
    diagnosed = replace(exercise_row("bob", "conv2d", failed={0: ("failed", "values differ")}), diagnosis=FLIPPED)
    return [diagnosed, exercise_row("bob", "conv_layer"), exercise_row(PERFECT, "conv2d")]


def test_results_json_carries_the_slug_on_that_exercises_tests_only(rows):
    results = gradescope.results(rows)
    assert problems(results) == []
    tagged = [t for t in results["tests"] if "extra_data" in t]
    assert tagged and all(t["extra_data"] == {"diagnosis": "flipped-kernel"} and "conv2d" in t["tags"] for t in tagged)
    assert len(tagged) == len(rows[0].checks)
    failed = [t for t in tagged if t["status"] == "failed"]
    assert all("This looks like: the kernel is flipped" in t["output"] for t in failed)


def test_the_feedback_page_says_what_the_mistake_looks_like_in_the_diagnosed_exercise_only(rows):
    html = feedback.notebook_page("bob", COURSE.exercise("conv2d").notebook, rows[:2], None, today=None)
    text = leaks.page_text(html)
    assert text.count("This looks like:") == 1
    section = html.split('id="conv2d"')[1].split("</section>")[0]
    assert "This looks like:</b> the kernel is flipped, which computes a convolution" in section


def test_the_class_report_counts_diagnoses_per_exercise_with_links_to_the_students(rows, tmp_path):
    rows = rows + [replace(exercise_row("carol", "conv2d", failed={1: ("failed", "x")}), diagnosis=FLIPPED)]
    html = class_report.diagnoses_table(rows)
    assert "flipped-kernel" in html and '<td class="num">2</td>' in html
    assert html.count('href="../feedback/') == 2 and "#conv2d" in html
    assert "No answer matched" in class_report.diagnoses_table(rows[1:3])


def test_diagnoses_survive_a_merge_of_shards_and_a_kept_regrade_record(rows, tmp_path):
    report.write_all(rows[:2], "landlock7", tmp_path / "s1")
    report.write_all(rows[2:], "landlock7", tmp_path / "s2")
    assert merge.main(dirs=[tmp_path / "s1", tmp_path / "s2"], out=tmp_path / "all") == 0
    merged = {(r.student_id, r.grade_id): r.diagnosis for r in report.read_rows(tmp_path / "all" / "autograded")}
    assert merged == {("bob", "conv2d"): FLIPPED, ("bob", "conv_layer"): None, (PERFECT, "conv2d"): None}
    with open(tmp_path / "all" / "autograded" / "diagnoses.csv", newline="", encoding="utf-8") as fh:
        assert [r["diagnosis"] for r in csv.DictReader(fh)] == ["flipped-kernel"]
    assert incremental._row(json.loads(json.dumps(asdict(rows[0])))).diagnosis == FLIPPED
