"""Benchmarks: ``python -m bench NAME``; the last line printed is a JSON object of metrics."""
