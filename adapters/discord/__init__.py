"""The Discord adapter (discord.py): slash commands and components in, messages out."""
