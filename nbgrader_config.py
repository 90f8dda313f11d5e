"""nbgrader's config file: loads course_config.py, the one place for settings, and makes sure the gradebook exists."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course_config  # noqa: E402

course_config.nbgrader_settings(get_config())  # noqa: F821

# git ignores the gradebook, and on a fresh clone nbgrader would skip generate_assignment (release/ exists) and
# then find no assignment to autograde: build it once from source/, release/ untouched.  A command that names
# its own gradebook (coursekit's release does) is left alone, which also keeps this from running inside itself.
if not course_config.COURSE.gradebook.exists() and not any(a.startswith("--CourseDirectory.db_url")
                                                           for a in sys.argv):
    course_config.COURSE.gradebook.parent.mkdir(exist_ok=True)
    print(f"coursekit: building {course_config.COURSE.gradebook} from source/ (once per clone)", file=sys.stderr)
    try:
        from coursekit.authoring import ensure_gradebook

        ensure_gradebook()
    except Exception as exc:  # nbgrader then says what it cannot find; this says why
        print(f"coursekit: could not build the gradebook: {exc}; run `python -m coursekit release`", file=sys.stderr)
