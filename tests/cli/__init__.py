"""Tests of corridors.cli."""
