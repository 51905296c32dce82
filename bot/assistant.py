"""The one core every channel calls: `Assistant.answer(Question) -> Answer`."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable

from bot import calls, smalltalk
from bot.budget import NOTES as BUDGET_NOTES, TokenBudget
from bot.compose import Composer, Composition
from bot.country import follow_up_query
from bot.i18n import N_, Translator
from bot.language import LanguageDetector, readable_by
from bot.llm import LLMFailure
from bot.mentors import Mentor, match_mentors, topic_of, topic_weights
from bot.models import Answer, Chunk, Hit, ModulePointer, OrganisationRef, Question, Source
from bot.organisations import Organisation, match_organisations
from bot.retrieval import Retriever, holds_names
from bot.snapshot import IndexSnapshot
from bot.text import clean_text, words

if TYPE_CHECKING:
    from bot.records import Records

log = logging.getLogger(__name__)

# The fixed replies for each kind of failure, in English as msgids (translated by the catalogues).
NOTICES = {
    "empty": N_("Please write a question."),
    "too_long": N_("Your message is too long ({limit} characters at most). Please shorten it."),
    "timeout": N_("This is taking longer than it should. Please try again in a moment."),
    "failed": N_("Something went wrong on our side. Please try again in a moment."),
    "unavailable": N_("Veiviser is temporarily unavailable. Please try again in a few minutes."),
}
FOLLOW_UP_WORDS = 12  # a question this short may lean on the previous one ("og i Sverige?")
CONDENSE_WORDS = 25  # with a language model, a question this short in a conversation is condensed before retrieval


@dataclass
class Generation:
    """What one question's language-model work shares: the deadline (set by the first model call), the
    conversation so far, whether today's budget allows it (`over_budget` names the exhausted one), the condensed
    question and the tokens spent."""

    deadline: float | None = None
    history: list[tuple[str, str]] = field(default_factory=list)
    over_budget: str | None = None
    condensed: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class AnswerPolicy:
    """When the material counts as covering a question, and how much to return (values from `Settings`)."""

    confidence_threshold: float  # best dense cosine similarity that suffices alone
    supported_threshold: float  # best dense similarity that suffices with lexical support ...
    coverage_threshold: float  # ... when this IDF-weighted share of the question's content words is in the material
    cross_lingual_threshold: float  # the dense similarity that suffices when nothing is written in the asker's language
    k: int
    max_question_chars: int
    public_base_url: str = ""  # e.g. http://127.0.0.1:8000: "read next" links point to /read/<id> there
    history_turns: int = 6
    max_sources: int = 3
    max_mentors: int = 2
    max_read_next: int = 2
    max_organisations: int = 2


class Assistant:
    """Detects the language, retrieves, composes, attaches modules and mentors, records the turn."""

    def __init__(
        self,
        retriever: Retriever,
        detector: LanguageDetector,
        translator: Translator,
        composer: Composer,
        mentors: list[Mentor],
        records: "Records | None",
        policy: AnswerPolicy,
        today: dt.date | None = None,
        organisations: list[Organisation] | None = None,
        budget: TokenBudget | None = None,
    ) -> None:
        self.retriever = retriever
        self.detector = detector
        self.translator = translator
        self.composer = composer
        self.mentors = mentors
        self.records = records
        self.policy = policy
        self._today = today
        self.organisations = organisations or []
        self.budget = budget

    def answer(self, question: Question, on_text: Callable[[str], None] | None = None) -> Answer:
        """Answer one question in the asker's language from one snapshot of the material; never raises for bad
        input (a failing store or database does raise: the caller reports it as unavailable). With a language
        model, `on_text` receives the answer's text while it is written (for channels that stream)."""
        question = replace(question, text=clean_text(question.text).strip())
        text = question.text
        lang = self.language_of(question)
        if not text:
            return self._record(question, self.notice(question, lang, "empty"))
        if len(text) > self.policy.max_question_chars:
            return self._record(question, self.notice(question, lang, "too_long"))
        kind = smalltalk.classify(text)
        if kind:
            return self._record(question, self._smalltalk(question, lang, kind))
        snapshot = self.retriever.snapshot()
        listed = self._calls_answer(snapshot, question, lang)
        if listed is not None:
            return self._record(question, listed)
        generation = self._generation(question, lang)
        search = generation.condensed if generation and generation.condensed else text
        hits, confident = self._retrieve(snapshot, search, lang, question)
        if not confident and search == text and len(words(text)) <= FOLLOW_UP_WORDS:
            previous = self._previous_question(question)
            if previous:  # a follow-up ("og i Sverige?") is read together with the question before it
                hits, confident = self._retrieve(snapshot, follow_up_query(previous, text), lang, question)
        mentors = match_mentors(
            self.mentors, hits if confident else [], lang, text, question.region, self.policy.max_mentors
        )
        organisations = self._organisations(topic_weights(hits if confident else []), lang, question)
        if not confident:
            declined = self._declined(text, lang, mentors, organisations)
            return self._record(question, self._with_usage(declined, generation))
        if generation is None:
            composition = self.composer.compose(text, lang, hits, snapshot.term_weight)
        else:
            composition = self._generated(text, lang, hits, snapshot, generation, on_text)
            if composition.kind == "declined":  # the model found the passages do not answer it
                declined = self._declined(text, lang, mentors, organisations)
                return self._record(question, self._with_usage(declined, generation))
        answer = Answer(
            question=text,
            language=lang,
            answer=composition.text,
            confident=True,
            sources=self._sources(hits, composition.quoted, composition.cited),
            mentors=[m.ref() for m in mentors],
            read_next=self._read_next(snapshot, hits, lang),
            composer=composition.composer,
            organisations=organisations,
        )
        if composition.kind == "clarify":
            answer = replace(answer, kind="clarify", sources=[], read_next=[])
        answer = replace(answer, citations=list(composition.citations))
        return self._record(question, self._with_usage(answer, generation))

    def _declined(self, text: str, lang: str, mentors: list[Mentor], organisations: list[OrganisationRef]) -> Answer:
        reply = self.translator.translate(
            lang,
            "I did not find this in the course material, so I will not guess. A mentor can help you further, "
            "and I have passed your question on to the team.",
        )
        return Answer(text, lang, reply, False, mentors=[m.ref() for m in mentors], kind="declined",
                      organisations=organisations)

    def _generation(self, question: Question, lang: str) -> Generation | None:
        """The language-model context of a question (None without a model): today's budget, the conversation's
        history and, for a short question in a conversation, its condensed standalone form."""
        writer = getattr(self.composer, "writer", None)
        if writer is None:
            return None
        generation = Generation()
        generation.over_budget = self.budget.exceeded(question) if self.budget is not None else None
        if self.records is None or not question.conversation_id or generation.over_budget:
            return generation
        history = self._safely(self.records.history, question.channel, question.conversation_id,
                               self.policy.history_turns) or []
        generation.history = [(h.question, h.answer) for h in history]
        if generation.history and len(words(question.text)) <= CONDENSE_WORDS:
            generation.deadline = writer.deadline()
            try:
                condensed = writer.condense(question.text, lang, generation.history, generation.deadline)
            except LLMFailure as failure:
                log.warning("condensing a follow-up failed (%s); searching for it as asked", failure.reason)
                generation.prompt_tokens += failure.prompt_tokens
                generation.completion_tokens += failure.completion_tokens
            else:
                generation.prompt_tokens += condensed.prompt_tokens
                generation.completion_tokens += condensed.completion_tokens
                if condensed.text.strip().lower() != question.text.strip().lower():
                    generation.condensed = condensed.text
        return generation

    def _generated(self, text: str, lang: str, hits: list[Hit], snapshot: IndexSnapshot, generation: Generation,
                   on_text: Callable[[str], None] | None) -> Composition:
        """The model's answer (or the extractive one with a note when today's budget is used up)."""
        composition = self.composer.compose(
            text, lang, hits, snapshot.term_weight, history=generation.history, deadline=generation.deadline,
            on_text=on_text, generate=not generation.over_budget)
        generation.prompt_tokens += composition.prompt_tokens
        generation.completion_tokens += composition.completion_tokens
        if generation.over_budget:
            note = self.translator.translate(lang, BUDGET_NOTES[generation.over_budget])
            composition = replace(composition, text=f"{composition.text}\n\n{note}", composer="extractive-budget")
        return composition

    @staticmethod
    def _with_usage(answer: Answer, generation: Generation | None) -> Answer:
        if generation is None:
            return answer
        return replace(answer, condensed=generation.condensed, prompt_tokens=generation.prompt_tokens,
                       completion_tokens=generation.completion_tokens)

    def language_of(self, question: Question) -> str:
        """The answer language: an explicit choice (the request's, then the user's stored preference), else the
        detected language, with the platform locale or the conversation's last language settling close calls."""
        if question.lang:
            return question.lang
        if self.records is not None and question.user_id:
            preferred = self._safely(self.records.preferred_language, question.channel, question.user_id)
            if preferred:
                return preferred
        hint = question.lang_hint
        if hint is None and self.records is not None and question.conversation_id:
            hint = self._safely(self.records.last_language, question.channel, question.conversation_id)
        return self.detector.detect(clean_text(question.text)[:500], hint).language

    def notice(self, question: Question, lang: str, error: str) -> Answer:
        """A fixed reply for a question that gets no answer from the material (see NOTICES)."""
        reply = self.translator.translate(lang, NOTICES[error], limit=self.policy.max_question_chars)
        return Answer(question.text[:200], lang, reply, False, kind="error", composer="fixed", error=error)

    def _retrieve(self, snapshot: IndexSnapshot, text: str, lang: str, question: Question) -> tuple[list[Hit], bool]:
        hits = self._usable(self.retriever.search(snapshot, text, lang, self.policy.k, question.filters))
        return hits, bool(hits) and self._covered(snapshot, text, lang, hits)

    def _covered(self, snapshot: IndexSnapshot, text: str, lang: str, hits: list[Hit]) -> bool:
        """Whether the material covers the question: judged on the evidence, whatever language it is in."""
        policy = self.policy
        best_dense = max(h.dense for h in hits)
        if not snapshot.has_material_in(readable_by(lang)):
            return best_dense >= policy.cross_lingual_threshold
        if best_dense >= policy.confidence_threshold:
            return True
        # A passage in a language the asker does not write (a Danish page for a Swedish question): similarity
        # across languages runs lower than within one, so it is held to the cross-lingual bar. Any of the hits
        # counts, not only the first: that the asker's own version of a text ranks above it takes nothing away.
        readable = readable_by(lang)
        if any(h.chunk.lang not in readable and h.dense >= policy.cross_lingual_threshold for h in hits):
            return True
        if best_dense < policy.supported_threshold:
            return False
        # A name the material holds in few places ("SING", "ExpandE"), found in the best passage, is evidence
        # enough: the question's other words may be ones the material does not use ("forkortelsen").
        if holds_names(hits[0].chunk.text, snapshot.lexical.rare_names(text)):
            return True
        return snapshot.coverage(text, lang) >= policy.coverage_threshold

    def _previous_question(self, question: Question) -> str | None:
        if self.records is None or not question.conversation_id:
            return None
        history = self._safely(self.records.history, question.channel, question.conversation_id, self.policy.history_turns)
        return history[-1].question if history else None

    def _usable(self, hits: list[Hit]) -> list[Hit]:
        """Drop material whose `valid_until` date has passed."""
        today = self.today().isoformat()
        return [h for h in hits if not h.chunk.valid_until or h.chunk.valid_until >= today]

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def _organisations(self, topics: dict[str, float], lang: str, question: Question) -> list[OrganisationRef]:
        found = match_organisations(self.organisations, topics, lang, question.text, question.region,
                                    self.policy.max_organisations)
        return [o.ref(lang) for o in found]

    def _calls_answer(self, snapshot: IndexSnapshot, question: Question, lang: str) -> Answer | None:
        """The open calls, soonest deadline first, when the question asks what one can apply for now; a note that
        a call has closed (and what is open instead) when the question names a closed one; else None."""
        text, today = question.text, self.today()
        closed = calls.named_closed_call(snapshot.calls, text, lang, today)
        if closed is None and not calls.asks_for_open_calls(text):
            return None
        listed = calls.open_calls(snapshot.calls, lang, text, today)
        if closed is None and not listed:
            return None
        t = self.translator
        lines = []
        if closed is not None:
            lines.append(t.translate(lang, "“{title}” closed on {date}; it is not open for applications now.",
                                     title=closed.chunk.title, date=t.date(lang, closed.until)))
        if listed:
            lines.append(t.translate(lang, "Open now, soonest deadline first:"))
            for call in listed:
                when = t.date(lang, call.until)
                due = (t.translate(lang, "rolling, apply any time (checked until {date})", date=when) if call.chunk.rolling
                       else t.translate(lang, "apply by {date}", date=when))
                lines.append(f"• {call.chunk.title} — {due}")
            lines.append(t.translate(lang, "Check the terms at each source before you apply; calls change."))
        shown = ([closed] if closed is not None else []) + listed
        funding = {"funding": 1.0}
        return Answer(
            question=text,
            language=lang,
            answer="\n".join(lines),
            confident=True,
            sources=[Source(c.chunk.doc_id, c.chunk.title, c.chunk.path, c.chunk.url, None, 1.0) for c in shown],
            mentors=[m.ref() for m in match_mentors(self.mentors, [], lang, text, question.region,
                                                    self.policy.max_mentors, topics=funding)],
            read_next=self._read_next_for_topic(snapshot, "funding", lang),
            composer="calls",
            organisations=self._organisations(funding, lang, question),
        )

    def _read_next_for_topic(self, snapshot: IndexSnapshot, topic: str, lang: str) -> list[ModulePointer]:
        """The course module on `topic`, in the asker's language when that version exists."""
        modules = [c for c in snapshot.documents.values() if topic_of(c.doc_id) == topic]
        order = {code: position for position, code in enumerate(readable_by(lang))}
        modules.sort(key=lambda c: (order.get(c.lang, 99), c.doc_id))
        return [ModulePointer(c.doc_id, c.title, c.module or 0, self._link(c)) for c in modules[:1]]

    def _sources(self, hits: list[Hit], quoted: str | None, cited: tuple[str, ...] = ()) -> list[Source]:
        """One source per document, best first; the document the answer quotes leads. A generated answer's cited
        documents come first, in the order its markers number them ([1] is the first), and all of them stay."""
        sources: dict[str, Source] = {}
        order = {doc: position for position, doc in enumerate(cited)}
        for hit in sorted(hits, key=lambda h: (order.get(h.chunk.doc_id, len(order)), h.chunk.doc_id != quoted)):
            c = hit.chunk
            if c.doc_id not in sources:
                module = str(c.module) if c.module else None
                sources[c.doc_id] = Source(c.doc_id, c.title, c.path, c.url, module, round(hit.score, 6))
        return list(sources.values())[: max(self.policy.max_sources, len(cited))]

    def _read_next(self, snapshot: IndexSnapshot, hits: list[Hit], lang: str) -> list[ModulePointer]:
        """Course modules behind the best hits, in the asker's language when that version exists (a version of the
        same text: the Swedish module on legal forms is another text, about Sweden, not the Norwegian one's)."""
        pointers: list[ModulePointer] = []
        for hit in hits:
            topic = topic_of(hit.chunk.doc_id)
            if topic is None or any(topic_of(p.id) == topic for p in pointers):
                continue
            versions = snapshot.versions_of(hit.chunk)
            chunk = next((versions[l] for l in readable_by(lang) if l in versions), hit.chunk)
            pointers.append(ModulePointer(chunk.doc_id, chunk.title, chunk.module or 0, self._link(chunk)))
            if len(pointers) == self.policy.max_read_next:
                break
        return pointers

    def _link(self, chunk: Chunk) -> str | None:
        """The document's own URL, else its page on this service when a public base URL is configured."""
        if chunk.url:
            return chunk.url
        return f"{self.policy.public_base_url.rstrip('/')}/read/{chunk.doc_id}" if self.policy.public_base_url else None

    def _smalltalk(self, question: Question, lang: str, kind: str) -> Answer:
        if kind == "greeting":
            reply = self.translator.translate(lang, "Hi! I am Veiviser. I help you start and run a social enterprise in Norway and Sweden. "
                            "Ask me about legal forms, funding, selling to municipalities, impact or volunteers.")
        elif kind == "thanks":
            reply = self.translator.translate(lang, "You are welcome! Ask again whenever you need to.")
        else:
            reply = self.translator.translate(lang, "I answer questions about starting a social enterprise in Norway and Sweden from the "
                            "course material: legal forms and registration, funding, public procurement, impact, "
                            "governance and more. I point you to the module to read next and to a mentor who can "
                            "help. Just ask in your own words.")
        return Answer(question.text, lang, reply, True, kind="smalltalk", composer="fixed")

    def _record(self, question: Question, answer: Answer) -> Answer:
        """Record the turn and return the answer carrying its id; a database that fails costs the record, not the
        answer."""
        if self.records is None:
            return answer
        turn_id = self._safely(self.records.record_turn, question, answer)
        return replace(answer, turn_id=turn_id) if turn_id else answer

    @staticmethod
    def _safely(call, *args):  # noqa: ANN001, ANN205 - a records method and its arguments
        try:
            return call(*args)
        except Exception as exc:  # noqa: BLE001 - the database is down: answer without the record
            log.warning("the database did not answer (%s: %s)", exc.__class__.__name__, str(exc)[:200])
            return None
