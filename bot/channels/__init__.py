"""The channel adapters (Telegram, later Slack) and what they share (`conversation`)."""
