"""Answer composition: the extractive default and the optional LLM, both grounded in retrieved hits."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from itertools import dropwhile, takewhile
from pathlib import Path
from typing import Callable, Protocol

from bot.i18n import Translator, ui_language
from bot.language import readable_by
from bot.models import Hit
from bot.question_type import asked_for, holds
from bot.text import sentences, stems

log = logging.getLogger(__name__)
CHECKBOX_RE = re.compile(r"^\s*(?:[-*•]\s*)?\[[ xX]?\]")
LIST_MARK_RE = re.compile(r"^\s*(?:[-*•]\s+|\d+[.)]\s+|\[[ xX]?\]\s*)")
EMPHASIS_RE = re.compile(r"\*\*|__")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S")
LIST_HEAD_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\*\*(.+?)\*\*")
MAX_ANSWER_WORDS = 110
PREFIX_LETTERS = 5  # question and sentence words in different languages match on their first letters


@dataclass(frozen=True)
class Composition:
    text: str
    composer: str  # "extractive" | "llm" | "extractive-fallback"
    quoted: str | None = None  # the document an extractive answer quotes (it leads the answer's sources)


def _clean(sentence: str) -> str:
    """A sentence as plain text: no list mark, no Markdown emphasis."""
    return EMPHASIS_RE.sub("", LIST_MARK_RE.sub("", sentence)).strip()


def _overlap(wanted: dict[str, float], sentence_stems: set[str]) -> float:
    """Weighted share of the question's terms in the sentence; across languages, terms match on their first letters."""
    prefixes = {s[:PREFIX_LETTERS] for s in sentence_stems if len(s) >= PREFIX_LETTERS}
    return sum(
        weight for term, weight in wanted.items()
        if term in sentence_stems or (len(term) >= PREFIX_LETTERS and term[:PREFIX_LETTERS] in prefixes)
    )


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


def usable_sentences(text: str) -> list[str]:
    """The sentences of a passage that read as an answer: no checklist items, table rows or fragments. A line
    that introduces a list ("Gode offentlege kjelder er:") reads together with the names of the items."""
    out = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        line_sentences = sentences(line)
        for sentence in line_sentences:
            if sentence.endswith(":") and sentence == line_sentences[-1]:
                following = list(dropwhile(lambda l: not l.strip(), lines[number + 1 :]))
                items = list(takewhile(lambda l: LIST_ITEM_RE.match(l) and not CHECKBOX_RE.match(l), following))
                heads = _list_heads(items) if items else None
                if heads:
                    sentence = f"{sentence} {', '.join(heads)}."
            if CHECKBOX_RE.match(sentence) or sentence.startswith("|") or sentence.endswith(":"):
                continue
            sentence = _clean(sentence)
            # A whole sentence starts with a capital or a figure and ends like one; list items continuing a
            # sentence ("butikk, post og kafé som er lagde ned,") do not read on their own.
            whole = sentence[:1].isupper() or sentence[:1].isdigit() or sentence[:1] in "«\"(“"
            if whole and sentence[-1:] in ".!?)»”\"" and len(sentence.split()) >= 4:
                out.append(sentence)
    return out


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

    lead: float = 1.0  # the first sentence of the best passage: the material opens each section with its answer
    continuation: float = 0.3  # the sentence after it, which usually backs the answer up
    overlap: float = 2.0  # the IDF-weighted share of the question's terms in the sentence ...
    overlap_length: float = 40.0  # ... damped for long sentences by 1 + words / this
    answer_type: float = 0.5  # a sentence holding what the question asks for: a name, a figure, a date, a list
    passage: float = 0.5  # the passage's rank: weight / (1 + rank)
    position: float = 0.03  # later sentences in a passage lose this much per position


