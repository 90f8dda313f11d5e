"""The GitHub Actions workflows: valid, clean under zizmor, least-privilege, and autograde.yml run for real.

The local run (tests/workflow_runner.py) plays a TA's dispatch of autograde.yml
on a committed folder of three simulated students with two shards: the collect
job, both shard jobs (each grading in the real sandbox) and the merge job run
their `run:` steps in order, passing artifacts as folders.  The merged grades
must equal an unsharded `coursekit grade` of the same class byte for byte,
except the run's volatile timing (timing.json, timing.js and each results.json's
execution_time), which measures this run rather than grades it.
"""
import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from course_config import ROOT
from coursekit.authoring import simulate
from tests.workflow_runner import Expression, Runner, WorkflowError

WORKFLOWS = ROOT / ".github" / "workflows"
FILES = [WORKFLOWS / "ci.yml", WORKFLOWS / "autograde.yml"]
BIN = Path(sys.executable).parent
VOLATILE_FILES = {"timing.json", "timing.js"}
EXECUTION_TIME = re.compile(rb'\n *"execution_time": [0-9.]+,?')


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_both_workflows_match_the_github_workflow_schema():
    proc = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *FILES],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_reports_nothing_on_either_workflow():
    proc = subprocess.run([BIN / "zizmor", "--offline", "--persona", "pedantic", *FILES],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout, proc.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_tag_beside_it(path):
    uses = re.findall(r"uses:\s*(\S+)(.*)", path.read_text())
    assert uses
    for action, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", rest), f"{action}: no tag comment beside the pin"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_workflows_may_only_read_the_repository_and_never_run_unbounded(path):
    workflow = _load(path)
    assert workflow["permissions"] == {"contents": "read"}
    assert "concurrency" in workflow
    for name, job in workflow["jobs"].items():
        assert "permissions" not in job, f"job {name} widens the workflow's permissions"
        assert 0 < job["timeout-minutes"] <= 360, name


def test_autograde_starts_by_hand_with_inputs_and_on_pushed_submissions():
    triggers = _load(WORKFLOWS / "autograde.yml")[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers["workflow_dispatch"]["inputs"]) == {"submissions", "shards"}
    assert triggers["push"]["paths"] == ["submissions/**"]


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """autograde.yml run locally on three students in two shards, and an unsharded grade of the same class."""
    root = tmp_path_factory.mktemp("actions")
    repo = root / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".demo", ".grading",
                                                              "submitted", "autograded", "feedback", ".ruff_cache"))
    profiles = simulate.build_class(repo / "submissions", 3)
    runner = Runner(WORKFLOWS / "autograde.yml", repo=repo, root=root / "runner", venv=ROOT / ".venv",
                    inputs={"submissions": "submissions", "shards": "2"})
    jobs = runner.run()
    reference = _unsharded(repo, root / "reference")
    return runner, jobs, reference, profiles


def _unsharded(repo: Path, where: Path) -> Path:
    """`coursekit grade` of the whole class in a fresh copy at the runner's workspace path, then the csv export."""
    shutil.copytree(repo, where, ignore=shutil.ignore_patterns(".grading"))
    shutil.copytree(where / "submissions", where / "submitted")
    for verb in (["grade", "submitted", "--out", "out", "--jobs", "2"], ["export", "csv", "--out", "out"]):
        proc = subprocess.run([sys.executable, "-m", "coursekit", *verb], cwd=where, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return where / "out"


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative path -> bytes), volatile timing left out."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name in VOLATILE_FILES:
            continue
        data = path.read_bytes()
        out[path.relative_to(folder).as_posix()] = EXECUTION_TIME.sub(b"", data) if path.name == "results.json" \
            else data
    return out


@pytest.mark.slow
def test_the_matrix_has_one_grading_job_per_shard(local_run):
    _, jobs, _, _ = local_run
    assert [j.matrix for j in jobs["grade"]] == [{"shard": 1}, {"shard": 2}]
    assert jobs["collect"][0].outputs == {"shards": "[1,2]", "total": "2"}


@pytest.mark.slow
def test_merged_artifact_equals_an_unsharded_grade_byte_for_byte(local_run):
    runner, _, reference, _ = local_run
    merged = _tree(runner.artifacts / "grades")
    expected = _tree(reference)
    expected = {k: v for k, v in expected.items() if k.split("/")[0] in ("autograded", "feedback")}
    assert sorted(merged) == sorted(expected)
    different = [name for name in expected if merged[name] != expected[name]]
    assert not different, different


