"""Tests of corridors.data."""
