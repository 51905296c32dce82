"""Answer composition: the extractive default and the optional LLM, both grounded in retrieved hits."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import dropwhile, takewhile
from typing import TYPE_CHECKING, Callable

from bot import metrics
from bot.i18n import Translator
from bot.language import readable_by
from bot.llm import LLMFailure
from bot.models import Citation, Hit
from bot.question_type import asked_for, holds
from bot.text import folded, sentences, stems

if TYPE_CHECKING:
    from bot.generate import AnswerWriter

log = logging.getLogger(__name__)
CHECKBOX_RE = re.compile(r"^\s*(?:[-*•]\s*)?\[[ xX]?\]")
LIST_MARK_RE = re.compile(r"^\s*(?:[-*•]\s+|\d+[.)]\s+|\[[ xX]?\]\s*)")
EMPHASIS_RE = re.compile(r"\*\*|__")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S")
LIST_HEAD_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\*\*(.+?)\*\*")
MAX_ANSWER_WORDS = 110
# A fact box line as ingest/page_text.py writes it: a short label, a colon, a value; no more than ten words.
# The label may hold a unit: "Udgifter (kr.): 34.152.809".
FACT_LINE_RE = re.compile(r"^[A-ZÆØÅÄÖÉ][\w\-.() ]{1,50}: [^:]+$")
FACT_LINE_MAX_WORDS = 10
UNMARKED_ITEM_MAX_WORDS = 8  # longer unmarked lines after "...:" read as text, not as items
PREFIX_LETTERS = 5  # question and sentence words in different languages match on their first letters


@dataclass(frozen=True)
class Composition:
    text: str
    composer: str  # "extractive" | "llm" | "extractive-fallback"
    quoted: str | None = None  # the document an extractive answer quotes (it leads the answer's sources)
    kind: str = "answer"  # a model may also decline ("declined") or ask back ("clarify")
    citations: tuple[Citation, ...] = ()  # a generated answer: which document backs which sentence
    cited: tuple[str, ...] = ()  # the documents a generated answer cites, [1] first
    reason: str | None = None  # why the model's answer was not used (extractive-fallback)
    prompt_tokens: int = 0
    completion_tokens: int = 0


def is_fact_line(sentence: str) -> bool:
    """Whether a quotable sentence is a line of a fact box ("Kontaktperson: Anna Frestadius.")."""
    return FACT_LINE_RE.match(sentence) is not None and len(sentence.split()) <= FACT_LINE_MAX_WORDS


def _clean(sentence: str) -> str:
    """A sentence as plain text: no list mark, no Markdown emphasis."""
    return EMPHASIS_RE.sub("", LIST_MARK_RE.sub("", sentence)).strip()


def _matches(wanted: dict[str, float], sentence_stems: frozenset[str]) -> set[str]:
    """The question's terms found in the sentence; across languages, terms match on their first letters in the
    spelling the Scandinavian languages share ("sosial" / "social", `bot.text.folded`); a term is also found as the
    last part of a compound ("period" in "projektperiod", "fylke" in "vertsfylke")."""
    prefixes = {folded(s)[:PREFIX_LETTERS] for s in sentence_stems if len(s) >= PREFIX_LETTERS}
    return {
        term for term in wanted
        if term in sentence_stems or (len(term) >= PREFIX_LETTERS and (
            folded(term)[:PREFIX_LETTERS] in prefixes
            or any(len(s) > len(term) and s.endswith(term) for s in sentence_stems)))
    }


def _within_document(wanted: dict[str, float], matched: list[set[str]]) -> dict[str, float]:
    """The question's term weights scaled by how few of the candidate sentences hold each term (an IDF over those
    sentences): a term in nearly every sentence of the document, such as its subject ("Adler" in an article on
    Steven Adler), is why the document was chosen and says little about which of its sentences answers."""
    n = len(matched)
    if n < 2:
        return wanted
    scale = math.log(n + 1)
    return {
        term: weight * max(0.0, math.log((n + 1) / (sum(term in m for m in matched) + 0.5)) / scale)
        for term, weight in wanted.items()
    }


def _list_heads(lines: list[str]) -> list[str] | None:
    """The short names a list's items start with ("**SSB:** folketal ..." gives "SSB"), or the items themselves
    when they are short; None when the items are too long to read as one sentence."""
    heads = []
    for line in lines:
        bold = LIST_HEAD_RE.match(line)
        item = bold.group(1).rstrip(":").strip() if bold else _clean(line).rstrip(".;,")
        if len(item.split()) > 8:
            return None
        heads.append(item)
    return heads


def _is_unmarked_item(line: str) -> bool:
    """A list item written without a mark on the line right after the line introducing the list, as ingest keeps
    items of pages saved as text ("Kontaktpersoner är:" / "Camilla Spennare, e-post: ..."): short and not a whole
    sentence."""
    text = line.strip()
    return (0 < len(text.split()) <= UNMARKED_ITEM_MAX_WORDS and text[:1] not in "#|"
            and not (len(text.split()) >= 4 and text[-1:] in ".!?"))


def _is_whole(sentence: str) -> bool:
    """A whole sentence starts with a capital, a figure or a quotation mark and ends like one; list items continuing a
    sentence ("butikk, post og kafé som er lagde ned,") do not read on their own."""
    opens = sentence[:1].isupper() or sentence[:1].isdigit() or sentence[:1] in "«\"(“”„"
    return opens and sentence[-1:] in ".!?)»”\"" and len(sentence.split()) >= 4


@lru_cache(maxsize=8192)
def usable_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a passage that read as an answer: no checklist items, table rows or fragments. A line
    that introduces a list ("Gode offentlege kjelder er:") reads together with the names of the items, one that
    introduces a sentence ("Regeringens definition er følgende:") with that sentence. Cached: the same passages come
    back for question after question."""
    out = []
    lines = text.split("\n")
    joined: set[int] = set()  # lines whose first sentence was read with the line introducing it
    for number, line in enumerate(lines):
        line_sentences = sentences(line)
        for position, sentence in enumerate(line_sentences):
            if position == 0 and number in joined:
                continue
            if sentence.endswith(":") and sentence == line_sentences[-1]:
                following = list(dropwhile(lambda l: not l.strip(), lines[number + 1 :]))
                items = list(takewhile(lambda l: LIST_ITEM_RE.match(l) and not CHECKBOX_RE.match(l), following))
                items = items or list(takewhile(_is_unmarked_item, lines[number + 1 :]))
                heads = _list_heads(items) if items else None
                if heads:  # items that carry commas themselves ("Anna Berg, e-post: ...") are set apart by semicolons
                    sentence = f"{sentence} {('; ' if any(',' in h for h in heads) else ', ').join(heads)}."
                elif following and _is_whole(first := (sentences(following[0]) or [""])[0]) and not (
                        following[0].lstrip().startswith(("#", "|")) or LIST_MARK_RE.match(following[0])):
                    # "Regeringens definition er følgende:" reads with the sentence it introduces
                    sentence = f"{sentence} {first}"
                    joined.add(len(lines) - len(following))
            if CHECKBOX_RE.match(sentence) or sentence.startswith("|") or sentence.endswith(":"):
                continue
            sentence = _clean(sentence)
            if _is_whole(sentence):
                out.append(sentence)
            elif sentence == line.strip() and len(sentence.split()) >= 2 and is_fact_line(sentence):
                out.append(f"{sentence}.")  # a line of a fact box ("Kontaktperson: Anna Frestadius."), as ingest writes it
    return tuple(out)


