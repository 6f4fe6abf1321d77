"""Tests of corridors.scenarios."""
