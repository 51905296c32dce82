"""Whether an answer states an expected fact: whole words only, never a fragment of a longer word.

A fact ("25 000", "Bolagsverket", "tre till sex") counts as found when it occurs in the text as whole words:
case-insensitive, bounded by Unicode word boundaries (a letter or digit on neither side), with any run of white
space inside the fact matching any run of white space in the text, including the non-breaking and thin spaces
used in figures ("25 000" = "25\u00a0000" = "25\u202f000"). "tilsk" is not found in "tilskudd", "50 000" is not
found in "250 000", and "tre til" is not found in "tre till".
"""

from __future__ import annotations

import re
from functools import lru_cache

_SPACE = r"[\s\u00a0\u2007\u2009\u202f]+"


@lru_cache(maxsize=4096)
def fact_pattern(fact: str) -> re.Pattern[str]:
    """The compiled whole-word pattern of one fact."""
    parts = fact.split()
    if not parts:
        raise ValueError("an expected fact must not be empty")
    return re.compile(r"(?<!\w)" + _SPACE.join(re.escape(p) for p in parts) + r"(?!\w)", re.IGNORECASE)


def fact_found(fact: str, text: str) -> bool:
    """True when `text` states `fact` as whole words."""
    return fact_pattern(fact).search(text) is not None


def fact_coverage(facts: list[str], text: str) -> float:
    """The share of `facts` that `text` states as whole words (1.0 when there are none)."""
    return sum(fact_found(f, text) for f in facts) / len(facts) if facts else 1.0
