"""Authoring: notebook pairs, the student release, mutant banks, simulated classes and the self-check."""
