"""The plain data types that flow between channels, the assistant, retrieval and ingest."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

# The one list of language codes: Norwegian Bokmål and Nynorsk, Swedish, English, Danish.
LANGUAGES = ("nb", "nn", "sv", "en", "da")
_LANGUAGE_SUFFIX_RE = re.compile(rf"-(?:{'|'.join(LANGUAGES)})$")


@lru_cache(maxsize=65536)  # called for every candidate of every question
def without_language(doc_id: str) -> str:
    """A document id without its language suffix: one text in all its translations ("m04-legal-form-nb" and
    "m04-legal-form-nn" give "m04-legal-form")."""
    return _LANGUAGE_SUFFIX_RE.sub("", doc_id)


def translation_key(doc_id: str, country: str) -> tuple[str, str]:
    """Which text a document is, whatever its language: its id without the language suffix, and the country it is
    about ("m04-legal-form-nb" and "-nn" are one text for Norway; "m04-legal-form-sv" is another text, for Sweden)."""
    return without_language(doc_id), country


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a knowledge file, with the metadata retrieval filters on."""

    id: str
    text: str
    doc_id: str
    title: str
    section: str
    path: str
    lang: str
    kind: str
    country: str
    module: int | None = None
    url: str | None = None
    valid_until: str = ""  # ISO date after which the chunk is no longer used in answers
    rolling: bool = False  # a call (kind "call") open all year: `valid_until` is when it is checked again, no deadline

    @property
    def search_text(self) -> str:
        """What is embedded and indexed: the title and section heading travel with the text."""
        head = self.title if self.section in ("", self.title) else f"{self.title} — {self.section}"
        return f"{head}\n{self.text}" if head else self.text

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values)."""
        meta = {k: v for k, v in asdict(self).items() if k not in ("id", "text")}
        return {k: ("" if v is None else v) for k, v in meta.items()} | {"module": self.module or 0}

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> "Chunk":
        return cls(
            id=chunk_id,
            text=text,
            doc_id=str(meta.get("doc_id", "")),
            title=str(meta.get("title", "")),
            section=str(meta.get("section", "")),
            path=str(meta.get("path", "")),
            lang=str(meta.get("lang", "")),
            kind=str(meta.get("kind", "")),
            country=str(meta.get("country", "")),
            module=int(meta.get("module") or 0) or None,
            url=str(meta.get("url") or "") or None,
            valid_until=str(meta.get("valid_until") or ""),
            rolling=bool(meta.get("rolling") or False),
        )


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on what retrieval may return."""

    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def allows(self, chunk: Chunk) -> bool:
        return (
            (not self.languages or chunk.lang in self.languages)
            and (not self.countries or chunk.country in self.countries)
            and (not self.kinds or chunk.kind in self.kinds)
        )


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the component ranks."""

    chunk: Chunk
    score: float
    dense: float = 0.0
    lexical: float = 0.0


@dataclass(frozen=True)
class Question:
    """What a channel asks the assistant."""

    text: str
    lang_hint: str | None = None  # user locale, previous turn or explicit choice
    lang: str | None = None  # explicit language: skips detection
    channel: str = "cli"
    user_id: str = ""
    conversation_id: str = ""
    region: str | None = None
    filters: Filters = field(default_factory=Filters)
    request_id: str = ""  # the request that asked (logs, and the recorded turn)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    path: str
    url: str | None
    module: str | None
    score: float


@dataclass(frozen=True)
class Citation:
    """A sentence of a generated answer and the source that backs it (`source` is an id from `Answer.sources`;
    `passage` the chunk it was cited from)."""

    source: str
    text: str
    passage: str = ""


@dataclass(frozen=True)
class MentorRef:
    name: str
    organisation: str
    contact: str
    topics: list[str]
    languages: list[str]


@dataclass(frozen=True)
class OrganisationRef:
    """A support organisation attached to an answer: what it offers, in the asker's language, and where."""

    id: str
    name: str
    url: str
    offer: str


@dataclass(frozen=True)
class ModulePointer:
    """A 'read next' pointer to a course module."""

    id: str
    title: str
    module: int
    url: str | None


@dataclass(frozen=True)
class Answer:
    """What the assistant returns to every channel."""

    question: str
    language: str
    answer: str
    confident: bool
    sources: list[Source] = field(default_factory=list)
    mentors: list[MentorRef] = field(default_factory=list)
    read_next: list[ModulePointer] = field(default_factory=list)
    kind: str = "answer"  # answer | smalltalk | declined | clarify | error
    composer: str = "extractive"
    turn_id: str | None = None  # the recorded turn (feedback points at it); None when it could not be recorded
    error: str | None = None  # for kind "error": empty | too_long | timeout | failed | unavailable
    organisations: list[OrganisationRef] = field(default_factory=list)  # support organisations that fit the question
    citations: list[Citation] = field(default_factory=list)  # a generated answer: which source backs which sentence
    condensed: str | None = None  # a follow-up rewritten as a standalone question (what was searched for)
    prompt_tokens: int = 0  # language-model tokens spent on this turn
    completion_tokens: int = 0

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` / `POST /api/ask` object (stable contract, extended only by adding)."""
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "confident": self.confident,
            "sources": [asdict(s) for s in self.sources],
            "mentors": [asdict(m) for m in self.mentors],
            "read_next": [asdict(p) for p in self.read_next],
            "kind": self.kind,
            "composer": self.composer,
            "turn_id": self.turn_id,
            "error": self.error,
            "organisations": [asdict(o) for o in self.organisations],
            "citations": [{"source": c.source, "text": c.text} for c in self.citations],
        }