@pytest.mark.slow
def test_each_shard_artifact_holds_only_its_own_students_grades_and_no_secret(local_run):
    runner, _, _, profiles = local_run
    students = sorted(profiles)
    for shard in (1, 2):
        files = [p.relative_to(runner.artifacts) for p in (runner.artifacts / f"shard-{shard}").rglob("*")
                 if p.is_file()]
        assert files
        own = set(students[shard - 1::2])
        assert {p.parts[3] for p in files if len(p.parts) > 4} == own
        assert {p.parts[2] for p in files} <= {"autograded", "feedback"}
    everything = [p for p in runner.artifacts.rglob("*") if p.is_file()]
    assert not [p for p in everything if p.suffix in (".ipynb", ".py", ".db") or p.name.startswith(".")]


@pytest.mark.slow
def test_shard_summaries_name_the_sandbox_protections_and_the_merge_summary_is_a_class_table(local_run):
    _, jobs, _, profiles = local_run
    for job in jobs["grade"]:
        assert re.search(r"sandbox: .*landlock", job.summary), job.summary
    table = jobs["merge"][0].summary
    with open(jobs["merge"][0].workspace / "merged" / "autograded" / "summary.csv", newline="") as fh:
        summary = list(csv.DictReader(fh))
    assert "| student | score | max | status | flags |" in table
    for rec in summary:
        assert f"| {rec['student_id']} | {rec['score']} | {rec['max_score']} | {rec['status']} |" in table
    assert len(summary) == len(profiles)


@pytest.mark.slow
def test_the_venv_is_built_only_when_the_cache_misses(local_run):
    _, jobs, _, _ = local_run
    assert all(any("skipped: Build the venv" in line for line in job.logs)
               for runs in jobs.values() for job in runs)


def _collect_only(tmp_path: Path, folder_of_one: bool = True, **inputs) -> tuple[str, dict]:
    """Run only autograde.yml's collect job on the repository at tmp_path/repo (with, by default, a one-student
    submissions/ folder): the error it stops with (or ''), and the job's outputs."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".demo", ".grading",
                                                              "submitted", "autograded", "feedback", ".ruff_cache",
                                                              "tests", "benchmarks", "docs"))
    if folder_of_one:
        simulate.build_class(repo / "submissions", 1)
    runner = Runner(WORKFLOWS / "autograde.yml", repo=repo, root=tmp_path / "runner", venv=ROOT / ".venv",
                    inputs=inputs)
    try:
        jobs = runner.run(only={"collect"})
    except WorkflowError as exc:
        return str(exc), {}
    return "", jobs["collect"][0].outputs


@pytest.mark.parametrize("shards", ["0", "257", "four"])
def test_a_shard_count_outside_1_to_256_stops_the_collect_job_with_a_message(tmp_path, shards):
    assert "shards must be a whole number from 1 to 256" in _collect_only(tmp_path, shards=shards)[0]


def test_a_submissions_path_that_is_not_in_the_repository_stops_the_collect_job_naming_it(tmp_path):
    error, _ = _collect_only(tmp_path, submissions="late.zip")
    assert "late.zip: no such file or folder in the repository" in error


def test_more_shards_than_students_are_cut_to_one_per_student(tmp_path):
    assert _collect_only(tmp_path, shards="8") == ("", {"shards": "[1]", "total": "1"})


def test_expressions_evaluate_as_github_does():
    ctx = {"inputs": {"shards": None, "name": "x"}, "steps": {"venv": {"outputs": {"cache-hit": "true"}}}}
    fns = {"fromJSON": json.loads}
    assert Expression("inputs.shards || 4", ctx, fns).value() == 4
    assert Expression("inputs.name || 'submissions'", ctx, fns).value() == "x"
    assert Expression("steps.venv.outputs.cache-hit != 'true'", ctx, fns).value() is False
    assert Expression("!(steps.venv.outputs.cache-hit == 'TRUE')", ctx, fns).value() is False
    assert Expression("fromJSON('[1,2]')", ctx, fns).value() == [1, 2]


def test_an_lms_zip_committed_to_the_repository_is_collected(tmp_path):
    class_dir = tmp_path / "class"
    simulate.build_class(class_dir, 2)
    shutil.make_archive(str(tmp_path / "download"), "zip", class_dir)
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(tmp_path / "download.zip", repo / "download.zip")
    error, outputs = _collect_only(tmp_path, folder_of_one=False, submissions="download.zip")
    assert (error, outputs) == ("", {"shards": "[1,2]", "total": "2"})
