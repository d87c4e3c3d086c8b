"""Small pieces of wording shared by the reports (normaliser, style, check)."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``1 cue``, ``2 cues``, ``0 cues``: the count and the noun, with an ``s`` unless one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def shorten(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and ``...`` in that
    many: a value quoted in a message stays readable however long it was."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
