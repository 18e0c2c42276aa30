"""Experiments that produce the package's tables."""
