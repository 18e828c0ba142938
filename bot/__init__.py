"""The peer-mentoring bot: the kernel, one folder per feature, and the composition root (bot/app)."""
