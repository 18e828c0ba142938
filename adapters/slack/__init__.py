"""The Slack adapter (slack-bolt): slash commands, modals and the App Home in, Web API calls out."""
