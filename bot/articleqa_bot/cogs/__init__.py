"""One cog per feature: asking, listing sources, administration."""
