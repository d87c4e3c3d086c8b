"""Camb.ai language ids and their BCP-47 tags (table from the vendor's SDK enum)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from .errors import InputError


@dataclass(frozen=True, slots=True)
class Language:
    id: int
    camb_name: str  # e.g. "ES_ES"
    tag: str  # BCP-47, e.g. "es-ES"


@cache
def _table() -> tuple[dict[int, Language], dict[str, Language]]:
    by_id: dict[int, Language] = {}
    by_key: dict[str, Language] = {}
    text = files("dubsubs").joinpath("data/languages.tsv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        ident, name, tag = line.split("\t")
        language = Language(int(ident), name, tag)
        by_id[language.id] = language
        by_key.setdefault(tag.lower(), language)
        by_key.setdefault(name.lower(), language)
    return by_id, by_key


_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def resolve(value: int | str) -> Language:
    """A Camb id (``54``, ``"54"``), name (``"ES_ES"``) or BCP-47 tag (``"es-ES"``)."""
    by_id, by_key = _table()
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if number in by_id:
            return by_id[number]
        raise InputError(f"unknown Camb language id {number}")
    key = str(value).strip().replace("_", "-").lower()
    language = by_key.get(key) or by_key.get(key.replace("-", "_"))
    if language is None:
        raise InputError(f"unknown language {value!r}: give a Camb id or a BCP-47 tag like es-ES")
    return language


def to_tag(value: int | str | None) -> str | None:
    """Best-effort BCP-47 tag: known ids and names map through the table; a well-formed
    tag that the table lacks is kept as given; anything else gives ``None``."""
    if value is None:
        return None
    try:
        return resolve(value).tag
    except InputError:
        text = str(value).strip().replace("_", "-")
        return text if _TAG.match(text) and not text.isdigit() else None


@cache
def known_primary_languages() -> frozenset[str]:
    """The primary subtags (``en``, ``es``, ``zh``...) of every language in Camb's table."""
    _, by_key = _table()
    return frozenset(language.tag.split("-")[0].lower() for language in by_key.values())
