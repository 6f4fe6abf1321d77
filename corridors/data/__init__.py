"""Stage 1, data: locate the shipped geodata, read it into typed tables, and check it."""
