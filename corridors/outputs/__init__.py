"""Stage 5, outputs: tables, maps, charts and files in every supported format, written atomically."""
