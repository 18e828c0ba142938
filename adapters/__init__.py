"""Adapters translate between a platform and the core; no business rule lives here."""
