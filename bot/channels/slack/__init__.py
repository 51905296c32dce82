"""The Slack channel: bolt AsyncApp over the Events API (POST /slack/events) or Socket Mode."""
