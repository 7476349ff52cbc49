"""Text helpers shared by search and imports."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes, collapse white space: for matching."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", " ").replace("’", " ").lower()
    return " ".join(plain.split())


def words(text: str) -> list[str]:
    """The folded words of a query, in order, without duplicates."""
    seen: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word not in seen:
            seen.append(word)
    return seen
