"""Matching: pure functions and data that pair practitioners (no I/O, no database, no clock)."""
