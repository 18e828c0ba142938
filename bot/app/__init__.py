"""The composition root and entry points: builds the core from the features, the `peerbot` command
line, the runner, the demo community.
"""
