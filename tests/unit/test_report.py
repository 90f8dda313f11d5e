"""Class outputs: contract CSVs, exports for item analysis, Gradescope's results.json, the report, and merge."""
import csv
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from course_config import COURSE
from coursekit.files import atomic_write
from coursekit.grading import class_report, gradescope, merge, report
from coursekit.grading.exports import SUMMARY_FIELDS
from coursekit.results import GRADE_COLUMNS, STATUSES, SUMMARY_COLUMNS, Row
from tests import gradescope_format, leaks
from tests.class_builders import HIDDEN_CHECKS, PERFECT, PUBLIC_ONLY, TROUBLED, exercise_row, write_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("class"))


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_grades_csv_has_the_contract_columns_and_one_row_per_student_and_exercise(sample):
    out, rows, _ = sample
    grades = _read(out / "autograded" / "grades.csv")
    assert list(grades[0]) == list(GRADE_COLUMNS)
    assert len(grades) == len(rows) == 3 * len(COURSE.exercises)
    assert {r["status"] for r in grades} <= STATUSES


def test_summary_keeps_the_contract_columns_first_and_in_order(sample):
    out, _, _ = sample
    summary = {r["student_id"]: r for r in _read(out / "autograded" / "summary.csv")}
    assert tuple(next(iter(summary.values())))[:len(SUMMARY_COLUMNS)] == SUMMARY_COLUMNS
    assert tuple(SUMMARY_FIELDS)[:len(SUMMARY_COLUMNS)] == SUMMARY_COLUMNS
    top = sum(ex.max_points for ex in COURSE.exercises)
    assert float(summary[PERFECT]["score"]) == top == float(summary[PERFECT]["max_score"])
    assert summary[TROUBLED]["status"] == "tampered" and "tampered" in summary[TROUBLED]["flags"]
    assert summary[PERFECT]["flags"].startswith("sandbox=landlock7")


def test_scores_csv_is_one_line_per_student_and_one_column_per_exercise(sample):
    out, rows, _ = sample
    scores = _read(out / "autograded" / "scores.csv")
    assert list(scores[0]) == ["student_id", *(e.grade_id for e in COURSE.exercises), "total", "max_score"]
    assert [r["student_id"] for r in scores] == sorted([PERFECT, PUBLIC_ONLY, TROUBLED])
    bob = next(r for r in scores if r["student_id"] == PUBLIC_ONLY)
    assert float(bob["conv2d"]) == next(r.score for r in rows if r.student_id == PUBLIC_ONLY and r.grade_id == "conv2d")
    assert float(bob["total"]) == pytest.approx(sum(float(bob[e.grade_id]) for e in COURSE.exercises))


def test_checks_csv_is_one_line_per_student_and_check_with_passed_or_failed(sample):
    out, rows, _ = sample
    checks = _read(out / "autograded" / "checks.csv")
    assert len(checks) == sum(len(r.checks) for r in rows)
    assert {c["result"] for c in checks} == {"passed", "failed"} and {c["kind"] for c in checks} == {"public", "hidden"}
    bob_conv = [c for c in checks if c["student_id"] == PUBLIC_ONLY and c["grade_id"] == "conv2d"]
    assert [c["result"] for c in bob_conv] == ["passed", "failed", "passed", "failed"]


def test_every_results_json_uses_only_gradescopes_documented_fields_and_types(sample):
    out, _, submissions = sample
    for sid in submissions:
        results = json.loads((report.student_dir(out, "autograded", sid) / "results.json").read_text("utf-8"))
        assert gradescope_format.problems(results) == [], sid
        assert all(t["output_format"] == "md" for t in results["tests"])


def test_the_format_checker_finds_a_misspelt_field_and_a_wrong_type():
    bad = {"score": "3", "tests": [{"name": "x", "score": 1, "max_score": 1, "status": "ok", "visiblity": "visible"}]}
    assert gradescope_format.problems(bad) == [
        "missing 'execution_time'", "'score' is str", "tests[0] 'x': unknown field 'visiblity'",
        "tests[0] 'x': status 'ok'"]


def test_results_json_has_one_test_per_check_tagged_with_its_exercise_and_the_summarys_score(sample):
    out, rows, _ = sample
    results = json.loads((report.student_dir(out, "autograded", PUBLIC_ONLY) / "results.json").read_text("utf-8"))
    assert len(results["tests"]) == len(COURSE.exercises) * (1 + HIDDEN_CHECKS)
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert [t["name"] for t in failed] == ["conv2d: conv2d behaves as documented on case family 1",
                                          "conv2d: conv2d behaves as documented on case family 3"]
    assert all("conv2d" in t["tags"] and t["output"] for t in failed)
    assert "\n\n" in failed[0]["output"]  # two messages, two Markdown paragraphs
    assert results["score"] == round(sum(r.score for r in rows if r.student_id == PUBLIC_ONLY), 2)
    assert results["execution_time"] == 2


def test_results_json_still_has_an_entry_for_each_exercise_of_a_notebook_that_was_not_graded(sample):
    out, _, _ = sample
    results = json.loads((report.student_dir(out, "autograded", TROUBLED) / "results.json").read_text("utf-8"))
    ungraded = [t for t in results["tests"] if "not graded" in t["tags"]]
    assert [t["name"] for t in ungraded] == [f"{e.grade_id}: could not be graded (missing)"
                                             for e in COURSE.exercises_in(COURSE.tutorials[-1])]
    assert all(t["score"] == 0 and t["max_score"] > 0 and "Submit the notebook" in t["output"] for t in ungraded)


