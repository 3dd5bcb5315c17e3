"""Fault injection: the real app killed at random moments, and hostile files."""
