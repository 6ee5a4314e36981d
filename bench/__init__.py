"""Benchmarks: speed and memory against the baselines the issues name (docs/performance.md)."""
