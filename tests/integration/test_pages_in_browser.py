"""The feedback pages and the class report, opened in headless Chromium as a student and an instructor would.

The pages come from a class built from rows (tests/class_builders.py), not a
grading run; tests/integration/test_grade.py opens one page of a really graded
class too.  Screenshots are saved under SCREENSHOTS for a person to look at.
Without Chromium the tests fail when CI is set (.ci/run installs it) and skip
otherwise, saying how to install it.
"""
from pathlib import Path
from urllib.parse import unquote

import pytest

from course_config import COURSE, ROOT
from coursekit.grading.report import student_dir
from tests.browser import Chromium, chromium_or_fail
from tests.class_builders import PERFECT, PUBLIC_ONLY, TROUBLED, write_sample

SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
T2 = COURSE.tutorials[1]

CHECK_STATES = "[...document.querySelectorAll('details.check')].map(d => [d.className.split(' ')[1], d.open])"


@pytest.fixture(scope="module")
def browser():
    with Chromium(chromium_or_fail()) as b:
        yield b


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out, _, _ = write_sample(tmp_path_factory.mktemp("site"))
    return out


def _open(browser, path: Path):
    page = browser.open(path)
    assert page.evaluate("document.readyState") == "complete"
    return page


def test_a_failing_students_page_opens_failed_checks_folds_passed_ones_and_logs_no_errors(browser, site):
    page = _open(browser, student_dir(site, "feedback", PUBLIC_ONLY) / f"{T2}.html")
    states = page.evaluate(CHECK_STATES)
    assert {tuple(s) for s in states} == {("failed", True), ("passed", False)}
    assert page.evaluate("[...document.querySelectorAll('details.check.failed p')].every(p => p.checkVisibility())")
    assert page.evaluate("[...document.querySelectorAll('details.check.passed p')].every(p => !p.checkVisibility())")
    assert page.errors() == []
    assert page.screenshot(SCREENSHOTS / "failing_student.png").stat().st_size > 10_000
    page.close()


def test_a_passing_students_page_has_every_check_folded_and_says_every_check_passed(browser, site):
    page = _open(browser, student_dir(site, "feedback", PERFECT) / f"{T2}.html")
    assert {tuple(s) for s in page.evaluate(CHECK_STATES)} == {("passed", False)}
    assert "Every check passed, public and hidden." in page.evaluate("document.body.innerText")
    assert page.errors() == []
    page.screenshot(SCREENSHOTS / "passing_student.png")
    page.close()


def test_a_page_with_states_that_could_not_be_graded_shows_them_open_and_names_the_student_as_written(browser, site):
    page = _open(browser, student_dir(site, "feedback", TROUBLED) / f"{T2}.html")
    assert page.evaluate("document.querySelector('h1').textContent") == f"{T2}: feedback for {TROUBLED}"
    assert ["problem", True] in page.evaluate(CHECK_STATES)
    assert page.errors() == []
    page.screenshot(SCREENSHOTS / "troubled_student.png")
    page.close()


def test_printing_opens_every_folded_section(browser, site):
    page = _open(browser, student_dir(site, "feedback", PERFECT) / f"{T2}.html")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
    page.close()


def test_the_class_report_shows_its_plots_and_grading_time_and_logs_no_errors(browser, site):
    page = _open(browser, site / "autograded" / "report.html")
    sizes = page.evaluate("[...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
    assert sorted(src for src, _ in sizes) == ["exercises.png", "scores.png"] and all(w > 0 for _, w in sizes)
    assert page.evaluate("document.getElementById('timing').textContent").startswith("Grading time: public seconds")
    assert page.errors() == []
    page.screenshot(SCREENSHOTS / "class_report.png")
    page.close()


@pytest.mark.parametrize("student", [PUBLIC_ONLY, TROUBLED])
def test_a_student_link_in_the_report_opens_their_feedback_at_the_exercise(browser, site, student):
    page = _open(browser, site / "autograded" / "report.html")
    href = page.evaluate(f"[...document.querySelectorAll('a')].find(a => a.textContent == {student!r}).href")
    page.close()
    path, anchor = href.split("#")
    target = browser.open(Path(unquote(path.removeprefix("file://"))))
    assert unquote(target.evaluate("location.pathname")).endswith(f"/{student}/{COURSE.assignment}/"
                                                                  f"{Path(unquote(path)).name}")
    assert target.evaluate(f"!!document.getElementById({unquote(anchor)!r})")
    assert target.errors() == []
    target.close()


def test_the_harness_sees_console_errors_and_files_that_failed_to_load(browser, tmp_path):
    """So that an empty error list above means no error, not a deaf listener."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><img src='absent.png'><script>console.error('on purpose')</script>")
    page = browser.open(bad)
    errors = page.errors()
    assert any("on purpose" in e for e in errors) and any("absent.png" in e for e in errors)
    page.close()


def test_without_chromium_ci_fails_and_a_local_run_skips_saying_how_to_install_it(monkeypatch):
    import tests.browser as browser_module

    monkeypatch.setattr(browser_module, "binary", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        chromium_or_fail()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        chromium_or_fail()