def test_markdown_output_shows_identifiers_and_brackets_literally():
    assert gradescope.md("in_layer.weight has shape [3, 2]") == r"in\_layer.weight has shape \[3, 2\]"


def test_the_report_links_each_failed_check_to_the_students_feedback(sample):
    out, _, _ = sample
    html = (out / "autograded" / "report.html").read_text("utf-8")
    links = re.findall(r'href="(\.\./feedback/[^"#]+)#?([^"]*)"', html)
    assert links
    for path, anchor in links:
        page = (out / "autograded" / unquote(path)).resolve()
        assert page.is_file(), path
        assert f'id="{unquote(anchor)}"' in page.read_text("utf-8")
    row = re.search(r"<tr><td>conv2d</td><td>conv2d behaves as documented on case family 1</td>.*?</tr>", html)
    assert "67%" in row.group(0) and f">{PUBLIC_ONLY}</a>" in row.group(0)


def test_the_report_flags_a_check_failed_by_most_or_alone_by_students_who_pass_everything_else():
    rows = [exercise_row(sid, "conv2d", {0: ("failed", "no")} if sid != "c" else {}) for sid in ("a", "b", "c")]
    rows += [exercise_row(sid, "rdm") for sid in ("a", "b", "c")]
    stats = {(s["grade_id"], s["name"]): s for s in class_report.check_stats(rows)}
    flags = stats[("conv2d", "conv2d behaves as documented on case family 1")]["flags"]
    assert flags == ["failed by most students (2 of 3)",
                     "the only check failed by 2 student(s) who pass everything else"]
    assert stats[("rdm", "rdm behaves as documented on case family 1")]["flags"] == []


def test_item_statistics_give_discrimination_and_the_mean_of_each_fifth_of_the_class():
    rows = []
    for k in range(10):  # conv2d tracks the rest of the total; rdm is the same for everyone
        conv = exercise_row(f"s{k}", "conv2d")
        conv.hidden_score, conv.public_score = 6 * k / 9, 2.0
        rest = exercise_row(f"s{k}", "train")
        rest.hidden_score = 2 * k / 9
        rows += [conv, rest, exercise_row(f"s{k}", "rdm")]
    stats = {s["grade_id"]: s for s in class_report.exercise_stats(rows)}
    assert stats["conv2d"]["discrimination"] == pytest.approx(1.0)
    assert stats["rdm"]["discrimination"] is None  # no spread: nothing to correlate
    quintiles = stats["conv2d"]["quintiles"]
    assert quintiles == sorted(quintiles) and quintiles[0] == pytest.approx(100 * (2 + 6 * 0.5 / 9) / 8)
    assert stats["conv2d"]["median"] == pytest.approx(2 + 6 * 4.5 / 9)


def test_the_report_lists_non_ok_statuses_protections_and_loads_grading_time_from_beside_it(sample):
    out, _, _ = sample
    html = (out / "autograded" / "report.html").read_text("utf-8")
    text = leaks.page_text(html)
    for status in ("tampered", "timeout", "missing", "failed"):
        assert f"\n{status} (" in text
    assert "netns: no network (own network namespace)" in text
    assert "public seconds" not in html and '<script src="timing.js">' in html
    assert "public seconds 12.5" in (out / "autograded" / "timing.js").read_text("utf-8")


def test_rewriting_the_same_rows_gives_the_same_bytes(sample, tmp_path):
    out, rows, _ = sample
    report.write_class(rows, "landlock7,tcp,netns,rlimits", tmp_path)
    for name in report.CLASS_FILES:
        assert (out / "autograded" / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_merging_shards_rebuilds_the_class_files_byte_for_byte_and_copies_student_files(sample, tmp_path):
    out, rows, submissions = sample
    flags = "landlock7,tcp,netns,rlimits"
    for shard, ids in (("s1", {PERFECT, TROUBLED}), ("s2", {PUBLIC_ONLY})):
        report.write_all([r for r in rows if r.student_id in ids], flags, tmp_path / shard, submissions=submissions)
    assert merge.main(dirs=[tmp_path / "s1", tmp_path / "s2"], out=tmp_path / "all") == 0
    for name in report.CLASS_FILES:
        assert (tmp_path / "all" / "autograded" / name).read_bytes() == (out / "autograded" / name).read_bytes(), name
    for sid in submissions:
        for kind, name in (("autograded", "results.json"), ("feedback", f"{COURSE.tutorials[1]}.html")):
            assert (report.student_dir(tmp_path / "all", kind, sid) / name).is_file()
    merged = report.read_rows(tmp_path / "all" / "autograded")
    assert [len(r.checks) for r in merged] == [len(r.checks) for r in sorted(rows, key=lambda r: r.student_id)]


def test_merge_names_the_folder_without_outputs(tmp_path, capsys):
    assert merge.main(dirs=[tmp_path / "nowhere"], out=tmp_path / "all") == 2
    assert "nowhere" in capsys.readouterr().err


def test_rows_without_checks_still_give_every_output(tmp_path):
    rows = [Row("x", ex.notebook, ex.grade_id, 0, ex.public_points, 0, ex.hidden_points, "error", "broken")
            for ex in COURSE.exercises]
    report.write_all(rows, "landlock7", tmp_path)
    assert all((tmp_path / "autograded" / name).is_file() for name in report.CLASS_FILES)
    assert len(_read(tmp_path / "autograded" / "checks.csv")) == 0


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    atomic_write(tmp_path / "x.csv", "a\n")
    atomic_write(tmp_path / "x.csv", "b\n")
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]
    assert (tmp_path / "x.csv").read_text() == "b\n"
