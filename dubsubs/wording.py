"""Small pieces of wording shared by the reports (normaliser, style, check)."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``1 cue``, ``2 cues``, ``0 cues``: the count and the noun, with an ``s`` unless one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
