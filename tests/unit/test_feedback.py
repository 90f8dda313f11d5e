"""Feedback pages a student can act on: every check by name, honest wording, states apart from zero, their code."""
import datetime as dt
import re
from dataclasses import replace

import pytest

from course_config import COURSE, Visibility
from coursekit.grading import feedback, gradescope
from coursekit.grading.report import student_dir
from coursekit.results import Row
from tests import leaks
from tests.class_builders import CONV2D_MESSAGES, PERFECT, PUBLIC_ONLY, TROUBLED, exercise_row, write_sample

T1, T2, T3 = COURSE.tutorials


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("feedback"))


def _page(sample, sid: str, notebook: str) -> str:
    out, _, _ = sample
    return (student_dir(out, "feedback", sid) / f"{notebook}.html").read_text(encoding="utf-8")


def _details(html: str) -> list[tuple[str, bool, str]]:
    """(state class, open?, summary text) of every check on a page."""
    found = re.findall(r'<details class="check (\w+)"( open)?><summary>(.*?)</summary>', html)
    return [(state, bool(is_open), leaks.page_text(summary)) for state, is_open, summary in found]


def test_a_failed_check_is_open_and_each_failure_message_is_its_own_paragraph(sample):
    html = _page(sample, PUBLIC_ONLY, T2)
    failed = [d for d in _details(html) if d[0] == "failed"]
    assert failed and all(is_open for _, is_open, _ in failed)
    assert all("failed:" in text and "\u2718" in text for _, _, text in failed)
    for message in CONV2D_MESSAGES:
        assert f"<p>{message}</p>" in html.replace("&#x27;", "'")
    assert " | " not in leaks.page_text(html)


def test_a_passed_check_is_folded_and_marked_in_words_and_icon(sample):
    passed = [d for d in _details(_page(sample, PERFECT, T1)) if d[0] == "passed"]
    assert len(passed) == sum(1 + 3 for ex in COURSE.exercises_in(T1))
    assert all(not is_open and "passed:" in text and "\u2714" in text for _, is_open, text in passed)


def test_every_check_is_listed_by_name_with_its_points(sample):
    text = leaks.page_text(_page(sample, PUBLIC_ONLY, T2))
    assert "conv2d behaves as documented on case family 1 [0/2]" in text
    assert "The public test in your notebook (test_conv2d) [2/2]" in text


def test_public_checks_passing_never_reads_as_everything_passing_while_hidden_checks_fail(sample):
    text = leaks.page_text(_page(sample, PUBLIC_ONLY, T2)).lower()
    assert "every check passed" not in text and "all passed" not in text
    assert "the public tests in your notebook pass, but 2 of 6 hidden checks fail" in text


def test_a_student_whose_every_check_passed_is_told_so(sample):
    assert "Every check passed, public and hidden." in _page(sample, PERFECT, T1)


def test_scores_a_person_reads_have_at_most_two_decimals():
    row = exercise_row("s", "conv2d", {0: ("failed", "wrong")})
    row.hidden_score = 6 * 5 / 11  # 2.7272...
    html = feedback.notebook_page("s", T2, [row])
    assert "2.73" in html and "2.727" not in html
    assert not re.search(r"\d\.\d{3,}", leaks.page_text(html))


def test_a_missing_notebook_could_not_be_graded_and_says_what_to_do(sample):
    html = _page(sample, TROUBLED, T3)
    assert html.count("Could not be graded (missing)") == len(COURSE.exercises_in(T3))
    assert "What to do: Submit the notebook under exactly this file name" in html
    text = leaks.page_text(html)
    n = len(COURSE.exercises_in(T3))
    assert text.index(f"{n} of {n} exercise(s) could not be graded") < text.index("Exercise ")  # said before details


def test_a_timeout_and_a_tampered_cell_are_marked_apart_from_a_plain_failure(sample):
    html = _page(sample, TROUBLED, T2)
    timed_out = [d for d in _details(html) if d[0] == "problem"]
    assert timed_out and all(is_open and "timed out:" in text and "\u26a0" in text for _, is_open, text in timed_out)
    assert "Partly graded (timed out)" in html and "per check). Look for an endless loop" in html
    assert "1 check(s) below timed out before finishing" in html
    assert "Partly graded (test cell edited)" in _page(sample, TROUBLED, T1)


def test_the_students_code_for_each_exercise_is_highlighted_as_the_grader_ran_it(sample):
    html = _page(sample, PUBLIC_ONLY, T2)
    assert "Your code for conv2d, as the grader ran it" in html
    assert '<div class="code"><pre>' in html and '<span class="k">def</span>' in html
    assert "wrong: stride argument ignored" in html  # the bank answer this student submitted
    assert "div.code .k { color:" in html  # highlighting colours come with the page