def key_sentences(
    question: str,
    lang: str,
    hits: list[Hit],
    limit: int = 4,
    term_weight: Callable[[str], float] | None = None,
    weights: SentenceWeights = SentenceWeights(),
) -> list[str]:
    """The sentences of the best document that answer the question best, in reading order: those sharing most
    with the question (terms weighted by `term_weight`, e.g. their IDF; across languages terms match on their
    first letters), holding what the question asks for (a name after "who", a figure after "how much", a date
    after "when"), from its best passages; the lead sentence of the best passage counts extra. Sentences from
    other documents are never mixed in."""
    w = weights
    best_doc = hits[0].chunk.doc_id
    weigh = term_weight or (lambda term: 1.0)
    wanted = {s: weigh(s) for s in stems(question, lang) if len(s) > 2}
    total = sum(wanted.values()) or 1.0
    kind = asked_for(question)
    candidates: list[tuple[float, int, int, str]] = []
    for rank, hit in enumerate(hits):
        if hit.chunk.doc_id != best_doc:
            continue
        for position, sentence in enumerate(usable_sentences(hit.chunk.text)):
            n_words = len(sentence.split())
            overlap = _overlap(wanted, set(stems(sentence, hit.chunk.lang))) / total
            lead = (w.lead if position == 0 else w.continuation if position == 1 else 0.0) if rank == 0 else 0.0
            typed = w.answer_type if holds(kind, sentence, question) else 0.0
            score = (lead + w.overlap * overlap / (1.0 + n_words / w.overlap_length) + typed
                     + w.passage / (1 + rank) - w.position * position)
            candidates.append((score, rank, position, sentence))
    chosen: list[tuple[int, int, str]] = []
    words = 0
    for _, rank, position, sentence in sorted(candidates, key=lambda c: -c[0]):
        n_words = len(sentence.split())
        if chosen and words + n_words > MAX_ANSWER_WORDS:
            continue
        chosen.append((rank, position, sentence))
        words += n_words
        if len(chosen) == limit:
            break
    return [sentence for _, _, sentence in sorted(chosen)]


class ChatModel(Protocol):
    def invoke(self, messages: list) -> object: ...


class Composer:
    """Writes the answer text: through the LLM when one is configured, else extractively."""

    def __init__(self, translator: Translator, llm: ChatModel | None = None, prompts_dir: Path | None = None) -> None:
        self.translator = translator
        self.llm = llm
        self.prompts_dir = prompts_dir

    def compose(
        self, question: str, lang: str, hits: list[Hit], term_weight: Callable[[str], float] | None = None
    ) -> Composition:
        """The answer text; `term_weight` tells how telling a stemmed question term is (the snapshot's IDF)."""
        if self.llm is not None:
            try:
                return Composition(self._with_llm(question, lang, hits), "llm")
            except Exception as exc:  # noqa: BLE001 - any LLM failure falls back to the extractive answer
                log.warning("LLM failed (%s); answering extractively", exc.__class__.__name__)
                return self._extractive(question, lang, hits, term_weight, "extractive-fallback")
        return self._extractive(question, lang, hits, term_weight, "extractive")

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

    def _with_llm(self, question: str, lang: str, hits: list[Hit]) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        template = self._prompt("answer", lang)
        context = "\n\n".join(
            f"[{i}] {h.chunk.title} — {h.chunk.section}\n{h.chunk.text}" for i, h in enumerate(hits[:5], start=1)
        )
        system, _, human = template.partition("\n---\n")
        reply = self.llm.invoke(
            [SystemMessage(system.strip()), HumanMessage(human.strip().format(question=question, context=context))]
        )
        text = str(getattr(reply, "content", reply)).strip()
        if not text:
            raise ValueError("the LLM returned an empty answer")
        return text

    def _prompt(self, purpose: str, lang: str) -> str:
        if self.prompts_dir is None:
            raise FileNotFoundError("no prompts folder configured")
        path = self.prompts_dir / f"{purpose}.{ui_language(lang)}.txt"
        return path.read_text("utf-8")
