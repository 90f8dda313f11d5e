"""Grading: discovery, the nbgrader public step, hidden suites, results and reports (trusted code only)."""
