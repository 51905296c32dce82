"""Calls with deadlines (knowledge files of kind `call`): which are open today, soonest deadline first, and which
closed call a question names.

A call's `valid_until` is the last day one can apply; a `rolling` call takes applications all year, and its
`valid_until` is the day the entry must be checked again. A call past its `valid_until` is never offered."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.country import HOME_COUNTRY, mentioned_country
from bot.language import readable_by
from bot.models import Chunk, without_language
from bot.text import stems

# "hvilke tilskudd kan jeg søke nå?", "kva tilskot kan eg søkje på no?", "vilka bidrag kan jag söka nu?",
# "which grants are open now?": a question word, something to apply for, and now / open / apply / deadline.
WHICH_RE = re.compile(
    r"\b(?:hvilke|hvilken|hvilket|hva slags|kva|kva for|kva slags|vilka|vilken|vilket|which|what|any|finnes det|"
    r"finst det|fins det|finns det|are there|is there)\b", re.I)
SOMETHING_TO_APPLY_FOR_RE = re.compile(
    r"\b(?:tilskudd\w*|tilskot\w*|bidrag\w*|stöd\w*|støtteordning\w*|stønad\w*|utlysning\w*|utlysing\w*|"
    r"midler|midlar|stipend\w*|grants?|calls?|funds?|funding|fond|fonder|pengestøtte|söka pengar|"
    r"søke penger|søkje pengar|finansiering\w*|programopptak\w*|intag\w*)", re.I)
NOW_RE = re.compile(
    r"\b(?:nå|no|nu|now|i dag|idag|today|åpne|åpen|opne|open|öppna|öppen|frist\w*|deadlines?|"
    r"søke|søkje|søka|söka|ansøke|ansöka|apply|application)\b", re.I)
MAX_LISTED = 8
NAMED_SHARE = 0.6  # a question names a call when it holds this share of the call title's content words ...
NAMED_MIN_WORDS = 2  # ... and at least this many of them


@dataclass(frozen=True)
class Call:
    """One call as the assistant lists it: the version of its document the asker reads best."""

    chunk: Chunk  # the first chunk of the document (title, url, valid_until, rolling, country, lang)

    @property
    def until(self) -> dt.date:
        return dt.date.fromisoformat(self.chunk.valid_until)

    @property
    def key(self) -> str:
        """The call without its language: `call-interreg-aurora-nb` and `...-sv` are one call."""
        return without_language(self.chunk.doc_id)


def asks_for_open_calls(question: str) -> bool:
    """The question asks which calls or grants one can apply for now ("hvilke tilskudd kan jeg søke nå?")."""
    return bool(WHICH_RE.search(question) and SOMETHING_TO_APPLY_FOR_RE.search(question) and NOW_RE.search(question))


def _calls(documents: Iterable[Chunk]) -> list[Call]:
    calls = []
    for chunk in documents:
        if chunk.kind != "call" or not chunk.valid_until:
            continue
        try:
            dt.date.fromisoformat(chunk.valid_until)
        except ValueError:
            continue
        calls.append(Call(chunk))
    return calls


def _best_versions(calls: list[Call], lang: str) -> list[Call]:
    """One version per call: the asker's language, else one they read, else Bokmål, then Swedish."""
    order = list(dict.fromkeys([*readable_by(lang), "nb", "sv", "nn", "en"]))
    rank = {code: position for position, code in enumerate(order)}
    best: dict[str, Call] = {}
    for call in calls:
        current = best.get(call.key)
        if current is None or rank.get(call.chunk.lang, 99) < rank.get(current.chunk.lang, 99):
            best[call.key] = call
    return list(best.values())


def open_calls(documents: Iterable[Chunk], lang: str, question: str, today: dt.date) -> list[Call]:
    """The calls open today in the country the question is about (the asker's own unless it names another),
    calls with a deadline first, soonest first, then rolling ones."""
    country = mentioned_country(question) or HOME_COUNTRY.get(lang)
    calls = [
        c for c in _calls(documents)
        if c.until >= today and (country is None or c.chunk.country in (country, "both"))
    ]
    calls = _best_versions(calls, lang)
    calls.sort(key=lambda c: (c.chunk.rolling, c.until, c.chunk.title))
    return calls[:MAX_LISTED]


def named_closed_call(documents: Iterable[Chunk], question: str, lang: str, today: dt.date) -> Call | None:
    """The closed call the question asks about by name, when the call it names best has closed; None otherwise
    (no call named, or the best-named one is still open)."""
    asked = set(stems(question, lang))
    best: tuple[float, Call] | None = None
    for call in _calls(documents):
        title = {s for s in stems(call.chunk.title, call.chunk.lang) if len(s) > 2}
        shared = len(title & asked)
        if not title or shared < NAMED_MIN_WORDS or shared / len(title) < NAMED_SHARE:
            continue
        share = shared / len(title)
        if best is None or share > best[0] or (share == best[0] and call.until > best[1].until):
            best = (share, call)
    if best is None or best[1].until >= today:
        return None
    return best[1]
