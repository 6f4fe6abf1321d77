"""Tests of corridors.routing."""
