"""The one core every channel calls: `Assistant.answer(Question) -> Answer`."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from bot import smalltalk
from bot.compose import Composer
from bot.conversations import ConversationStore
from bot.i18n import Translator
from bot.language import LanguageDetector, readable_by
from bot.mentors import Mentor, match_mentors, topic_of
from bot.models import Answer, Hit, ModulePointer, Question, Source
from bot.retrieval import Retriever

log = logging.getLogger(__name__)


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
    max_sources: int = 3
    max_mentors: int = 2
    max_read_next: int = 2


class Assistant:
    """Detects the language, retrieves, composes, attaches modules and mentors, records the turn."""

    def __init__(
        self,
        retriever: Retriever,
        detector: LanguageDetector,
        translator: Translator,
        composer: Composer,
        mentors: list[Mentor],
        conversations: ConversationStore | None,
        policy: AnswerPolicy,
        today: dt.date | None = None,
    ) -> None:
        self.retriever = retriever
        self.detector = detector
        self.translator = translator
        self.composer = composer
        self.mentors = mentors
        self.conversations = conversations
        self.policy = policy
        self._today = today

    def answer(self, question: Question) -> Answer:
        """Answer one question in the asker's language; never raises for bad input."""
        text = question.text.strip()
        lang = question.lang or self._detect(text[:500], question)
        if not text:
            return self._record(question, self._notice(question, lang, self.translator.translate(
                lang, "Please write a question.")))
        if len(text) > self.policy.max_question_chars:
            return self._record(question, self._notice(question, lang, self.translator.translate(
                lang, "Your message is too long ({limit} characters at most). Please shorten it.",
                limit=self.policy.max_question_chars,
            )))
        kind = smalltalk.classify(text)
        if kind:
            return self._record(question, self._smalltalk(question, lang, kind))
        hits = self._usable(self.retriever.search(text, lang, self.policy.k, question.filters))
        confident = bool(hits) and self._covered(text, lang, max(h.dense for h in hits))
        mentors = match_mentors(
            self.mentors, hits if confident else [], lang, text, question.region, self.policy.max_mentors
        )
        if not confident:
            reply = self.translator.translate(
                lang,
                "I did not find this in the course material, so I will not guess. A mentor can help you further, "
                "and I have passed your question on to the team.",
            )
            answer = Answer(text, lang, reply, False, mentors=[m.ref() for m in mentors], kind="declined")
            return self._record(question, answer)
        composition = self.composer.compose(text, lang, hits)
        answer = Answer(
            question=text,
            language=lang,
            answer=composition.text,
            confident=True,
            sources=self._sources(hits),
            mentors=[m.ref() for m in mentors],
            read_next=self._read_next(hits, lang),
            composer=composition.composer,
        )
        return self._record(question, answer)

    def _covered(self, text: str, lang: str, best_dense: float) -> bool:
        policy = self.policy
        if not self.retriever.has_material_in(readable_by(lang)):
            return best_dense >= policy.cross_lingual_threshold
        if best_dense >= policy.confidence_threshold:
            return True
        return best_dense >= policy.supported_threshold and self.retriever.coverage(text, lang) >= policy.coverage_threshold

    def _detect(self, text: str, question: Question) -> str:
        hint = question.lang_hint
        if hint is None and self.conversations is not None:
            hint = self.conversations.last_language(question.conversation_id)
        return self.detector.detect(text, hint).language

    def _usable(self, hits: list[Hit]) -> list[Hit]:
        """Drop material whose `valid_until` date has passed."""
        today = (self._today or dt.date.today()).isoformat()
        return [h for h in hits if not h.chunk.valid_until or h.chunk.valid_until >= today]

    def _sources(self, hits: list[Hit]) -> list[Source]:
        sources: dict[str, Source] = {}
        for hit in hits:
            c = hit.chunk
            if c.doc_id not in sources:
                module = str(c.module) if c.module else None
                sources[c.doc_id] = Source(c.doc_id, c.title, c.path, c.url, module, round(hit.score, 6))
        return list(sources.values())[: self.policy.max_sources]

    def _read_next(self, hits: list[Hit], lang: str) -> list[ModulePointer]:
        """Course modules behind the best hits, in the asker's language when that version exists."""
        documents = self.retriever.documents()
        pointers: list[ModulePointer] = []
        for hit in hits:
            topic = topic_of(hit.chunk.doc_id)
            if topic is None or any(topic_of(p.id) == topic for p in pointers):
                continue
            prefix = hit.chunk.doc_id.rsplit("-", 1)[0]
            versions = [documents[f"{prefix}-{l}"] for l in readable_by(lang) if f"{prefix}-{l}" in documents]
            chunk = versions[0] if versions else hit.chunk
            pointers.append(ModulePointer(chunk.doc_id, chunk.title, chunk.module or 0, self._link(chunk)))
            if len(pointers) == self.policy.max_read_next:
                break
        return pointers

    def _link(self, chunk) -> str | None:  # noqa: ANN001 - a Chunk
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
        return Answer(question.text.strip(), lang, reply, True, kind="smalltalk", composer="fixed")

    @staticmethod
    def _notice(question: Question, lang: str, reply: str) -> Answer:
        return Answer(question.text.strip()[:200], lang, reply, False, kind="error", composer="fixed")

    def _record(self, question: Question, answer: Answer) -> Answer:
        if self.conversations is not None:
            try:
                self.conversations.record(question, answer)
            except Exception:  # noqa: BLE001 - a full disk must not cost the asker the answer
                log.exception("could not record the conversation turn")
        return answer
