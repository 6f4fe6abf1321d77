"""Tests of corridors.outputs."""