@lru_cache(maxsize=32768)
def _sentence_stems(sentence: str, lang: str) -> frozenset[str]:
    return frozenset(stems(sentence, lang))


def answerable(hits: list[Hit]) -> list[Hit]:
    """The hits from the first one that has a sentence to quote (a passage holding only a table or a checklist
    cannot be quoted); all hits when none has."""
    for position, hit in enumerate(hits[:3]):
        if usable_sentences(hit.chunk.text):
            return hits[position:]
    return hits


@dataclass(frozen=True)
class SentenceWeights:
    """How sentences are scored for the extractive answer (re-tune on the tuning halves only: of
    knowledge/eval/questions.jsonl and of the NorQuAD and SweQUAD-MC questions in benchmarks/documents_eval.py;
    `make eval` reports the other halves)."""

    # The first sentence of a module's best passage: the course material opens each section with its answer (no
    # lead for articles and pages: on the tuning halves that cost nothing and gained NorQuAD and real pages one each)
    lead: float = 1.0
    continuation: float = 0.3  # the sentence after it, which usually backs the answer up
    overlap: float = 2.0  # the IDF-weighted share of the question's terms in the sentence ...
    overlap_length: float = 40.0  # ... damped for long sentences by 1 + words / this
    answer_type: float = 0.5  # a sentence holding what the question asks for: a name, a figure, a date, a list
    passage: float = 0.5  # the passage's rank: weight / (1 + rank)
    position: float = 0.03  # later sentences in a passage lose this much per position


