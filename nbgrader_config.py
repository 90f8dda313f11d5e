"""nbgrader's config file: only loads course_config.py, the one place for settings."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course_config  # noqa: E402

# git ignores the gradebook's folder, and sqlite cannot create a database in a folder that does not exist:
# without this, plain `nbgrader generate_assignment` fails on a fresh clone.
course_config.COURSE.gradebook.parent.mkdir(exist_ok=True)
course_config.nbgrader_settings(get_config())  # noqa: F821
