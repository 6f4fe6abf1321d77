"""Stage 5, outputs: tables, maps, charts and files in every supported format.

Every output is written atomically.
"""
