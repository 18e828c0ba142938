"""Per-community settings an organiser makes in the chat (e.g. which Discord role may join)."""
