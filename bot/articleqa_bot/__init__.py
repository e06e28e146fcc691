"""Discord bot for articleqa (placeholder until the bot issue lands)."""
