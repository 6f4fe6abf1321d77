"""Benchmark suite of corridors: run ``python benchmarks/run.py`` (see BENCHMARKS.md)."""
