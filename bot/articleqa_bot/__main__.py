"""``articleqa-bot`` / ``python -m articleqa_bot``: run the Discord bot."""

from __future__ import annotations

import logging
import os
import sys

from pydantic import ValidationError

from .bot import create_bot
from .config import BotSettings

logger = logging.getLogger("articleqa_bot")


def main() -> None:
    level = os.environ.get("ARTICLEQA_BOT_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
    )
    try:
        settings = BotSettings()  # type: ignore[call-arg]
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            logger.error("Setting ARTICLEQA_BOT_%s: %s", field.upper(), error["msg"])
        sys.exit(2)
    bot = create_bot(settings)
    # log_handler=None: logging is configured above, discord.py must not add its own handler.
    bot.run(settings.discord_token.get_secret_value(), log_handler=None)


if __name__ == "__main__":
    main()
