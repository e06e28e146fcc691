"""The stand-in's model of Discord's Markdown sees what Discord formats: otherwise "renders
literally" would prove nothing."""

from __future__ import annotations

import pytest

from .markdown import kinds, parse, plain, render


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[label](https://evil.example/phish)", ["link"]),
        ("\\\\[label\\](https://evil.example/phish)", ["link"]),  # issue 14's double escape
        ("https://evil.example/a", ["url"]),
        ("<https://evil.example/a>", ["autolink"]),
        ("@everyone and @here", ["everyone_mention", "everyone_mention"]),
        ("<@123> <@!123>", ["user_mention", "user_mention"]),
        ("<@&456>", ["role_mention"]),
        ("<#789>", ["channel_mention"]),
        ("</ask:1>", ["command_mention"]),
        ("<t:0> <t:0:R>", ["timestamp", "timestamp"]),
        ("<:wave:42> <a:wave:42>", ["custom_emoji", "custom_emoji"]),
        (":smile:", ["emoji"]),
        ("<id:browse>", ["guild_navigation"]),
        ("# heading", ["heading"]),
        ("### three", ["heading"]),
        ("-# small", ["subtext"]),
        ("> quote", ["blockquote"]),
        (">>> all\nthe rest", ["blockquote"]),
        ("- item", ["list"]),
        ("1. first", ["list"]),
        ("||spoiler||", ["spoiler"]),
        ("**bold**", ["strong"]),
        ("__under__", ["underline"]),
        ("*em* _em_", ["em", "em"]),
        ("~~gone~~", ["strikethrough"]),
        ("`code`", ["code"]),
        ("```\nblock\n```", ["codeblock"]),
        ("text\n# heading", ["heading"]),
    ],
)
def test_the_model_sees_discords_formatting(source: str, expected: list[str]) -> None:
    assert kinds(parse(source)) == expected


def test_escapes_read_as_discord_reads_them() -> None:
    assert plain(parse("\\*a\\* \\\\ \\a \\é")) == "*a* \\ \\a é"
    assert kinds(parse("\\<@123\\> \\@everyone \\# x")) == []
    assert plain(parse("> a\n> b\nc")) == "a\nbc"  # the quote's last line break ends the quote
    assert render("  text  \n") == parse("text")
