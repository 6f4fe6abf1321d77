"""Tests of corridors.graph."""
