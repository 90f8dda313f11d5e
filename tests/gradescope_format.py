"""Gradescope's documented results.json fields and their JSON types (ECOSYSTEM.md), as a checker for tests."""
from __future__ import annotations

TOP_FIELDS = {"score": (int, float), "execution_time": (int, float), "output": str, "output_format": str,
              "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
              "extra_data": dict, "tests": list, "leaderboard": list}
TEST_FIELDS = {"score": (int, float), "max_score": (int, float), "status": str, "name": str, "name_format": str,
               "number": str, "output": str, "output_format": str, "tags": list, "visibility": str,
               "extra_data": dict}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def problems(results: dict) -> list[str]:
    """What in a results.json object departs from the documented format (empty: none)."""
    out = [f"unknown top-level field {k!r}" for k in results if k not in TOP_FIELDS]
    out += [f"missing {k!r}" for k in ("score", "execution_time", "tests") if k not in results]
    out += [f"{k!r} is {type(v).__name__}" for k, v in results.items() if k in TOP_FIELDS
            and (not isinstance(v, TOP_FIELDS[k]) or isinstance(v, bool))]
    for k, allowed in (("output_format", FORMATS), ("visibility", VISIBILITIES)):
        if k in results and results[k] not in allowed:
            out.append(f"{k} {results[k]!r}")
    for i, test in enumerate(results.get("tests", [])):
        where = f"tests[{i}] {test.get('name', '?')!r}"
        out += [f"{where}: unknown field {k!r}" for k in test if k not in TEST_FIELDS]
        out += [f"{where}: missing {k!r}" for k in ("name", "score", "max_score", "status") if k not in test]
        out += [f"{where}: {k!r} is {type(v).__name__}" for k, v in test.items() if k in TEST_FIELDS
                and (not isinstance(v, TEST_FIELDS[k]) or isinstance(v, bool))]
        if test.get("status") not in ("passed", "failed"):
            out.append(f"{where}: status {test.get('status')!r}")
        for k, allowed in (("output_format", FORMATS), ("visibility", VISIBILITIES)):
            if k in test and test[k] not in allowed:
                out.append(f"{where}: {k} {test[k]!r}")
        if not all(isinstance(t, str) for t in test.get("tags", [])):
            out.append(f"{where}: a tag is not a string")
    return out
