"""PDF text in reading order without running headers and footers.

pypdf gives the text of each page line by line. A line that sits among the first or last lines of most pages
(compared with its digits masked, so "Side 3 av 12" matches "Side 4 av 12") is a running header or footer, and a
line holding only a page number is one too; both are dropped. A paragraph cut by a page break is joined again.
"""

from __future__ import annotations

import re

from ingest.page_text import SENTENCE_END_RE, structure

EDGE_LINES = 3  # how many lines at the top and the bottom of a page are looked at
PAGE_NUMBER_RE = re.compile(r"^(?:(?:side|sida|page|s\.|p\.)\s*)?\d{1,4}(?:\s*(?:av|of|/|-|–)\s*\d{1,4})?$", re.I)


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def running_lines(pages: list[list[str]]) -> set[str]:
    """The keys of lines repeated at the top or bottom of at least half the pages (and of two pages at least)."""
    counts: dict[str, int] = {}
    for lines in pages:
        edges = {_key(line) for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:] if line.strip()}
        for key in edges:
            counts[key] = counts.get(key, 0) + 1
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= needed and len(pages) >= 2}


def pdf_body(page_texts: list[str]) -> str:
    """The text of all pages as Markdown-like paragraphs, without running headers, footers and page numbers."""
    pages = [[line for line in text.split("\n") if line.strip()] for text in page_texts]
    running = running_lines(pages)
    kept_pages: list[list[str]] = []
    for lines in pages:
        edge = set(range(min(EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - EDGE_LINES), len(lines)))
        kept = [
            line for position, line in enumerate(lines)
            if not (position in edge and (_key(line) in running or PAGE_NUMBER_RE.match(line.strip())))
        ]
        if kept:
            kept_pages.append(kept)
    lines: list[str] = []
    for kept in kept_pages:
        if lines and SENTENCE_END_RE.search(lines[-1]):
            lines.append("")  # a page break after a whole sentence ends the paragraph; otherwise it runs on
        lines.extend(kept)
    return structure(lines, wrapped=True)
