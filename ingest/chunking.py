"""Heading-aware chunking: each chunk keeps its document title and section heading."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Callable

from bot.text import sentences

HEADING_RE = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")
SHORT_PARAGRAPH = 8  # words; a shorter paragraph (a list item, a caption) is too short to tell its language


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


def split_sections(body: str) -> list[Section]:
    """Split Markdown-like text at headings; text before the first heading has an empty heading."""
    sections: list[Section] = []
    heading, lines = "", []
    for line in body.split("\n"):
        match = HEADING_RE.match(line)
        if match:
            if "\n".join(lines).strip():
                sections.append(Section(heading, "\n".join(lines).strip()))
            heading, lines = match.group(2).strip(), []
        else:
            lines.append(line)
    if "\n".join(lines).strip():
        sections.append(Section(heading, "\n".join(lines).strip()))
    return sections


def _word_count(text: str) -> int:
    return len(text.split())


def _units(text: str, max_words: int) -> list[str]:
    """The paragraphs of a section; a paragraph longer than `max_words` is cut between sentences."""
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if _word_count(paragraph) <= max_words:
            units.append(paragraph)
        else:
            for sentence in sentences(paragraph):
                words = sentence.split()
                units.extend(" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words))
    return units


def _pieces(text: str, max_words: int, language_of: Callable[[str], str] | None = None) -> list[str]:
    """Pack paragraphs (or, for a long paragraph, sentences) into pieces of at most `max_words`; with
    `language_of`, paragraphs in different languages never share a piece (a short paragraph, under
    SHORT_PARAGRAPH words, reads as the language of the one before it)."""
    units = _units(text, max_words)
    languages: list[str | None] = []
    for unit in units:
        short = _word_count(unit) < SHORT_PARAGRAPH and languages
        languages.append(None if language_of is None else languages[-1] if short else language_of(unit))
    pieces: list[str] = []
    current: list[str] = []
    current_lang: str | None = None
    for unit, lang in zip(units, languages):
        if current and (_word_count("\n\n".join(current + [unit])) > max_words or lang != current_lang):
            pieces.append("\n\n".join(current))
            current = []
        current.append(unit)
        current_lang = lang
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def chunk_text(
    body: str, max_words: int = 180, language_of: Callable[[str], str] | None = None
) -> list[tuple[str, str]]:
    """(section heading, text) pairs, each text at most `max_words` words; with `language_of` (paragraph ->
    language code) each text is in one language."""
    return [
        (section.heading, piece)
        for section in split_sections(body)
        for piece in _pieces(section.text, max_words, language_of)
    ]


def chunk_id(doc_id: str, index: int, text: str) -> str:
    """Stable id from the document id, position and content, so unchanged chunks keep their id."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{doc_id}#{index:03d}-{digest}"
