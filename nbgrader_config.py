"""nbgrader's config file: only loads course_config.py, the one place for settings."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course_config  # noqa: E402

course_config.nbgrader_settings(get_config())  # noqa: F821