def ranked_sentences(
    question: str,
    lang: str,
    hits: list[Hit],
    term_weight: Callable[[str], float] | None = None,
    weights: SentenceWeights = SentenceWeights(),
) -> list[tuple[float, int, int, str]]:
    """The quotable sentences of the best document, best first, as (score, passage rank, position, sentence): those
    sharing most with the question (terms weighted by `term_weight`, e.g. their IDF, and by how few of the document's
    candidate sentences hold them; across languages terms match on their first letters), holding what the question
    asks for (a name after "who", a figure after "how much", a date after "when"), from its best passages; in a
    module the lead sentence of the best passage counts extra. Sentences from other documents are never mixed in."""
    w = weights
    best_doc = hits[0].chunk.doc_id
    weigh = term_weight or (lambda term: 1.0)
    wanted = {s: weigh(s) for s in stems(question, lang) if len(s) > 2}
    kind = asked_for(question)
    module = hits[0].chunk.kind == "module"
    found = [
        (rank, position, sentence, _matches(wanted, _sentence_stems(sentence, hit.chunk.lang)))
        for rank, hit in enumerate(hits) if hit.chunk.doc_id == best_doc
        for position, sentence in enumerate(usable_sentences(hit.chunk.text))
    ]
    local = _within_document(wanted, [matched for *_, matched in found])
    total = sum(local.values()) or 1.0
    candidates: list[tuple[float, int, int, str]] = []
    for rank, position, sentence, matched in found:
        n_words = len(sentence.split())
        overlap = sum(local[term] for term in matched) / total
        # a module's best passage opens with its answer (the course material is written so); an article, a page or a
        # report as it comes does not. A line of a fact box never leads ("Projektägare: ..."), and its place in
        # the box says nothing about its weight (owner, contact, grant and period are listed in any order)
        fact = is_fact_line(sentence)
        leads = rank == 0 and not fact and module
        lead = (w.lead if position == 0 else w.continuation if position == 1 else 0.0) if leads else 0.0
        typed = w.answer_type if holds(kind, sentence, question) else 0.0
        score = (lead + w.overlap * overlap / (1.0 + n_words / w.overlap_length) + typed
                 + w.passage / (1 + rank) - (0.0 if fact else w.position * position))
        candidates.append((score, rank, position, sentence))
    return sorted(candidates, key=lambda c: -c[0])


def key_sentences(
    question: str,
    lang: str,
    hits: list[Hit],
    limit: int = 4,
    term_weight: Callable[[str], float] | None = None,
    weights: SentenceWeights = SentenceWeights(),
) -> list[str]:
    """The best `ranked_sentences` that fit in an answer (`limit` of them, at most MAX_ANSWER_WORDS words), in
    reading order."""
    chosen: list[tuple[int, int, str]] = []
    words = 0
    for _, rank, position, sentence in ranked_sentences(question, lang, hits, term_weight, weights):
        n_words = len(sentence.split())
        if chosen and words + n_words > MAX_ANSWER_WORDS:
            continue
        chosen.append((rank, position, sentence))
        words += n_words
        if len(chosen) == limit:
            break
    return [sentence for _, _, sentence in sorted(chosen)]


class Composer:
    """Writes the answer text: through the language model when one is configured (`writer`), else extractively;
    the extractive answer is also the fallback whenever the model's reply cannot be used."""

    def __init__(self, translator: Translator, writer: "AnswerWriter | None" = None) -> None:
        self.translator = translator
        self.writer = writer

    @property
    def generates(self) -> bool:
        """Whether answers are written by a language model."""
        return self.writer is not None

    def compose(
        self, question: str, lang: str, hits: list[Hit], term_weight: Callable[[str], float] | None = None, *,
        history: list[tuple[str, str]] | None = None, deadline: float | None = None,
        on_text: Callable[[str], None] | None = None, generate: bool = True,
    ) -> Composition:
        """The answer text; `term_weight` tells how telling a stemmed question term is (the snapshot's IDF). With a
        model (and `generate`), `history` holds the conversation's earlier (question, answer) pairs, `deadline` the
        monotonic time all model calls must finish by, and `on_text` receives the text while it streams."""
        if self.writer is None or not generate:
            return self._extractive(question, lang, hits, term_weight, "extractive")
        try:
            written = self.writer.write(question, lang, hits, history or [],
                                        deadline if deadline is not None else self.writer.deadline(), on_text)
        except LLMFailure as failure:
            log.warning("LLM answer not used (%s); answering extractively", failure.reason)
            metrics.llm_fallback(failure.reason)
            fallback = self._extractive(question, lang, hits, term_weight, "extractive-fallback")
            return replace(fallback, reason=failure.reason, prompt_tokens=failure.prompt_tokens,
                           completion_tokens=failure.completion_tokens)
        g = written.grounded
        return Composition(g.text, "llm", g.cited_docs[0] if g.cited_docs else None, kind=g.kind,
                           citations=g.citations, cited=g.cited_docs, prompt_tokens=written.prompt_tokens,
                           completion_tokens=written.completion_tokens)

    def _extractive(
        self, question: str, lang: str, hits: list[Hit], term_weight: Callable[[str], float] | None, composer: str
    ) -> Composition:
        text = self.extractive(question, lang, hits, term_weight)
        return Composition(text, composer, answerable(hits)[0].chunk.doc_id)

    def extractive(
        self, question: str, lang: str, hits: list[Hit], term_weight: Callable[[str], float] | None = None
    ) -> str:
        hits = answerable(hits)
        best = hits[0].chunk
        lead = self.translator.translate(lang, "From “{title}”:", title=best.title)
        body = " ".join(key_sentences(question, lang, hits, term_weight=term_weight))
        parts = [lead, body]
        if best.lang not in readable_by(lang):
            parts.append(
                self.translator.translate(
                    lang, "(The material is in {language}.)", language=self.translator.language_name(lang, best.lang)
                )
            )
        if best.valid_until:
            until = self.translator.date(lang, dt.date.fromisoformat(best.valid_until))
            parts.append(self.translator.translate(lang, "This material is valid until {date}; check the source for changes.", date=until))
        return "\n".join(p for p in parts if p)
