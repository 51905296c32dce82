"""Grounding a model's answer: the retrieved passages as numbered, delimited, untrusted data; the reply's citations
parsed and mapped to passages and sources; replies that leak the instructions or cite nothing caught. Pure
functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.models import Citation, Hit
from bot.text import words

NOT_COVERED = "NOT_COVERED"
CLARIFY = "CLARIFY:"
TAG_RE = re.compile(r"<\s*/?\s*(?:passage|question|history)\b[^>]*>", re.I)
MARKER_RE = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
MARKER_AFTER_STOP_RE = re.compile(r"([.!?…])((?:\s*\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\])+)")
REPEATED_MARKER_RE = re.compile(r"(\[\d+(?:, \d+)*\])(?:\s*\1)+")
PARTIAL_MARKER_RE = re.compile(r"\[[\d,;\s]*$")
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+")
LEAK_SHINGLE = 8  # this many consecutive words of the system prompt in a reply count as a leak
MAX_PASSAGE_CHARS = 2500
MAX_HISTORY_ANSWER_CHARS = 400


def _defuse(text: str) -> str:
    """Untrusted text with anything that looks like our delimiters removed, so it cannot close its block."""
    return TAG_RE.sub(" ", text)


def passages_block(hits: list[Hit]) -> str:
    """The passages as numbered `<passage>` blocks, [1] first."""
    blocks = []
    for number, hit in enumerate(hits, start=1):
        c = hit.chunk
        head = c.title if c.section in ("", c.title) else f"{c.title} — {c.section}"
        blocks.append(f'<passage number="{number}" lang="{c.lang}">\n{_defuse(head)}\n'
                      f"{_defuse(c.text[:MAX_PASSAGE_CHARS])}\n</passage>")
    return "\n".join(blocks)


def question_block(text: str) -> str:
    return f"<question>\n{_defuse(text)}\n</question>"


def history_block(turns: list[tuple[str, str]]) -> str:
    """Earlier (question, answer) pairs of the conversation, oldest first, as one `<history>` block."""
    if not turns:
        return ""
    lines = []
    for question, answer in turns:
        lines += [f"user: {_defuse(question)}", f"assistant: {_defuse(answer[:MAX_HISTORY_ANSWER_CHARS])}"]
    return "<history>\n" + "\n".join(lines) + "\n</history>\n\n"


@dataclass(frozen=True)
class Grounded:
    """A parsed reply: `kind` answer | declined | clarify; for an answer, the text with its citation markers
    renumbered by source (the first cited document is [1]), the citations, and the cited documents in that order."""

    kind: str
    text: str
    citations: tuple[Citation, ...] = ()
    cited_docs: tuple[str, ...] = ()
    dropped: int = 0  # citations of passages that were not supplied


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def ground(reply: str, hits: list[Hit]) -> Grounded:
    """Map the reply's citations to the passages in `hits` (1-based); drop those to passages not supplied."""
    stripped = reply.strip()
    if stripped.upper().startswith(NOT_COVERED):
        return Grounded("declined", "")
    if stripped.upper().startswith(CLARIFY):
        return Grounded("clarify", _tidy(MARKER_RE.sub("", stripped[len(CLARIFY):])))
    order: list[str] = []  # cited documents, first citation first
    citations: list[Citation] = []
    dropped = 0
    lines_out: list[str] = []
    text = MARKER_AFTER_STOP_RE.sub(lambda m: f"{m.group(2)}{m.group(1)}", stripped)
    for line in text.split("\n"):
        sentences_out = []
        for sentence in SENTENCE_SPLIT_RE.split(line.strip()) if line.strip() else []:
            docs_here: list[str] = []

            def renumber(match: re.Match) -> str:
                nonlocal dropped
                numbers = []
                for part in re.split(r"\s*[,;]\s*", match.group(1)):
                    n = int(part)
                    if not 1 <= n <= len(hits):
                        dropped += 1
                        continue
                    doc = hits[n - 1].chunk.doc_id
                    if doc not in order:
                        order.append(doc)
                    if doc not in docs_here:
                        docs_here.append(doc)
                        citations.append(Citation(doc, "", hits[n - 1].chunk.id))
                    numbers.append(order.index(doc) + 1)
                numbers = sorted(set(numbers))
                return "[" + ", ".join(map(str, numbers)) + "]" if numbers else ""

            start = len(citations)
            rewritten = _tidy(REPEATED_MARKER_RE.sub(r"\1", MARKER_RE.sub(renumber, sentence)))
            plain = _tidy(MARKER_RE.sub("", rewritten))
            for i in range(start, len(citations)):
                citations[i] = Citation(citations[i].source, plain, citations[i].passage)
            if rewritten:
                sentences_out.append(rewritten)
        lines_out.append(" ".join(sentences_out))
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines_out)).strip()
    return Grounded("answer", body, tuple(citations), tuple(order), dropped)


def preview(raw: str) -> str:
    """What a streaming reply may show so far: no markers, no half-written citation, nothing of a NOT_COVERED
    reply; a clarifying question without its prefix."""
    head = raw.lstrip()
    for marker in (NOT_COVERED, CLARIFY):
        if marker.startswith(head.upper()[: len(marker)]) and len(head) < len(marker):
            return ""  # could still become a marker
    if head.upper().startswith(NOT_COVERED):
        return ""
    if head.upper().startswith(CLARIFY):
        head = head[len(CLARIFY):]
    return _tidy(PARTIAL_MARKER_RE.sub("", MARKER_RE.sub("", head)))


def leaks(reply: str, secret: str, shingle: int = LEAK_SHINGLE) -> bool:
    """Whether the reply repeats `shingle` consecutive words of `secret` (the system prompt)."""
    secret_words = [w.lower() for w in words(secret)]
    grams = {tuple(secret_words[i:i + shingle]) for i in range(len(secret_words) - shingle + 1)}
    reply_words = [w.lower() for w in words(reply)]
    return any(tuple(reply_words[i:i + shingle]) in grams for i in range(len(reply_words) - shingle + 1))
