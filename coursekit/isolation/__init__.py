"""Isolation: the trust boundary. Sandboxes, children that run student code, and the plain-data wire between them.

Nothing here imports coursekit.grading or coursekit.authoring (tests/unit/test_layers.py).
"""