def test_cells_that_raised_are_listed_with_their_number_first_line_and_exception(sample):
    text = leaks.page_text(_page(sample, PUBLIC_ONLY, T2))
    assert "your cell 14 x = undefined_helper()  # added by the student raised NameError: name " in text
    assert "Cells you added" in text


def test_a_name_with_spaces_accents_cjk_and_html_characters_is_shown_escaped(sample):
    html = _page(sample, TROUBLED, T1)
    assert "feedback for Zoë Ünal 山田 &lt;b&gt;&amp;</h1>" in html
    assert "<b>&" not in html


def test_pages_are_self_contained_and_printable(sample):
    html = _page(sample, PUBLIC_ONLY, T2)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html) and "@import" not in html
    assert "@media print" in html and "beforeprint" in html
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html


def test_checks_shown_after_the_due_date_are_only_counted_until_their_reveal_date(monkeypatch):
    course = replace(COURSE, visibility=Visibility(hidden="after_due_date", reveal_on="2027-01-10"))
    monkeypatch.setattr(feedback, "COURSE", course)
    row = exercise_row("s", "conv2d", {0: ("failed", "the output has the wrong shape")})
    before = feedback.notebook_page("s", T2, [row], today=dt.date(2027, 1, 9))
    assert "case family" not in before and "wrong shape" not in before
    assert "3 more check(s) count here but are shown from 2027-01-10: 2 passed, 4/6 points" in before
    after = feedback.notebook_page("s", T2, [row], today=dt.date(2027, 1, 10))
    assert "case family 1" in after and "wrong shape" in after


def test_checks_that_are_never_shown_still_count_and_say_so(monkeypatch):
    monkeypatch.setattr(feedback, "COURSE", replace(COURSE, visibility=Visibility(exercises=(("conv2d", "hidden"),))))
    html = feedback.notebook_page("s", T2, [exercise_row("s", "conv2d", {1: ("failed", "values differ")})])
    assert "case family" not in html and "values differ" not in html
    assert "3 more check(s) count here but are not listed: 2 passed, 4/6 points" in html
    assert "test_conv2d" in html  # public checks follow their own setting


def test_results_json_carries_each_checks_visibility(monkeypatch):
    course = replace(COURSE, visibility=Visibility(exercises=(("conv2d", "hidden"),)))
    monkeypatch.setattr(gradescope, "COURSE", course)
    tests = gradescope.results([exercise_row("s", "conv2d"), exercise_row("s", "rdm")])["tests"]
    assert {t["visibility"] for t in tests if "conv2d" in t["tags"] and "hidden" in t["tags"]} == {"hidden"}
    assert {t["visibility"] for t in tests if "rdm" in t["tags"]} == {"visible"}


def test_an_unknown_visibility_or_a_reveal_date_that_is_not_a_date_names_the_setting_and_the_fix():
    with pytest.raises(ValueError, match="course_config.py.*visible"):
        Visibility(hidden="later").of("conv2d", public=False)
    with pytest.raises(ValueError, match="reveal_on '10/01/2027' is not a date; write it as YYYY-MM-DD"):
        Visibility(hidden="after_due_date", reveal_on="10/01/2027").shown("conv2d", False, dt.date(2027, 1, 1))


def test_no_page_or_results_json_shows_hidden_test_code_or_reference_lines_the_student_did_not_write(sample):
    out, _, submissions = sample
    checked = 0
    for sid, notebooks in submissions.items():
        own = leaks.own_lines(list(notebooks.values()))
        for path in [*student_dir(out, "feedback", sid).glob("*.html"), student_dir(out, "autograded", sid) / "results.json"]:
            assert leaks.file_leaks(path, own) == [], path
            checked += 1
    assert leaks.file_leaks(out / "autograded" / "report.html") == []
    assert checked == len(submissions) * (len(COURSE.tutorials) + 1)


def test_the_leak_check_itself_catches_reference_code_shown_to_someone_who_did_not_write_it(sample):
    assert leaks.leaks(leaks.page_text(_page(sample, PERFECT, T2)))  # alice's code is the reference


def test_a_row_without_checks_still_gets_a_page_that_explains_itself():
    row = Row("s", T1, "train", 0, 1, 0, 2, "error", "W2D1_Tutorial1.ipynb could not be read: not JSON")
    html = feedback.notebook_page("s", T1, [row])
    assert "Could not be graded (error)" in html and "could not be read: not JSON" in html
    assert "Restart &amp; Run All" in html
