"""Tokenising, stemming and sentence splitting for Norwegian, Swedish, Danish and English."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"\w+", re.UNICODE)
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅÄÖÉ0-9«\"(])")

# Snowball has no Nynorsk stemmer; the Norwegian one handles both written standards.
_STEMMER_FOR_LANG = {"nb": "norwegian", "nn": "norwegian", "no": "norwegian", "sv": "swedish", "da": "danish", "en": "english"}


def normalise(text: str) -> str:
    """NFC-normalise and collapse white space, keeping line breaks."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("\r\n", "\n")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return WORD_RE.findall(text.lower())


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMER_FOR_LANG.get(lang, "norwegian"))


def stems(text: str, lang: str) -> list[str]:
    """Stemmed word tokens for lexical search, using the stemmer of `lang`."""
    return _stemmer(lang).stemWords(words(text))


def sentences(text: str) -> list[str]:
    """Split prose into sentences; list items and lines stay whole."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out.extend(part.strip() for part in SENTENCE_END_RE.split(line) if part.strip())
    return out
