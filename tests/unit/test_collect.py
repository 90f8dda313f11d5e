"""Importing LMS downloads built from each LMS's documented naming: nobody merged, dropped or mis-assigned.

Each notebook's content names whose version it is, so a test reads back which
file landed in which folder.  Every member must appear in collect_report.csv.
"""
import csv
import json
import zipfile
from dataclasses import replace
from datetime import datetime

import pytest

from course_config import COURSE, LatePolicy
from coursekit.grading import collect
from tests.lms_downloads import blackboard_members, canvas_name, moodle_name, unique, zip_bytes

T1, T2, T3 = "W2D1_Tutorial1", "W2D1_Tutorial2", "W2D1_Tutorial3"


def nb(tag: str) -> str:
    return json.dumps({"cells": [], "metadata": {"tag": tag}, "nbformat": 4, "nbformat_minor": 5})


def run(tmp_path, members: dict, *args, roster: str | None = None, **options) -> tuple[int, dict, list[dict]]:
    """collect a zip of members; returns (exit code, {folder: {file: tag or text}}, report lines)."""
    zpath = tmp_path / "download.zip"
    zpath.write_bytes(zip_bytes(members))
    if roster is not None:
        (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
        options["roster"] = tmp_path / "roster.csv"
    dest = tmp_path / "submitted"
    code = collect.main(zip=zpath, dest=dest, **options)
    tree = {}
    for f in sorted(dest.glob("*/W2D1/*")) if dest.exists() else []:
        text = f.read_text(encoding="utf-8")
        tree.setdefault(f.parent.parent.name, {})[f.name] = json.loads(text)["metadata"]["tag"] \
            if f.suffix == ".ipynb" else text.strip()
    report = dest / collect.REPORT
    lines = list(csv.DictReader(open(report, encoding="utf-8"))) if report.exists() else []
    return code, tree, lines


def accounted(members: dict, lines: list[dict]) -> None:
    shown = {line["member"] for line in lines}
    assert all(name in shown for name in members), set(members) - shown


def outcome(lines: list[dict], fragment: str) -> dict:
    return next(line for line in lines if fragment in line["member"])


CANVAS = {
    canvas_name("Doe, Jane", 101, 9001, f"{T1}.ipynb"): nb("jane doe T1 first upload"),
    canvas_name("Doe, Jane", 101, 9007, f"{T1}-1.ipynb"): nb("jane doe T1 second upload"),
    canvas_name("Doe, Jane", 101, 9002, f"{T2}.ipynb"): nb("jane doe T2"),
    canvas_name("Smith, Jane", 102, 9003, f"{T1}.ipynb"): nb("jane smith T1"),
    canvas_name("Smith, Jane", 102, 9004, f"{T2}-Copy1.ipynb"): nb("jane smith T2"),
    canvas_name("Smith, Jane", 102, 9005, "notes.pdf"): "pdf",
    canvas_name("Müller, José", 103, 9006, f"{T3} (1).ipynb", late=True): nb("josé T3"),
    canvas_name("Doe, Jo_2", 104, 9008, f"{T1}.ipynb"): nb("jo doe T1"),
    canvas_name("Doe, Jo_2", 104, 9009, "readme.txt"): "txt",
    "doejane_101_text.html": "<p>see my notebooks</p>",
    canvas_name("Müller, José", 103, 9010, "work.zip", late=True): zip_bytes({
        f"work/{T1}.ipynb": nb("josé T1 from his zip"),
        f"work/.ipynb_checkpoints/{T1}-checkpoint.ipynb": nb("josé T1 autosave"),
        f"__MACOSX/work/._{T1}.ipynb": "junk"}),
}


def test_canvas_ids_are_the_identity_so_namesakes_and_accents_stay_apart(tmp_path):
    code, tree, lines = run(tmp_path, CANVAS)
    assert code == 0
    assert tree == {"101": {f"{T1}.ipynb": "jane doe T1 second upload", f"{T2}.ipynb": "jane doe T2"},
                    "102": {f"{T1}.ipynb": "jane smith T1", f"{T2}.ipynb": "jane smith T2"},
                    "103": {f"{T1}.ipynb": "josé T1 from his zip", f"{T3}.ipynb": "josé T3"},
                    "104": {f"{T1}.ipynb": "jo doe T1"}}
    accounted(CANVAS, lines)


def test_canvas_report_says_what_became_of_every_member_and_why(tmp_path):
    _, _, lines = run(tmp_path, CANVAS)
    first = outcome(lines, "_9001_")
    assert first["outcome"] == "superseded" and "_9007_" in first["note"] and "upload order" in first["note"]
    assert outcome(lines, "notes.pdf")["outcome"] == "not a notebook"
    assert outcome(lines, "notes.pdf")["student_id"] == "102"
    assert outcome(lines, "readme.txt")["student_id"] == "104"  # "doejo_2_104_..." split at the right place
    assert outcome(lines, "text.html")["student_id"] == "101"
    assert outcome(lines, "checkpoint")["outcome"] == "not graded"
    assert outcome(lines, "__MACOSX")["outcome"] == "not graded"
    assert outcome(lines, f"{T3} (1)")["late"] == "LMS marks it late"
    assert outcome(lines, "work.zip!/work/W2D1")["outcome"] == "imported"


def test_duplicate_member_names_get_canvas_suffixes_and_the_later_copy_wins(tmp_path):
    names = unique([canvas_name("Doe, Jane", 101, 9001, f"{T1}.ipynb")] * 2)
    assert names[1].endswith(f"{T1}-1.ipynb")
    code, tree, lines = run(tmp_path, dict(zip(names, [nb("copy 0"), nb("copy 1")])))
    assert code == 0 and tree == {"101": {f"{T1}.ipynb": "copy 1"}}
    assert "copy suffix" in outcome(lines, names[0])["note"]


ROSTER = """student_id,name,email,lms_id,section
s1,"Doe, Jane",jane.doe@example.edu,101,A
s2,"Smith, Jane",jane.smith@example.edu,102,A
s3,"Müller, José",jose@example.edu,103,B
s5,"Absent, Ann",ann@example.edu,105,B
"""


def test_with_a_roster_folders_are_named_by_student_id_and_the_summary_counts_who_sent_nothing(tmp_path, capsys):
    code, tree, _ = run(tmp_path, CANVAS, roster=ROSTER)
    assert code == 0
    assert sorted(tree) == ["104", "s1", "s2", "s3"]  # 104 is not on the roster: kept under its Canvas id
    assert tree["s1"][f"{T1}.ipynb"] == "jane doe T1 second upload"
    out = capsys.readouterr().out
    assert "3 on the roster, 1 not on it; 1 rostered sent nothing" in out
    assert out.count("\n") == 1


def test_two_lms_ids_landing_on_one_student_is_an_error_naming_both_members(tmp_path, capsys):
    roster = "student_id,name,email,lms_id,section\n104,Someone,,101,A\n"  # lms 101 -> "104", and "104" is an id
    code, tree, _ = run(tmp_path, CANVAS, roster=roster)
    err = capsys.readouterr().err
    assert code == 2 and tree == {}
    assert "doejane_101_" in err and "doejo_2_104_" in err


def moodle(layout: str) -> dict:
    old = "old" if layout == "folders" else layout  # one student on a Moodle older than 3.1 ("..._file_/")
    return {
        moodle_name("Jane Doe", 5001, f"{T1}.ipynb", layout): nb("jane doe T1"),
        moodle_name("Jane Smith", 5002, f"{T1}.ipynb", layout): nb("jane smith T1"),
        moodle_name("Jane Smith", 5002, f"{T2} (1).ipynb", layout): nb("jane smith T2"),
        moodle_name("José Müller", 5003, f"{T3}.ipynb", old): nb("josé T3"),
        moodle_name("Anne_Marie Li", 5004, f"{T1}.ipynb", layout): nb("anne marie T1"),
        "Jane Doe_5001_assignsubmission_onlinetext_/onlinetext.html": "<p>text</p>",
    }


@pytest.mark.parametrize("layout", ["folders", "flat"])
def test_moodle_participant_ids_are_the_identity_with_folders_on_and_off(tmp_path, layout):
    members = moodle(layout)
    code, tree, lines = run(tmp_path, members)
    assert code == 0
    assert tree == {"5001": {f"{T1}.ipynb": "jane doe T1"},
                    "5002": {f"{T1}.ipynb": "jane smith T1", f"{T2}.ipynb": "jane smith T2"},
                    "5003": {f"{T3}.ipynb": "josé T3"}, "5004": {f"{T1}.ipynb": "anne marie T1"}}
    accounted(members, lines)
    assert outcome(lines, "5004")["name"] == "Anne Marie Li"
    assert outcome(lines, "onlinetext")["outcome"] == "not a notebook"


def blackboard(receipts: bool = True) -> dict:
    members = {}
    attempts = [("jane_doe", "Jane Doe", datetime(2026, 11, 27, 9, 0, 0), "first attempt"),
                ("jane_doe", "Jane Doe", datetime(2026, 11, 28, 23, 30, 5), "second attempt"),
                ("jane_smith", "Jane Smith", datetime(2026, 11, 28, 10, 0, 0), "only attempt"),
                ("bob", "Bob Li", datetime(2026, 11, 26, 8, 0, 0), "bob's")]
    for user, name, when, tag in attempts:
        members.update(blackboard_members("Homework W2D1", user, name, when,
                                          {f"{T1}.ipynb": nb(f"{user} {tag}").encode()}))
    return {k: v for k, v in members.items() if receipts or not k.endswith(".txt")}


@pytest.mark.parametrize("receipts", [True, False], ids=["with receipts", "without receipts"])
def test_blackboard_usernames_keep_their_underscores_and_the_latest_attempt_wins(tmp_path, receipts):
    members = blackboard(receipts)
    code, tree, lines = run(tmp_path, members)
    assert code == 0
    assert tree == {"bob": {f"{T1}.ipynb": "bob bob's", "timestamp.txt": "2026-11-26 08:00:00.000000 UTC"},
                    "jane_doe": {f"{T1}.ipynb": "jane_doe second attempt",
                                 "timestamp.txt": "2026-11-28 23:30:05.000000 UTC"},
                    "jane_smith": {f"{T1}.ipynb": "jane_smith only attempt",
                                   "timestamp.txt": "2026-11-28 10:00:00.000000 UTC"}}
    accounted(members, lines)
    first = outcome(lines, "2026-11-27-09-00-00_W2D1")
    assert first["outcome"] == "superseded" and "attempt time" in first["note"]


def test_nbgrader_named_regexp_takes_ids_and_timestamps_from_its_groups(tmp_path):
    members = {f"hw/jdoe/2026-11-28T10:00:00/{T1}.ipynb": nb("older"),
               f"hw/jdoe/2026-11-28T12:00:00/{T1}.ipynb": nb("newer"),
               f"hw/José/2026-11-28T11:00:00/{T2}.ipynb": nb("josé")}
    regexp = r"hw/(?P<student_id>[^/]+)/(?P<timestamp>[^/]+)/(?P<file_id>[^/]+)"
    code, tree, lines = run(tmp_path, members, regexp=regexp)
    assert code == 0
    assert tree["jdoe"][f"{T1}.ipynb"] == "newer"
    assert tree["Jose"] == {f"{T2}.ipynb": "josé", "timestamp.txt": "2026-11-28 11:00:00.000000 UTC"}
    accounted(members, lines)


def test_ids_that_become_the_same_folder_are_refused_naming_both(tmp_path, capsys):
    members = {f"José/{T1}.ipynb": nb("1"), f"Jose/{T1}.ipynb": nb("2")}
    code, tree, _ = run(tmp_path, members, lms="folders")
    err = capsys.readouterr().err
    assert code == 2 and tree == {} and "José/" in err and "Jose/" in err


def test_unsafe_corrupt_and_unmatched_members_are_reported_not_extracted(tmp_path):
    members = {f"../evil/{T1}.ipynb": nb("evil"), "alice/W2D1/W2D1_Tutorial1.ipynb": nb("alice"),
               "stray.txt": "x", "bob/broken.zip": "not a zip"}
    code, tree, lines = run(tmp_path, members, lms="folders")
    assert code == 0 and tree == {"alice": {f"{T1}.ipynb": "alice"}}
    assert not (tmp_path / "evil").exists()
    assert outcome(lines, "../evil")["outcome"] == "unreadable"
    assert outcome(lines, "stray.txt")["outcome"] == "unmatched"
    assert outcome(lines, "broken.zip")["outcome"] == "unreadable"
    accounted(members, lines)


def test_a_member_whose_data_is_corrupt_is_reported_unreadable(tmp_path):
    zpath = tmp_path / "download.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"alice/{T1}.ipynb", nb("alice " * 50))
        zf.writestr(f"bob/{T1}.ipynb", nb("bob"))
    raw = bytearray(zpath.read_bytes())
    at = raw.index(b"alice alice")
    raw[at:at + 5] = b"XXXXX"  # the stored bytes no longer match the CRC
    zpath.write_bytes(bytes(raw))
    assert collect.main(zip=zpath, dest=tmp_path / "s") == 0
    lines = list(csv.DictReader(open(tmp_path / "s" / collect.REPORT, encoding="utf-8")))
    assert outcome(lines, "alice/")["outcome"] == "unreadable"
    assert (tmp_path / "s" / "bob" / "W2D1" / f"{T1}.ipynb").exists()


def test_a_download_no_lms_names_that_way_asks_for_lms(tmp_path, capsys):
    code, _, _ = run(tmp_path, {"whatever.ipynb": nb("x")})
    assert code == 2 and "--lms" in capsys.readouterr().err


def test_a_file_that_is_not_a_zip_gets_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "x.zip"
    bad.write_text("nope")
    assert collect.main(zip=bad, dest=tmp_path / "s") == 2
    assert "x.zip is not a zip file" in capsys.readouterr().err


def test_collecting_again_replaces_a_students_folder_and_leaves_the_others(tmp_path):
    run(tmp_path, {f"alice/{T1}.ipynb": nb("old"), f"alice/{T2}.ipynb": nb("old"), f"bob/{T1}.ipynb": nb("b")})
    _, tree, _ = run(tmp_path, {f"alice/{T1}.ipynb": nb("new")})
    assert tree == {"alice": {f"{T1}.ipynb": "new"}, "bob": {f"{T1}.ipynb": "b"}}


def test_a_late_resubmission_is_taken_and_the_report_says_how_late(tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "COURSE", replace(COURSE, late=LatePolicy(due="2026-11-28 12:00:00 UTC")))
    code, tree, lines = run(tmp_path, blackboard())
    assert code == 0 and tree["jane_doe"][f"{T1}.ipynb"] == "jane_doe second attempt"
    assert outcome(lines, "2026-11-28-23-30-05_W2D1")["late"] == "11.5 h after the due date"
    assert outcome(lines, "jane_smith_attempt_2026-11-28-10-00-00_W2D1")["late"] == ""
