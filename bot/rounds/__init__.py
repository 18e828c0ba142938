"""Matching rounds: rules, preview, commit, scheduled rounds and the introductions they send."""
