"""Importing an LMS zip: files land in the nbgrader layout, strays are reported."""
import zipfile

from coursekit.grading import collect


def test_lms_names_map_to_students_and_notebooks_and_strays_are_skipped(tmp_path):
    zpath = tmp_path / "download.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("alice_12345_W2D1_Tutorial1.ipynb", "{}")
        zf.writestr("bob/W2D1_Tutorial2.ipynb", "{}")
        zf.writestr("bob/notes.txt", "hi")
        zf.writestr("../evil/W2D1_Tutorial1.ipynb", "{}")
    dest = tmp_path / "submitted"
    assert collect.main(zip=zpath, dest=dest) == 0
    assert (dest / "alice" / "W2D1" / "W2D1_Tutorial1.ipynb").exists()
    assert (dest / "bob" / "W2D1" / "W2D1_Tutorial2.ipynb").exists()
    assert not (tmp_path / "evil").exists()
    assert sorted(p.name for p in dest.iterdir()) == ["alice", "bob"]


def test_a_file_that_is_not_a_zip_gets_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "x.zip"
    bad.write_text("nope")
    assert collect.main(zip=bad, dest=tmp_path / "s") == 2
    assert "x.zip is not a zip file" in capsys.readouterr().err
