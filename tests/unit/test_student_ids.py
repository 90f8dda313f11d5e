"""Any folder name an LMS produces is a student id: graded under a safe slug, shown as written, never merged."""
from __future__ import annotations

import os
import re
import shutil
import unicodedata

import pytest

from course_config import COURSE
from coursekit.grading import discover as disc
from coursekit.grading.exports import summary_records
from coursekit.results import Row

NFC, NFD = unicodedata.normalize("NFC", "José García"), unicodedata.normalize("NFD", "José García")
GRADED_NAMES = {
    "plain": "jsmith42",
    "email": "ana.maria+w2d1@uni.example",
    "spaces": "Ana Maria Lopez",
    "accents": NFC,
    "decomposed accents": NFD,  # macOS file systems and some zip tools store names decomposed
    "apostrophe and brackets": "Seán O'Brien (2)",
    "leading and trailing spaces": " Bob ",
    "moodle": "Zoë Ünal_123456_assignsubmission_file_",
    "chinese": "王小明",
    "cyrillic": "Иван Петров",
    "arabic": "محمد عبد الله",
    "greek": "Γιώργος Παπαδόπουλος",
    "devanagari with joiners": "अनु\u200dराधा",
    "emoji": "Kim 🐍",
    "200 characters": ("Maximiliana Alexandrina von Hohenzollern-Sigmaringen " * 4)[:200],
    "80 CJK characters": "山田花子" * 20,  # 240 bytes: near the 255-byte limit of a Linux file name
}
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


def _submit(root, *names: str) -> None:
    for name in names:
        (root / name / COURSE.assignment).mkdir(parents=True)


def _by_name(found):
    return {f.student_id: f for f in found}


def test_every_id_shape_is_graded_under_a_safe_slug_and_shown_as_written(tmp_path):
    _submit(tmp_path, *GRADED_NAMES.values())
    found = _by_name(disc.discover(tmp_path))
    assert set(found) == set(GRADED_NAMES.values())
    for shape, name in GRADED_NAMES.items():
        f = found[name]
        assert {status for status, _ in f.problems.values()} == {"missing"}, shape  # no notebooks, no error
        assert SAFE_SLUG.match(f.slug), (shape, f.slug)
    slugs = [f.slug.casefold() for f in found.values()]
    assert len(set(slugs)) == len(slugs)


def test_a_plain_id_is_its_own_slug_and_every_slug_is_stable():
    assert disc.slug("jsmith42") == "jsmith42"
    assert disc.slug("ana.maria+w2d1@uni.example") == "ana.maria+w2d1@uni.example"
    assert disc.slug("José García") == disc.slug("José García")
    assert disc.slug("José García").startswith("Jose-Garcia-")
    assert disc.slug("王小明").startswith("student-") and disc.slug("王小明") != disc.slug("李华")


def test_names_whose_plain_slugs_coincide_are_graded_apart_and_flagged(tmp_path):
    _submit(tmp_path, NFC, NFD, "Jose Garcia", "alice", "Alice", "bob")
    found = _by_name(disc.discover(tmp_path))
    assert len({f.slug.casefold() for f in found.values()}) == 6
    for name in (NFC, NFD, "Jose Garcia", "alice", "Alice"):
        assert disc.COLLISION_FLAG in found[name].flags, name
        assert any("graded on its own" in n for n in found[name].notes)
    assert found["bob"].flags == [] and found["bob"].slug == "bob"
    assert "'Jose Garcia'" in found[NFC].notes[0]


def test_the_collision_flag_reaches_the_summary_flags_column():
    rows = [Row("José García", "W2D1_Tutorial1", "mse_loss", 1, 1, 1, 1, "ok", "", flags=[disc.COLLISION_FLAG]),
            Row("bob", "W2D1_Tutorial1", "mse_loss", 1, 1, 1, 1, "ok", "")]
    flags = {r["student_id"]: r["flags"] for r in summary_records(rows, "sandbox=landlock7")}
    assert flags == {"José García": "sandbox=landlock7 id_collision", "bob": "sandbox=landlock7"}


@pytest.mark.parametrize("name, problem", [
    ("back\\slash", "path separator"),
    ("new\nline", "control character"),
    ("tab\there", "control character"),
    ("bell\x07", "control character"),
])
def test_a_name_that_cannot_be_a_folder_safely_gets_error_rows_naming_the_problem(tmp_path, name, problem):
    _submit(tmp_path, name, "ok-student")
    found = disc.discover(tmp_path)
    bad = next(f for f in found if f.student_id != "ok-student")
    assert {status for status, _ in bad.problems.values()} == {"error"}
    assert len(bad.problems) == len(COURSE.tutorials)
    assert all(problem in message for _, message in bad.problems.values())
    assert bad.student_id.isprintable() and SAFE_SLUG.match(bad.slug)


def test_a_name_that_is_not_utf8_gets_error_rows_and_a_printable_id(tmp_path):
    os.mkdir(os.path.join(os.fsencode(tmp_path), b"caf\xe9"))  # Latin-1 bytes from an old zip tool
    [f] = disc.discover(tmp_path)
    assert f.student_id == "caf\ufffd" and "not valid UTF-8" in next(iter(f.problems.values()))[1]
    f.student_id.encode("utf-8")  # every output can write it


def test_hidden_folders_are_not_students(tmp_path):
    _submit(tmp_path, ".ipynb_checkpoints", "alice")
    assert [f.student_id for f in disc.discover(tmp_path)] == ["alice"]


def test_a_readable_notebook_under_an_unusual_name_is_found(tmp_path):
    _submit(tmp_path, "王小明")
    name = COURSE.tutorials[0]
    shutil.copy(COURSE.release_dir / COURSE.assignment / f"{name}.ipynb", tmp_path / "王小明" / COURSE.assignment)
    [f] = disc.discover(tmp_path)
    assert list(f.notebooks) == [name] and f.student_id == "王小明"
