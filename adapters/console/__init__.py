"""The terminal console adapter: the embedded default, for trying the bot without any tokens."""
