"""The geodata checks, one module per family of checks."""
