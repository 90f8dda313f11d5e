"""coursekit: release, grade and self-check the W2D1 course (`python -m coursekit VERB`)."""
