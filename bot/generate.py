"""Answers written by the language model: prompts filled from `prompts/`, passages as untrusted numbered data, the
reply grounded (citations mapped, leaks and uncited facts refused), follow-ups condensed for retrieval."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from langchain_core.messages import HumanMessage, SystemMessage

from bot.grounding import Grounded, ground, history_block, leaks, passages_block, preview, question_block
from bot.llm import ChatClient, LLMFailure
from bot.models import Hit
from bot.prompts import Prompts

log = logging.getLogger(__name__)
MAX_CONDENSED_CHARS = 300
MAX_REPLY_CHARS = 4000


@dataclass(frozen=True)
class Written:
    grounded: Grounded
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Condensed:
    text: str
    prompt_tokens: int
    completion_tokens: int


class AnswerWriter:
    """Writes grounded answers and standalone questions through a `ChatClient`; raises `LLMFailure` with the reason
    when the reply cannot be used (the caller answers extractively)."""

    def __init__(self, client: ChatClient, prompts: Prompts, passages: int = 5, deadline_s: float = 25.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.prompts = prompts
        self.passages = passages
        self.deadline_s = deadline_s
        self._clock = clock

    def deadline(self) -> float:
        """The monotonic time by which all model calls for a question started now must be done."""
        return self._clock() + self.deadline_s

    def _messages(self, purpose: str, lang: str, **values: str) -> tuple[list, str]:
        try:
            system = self.prompts.text("system", lang)
            human = self.prompts.render(purpose, lang, **values)
        except OSError as exc:
            self.client.stats.record("prompt")
            raise LLMFailure("prompt", f"{type(exc).__name__}: {getattr(exc, 'filename', '')}") from exc
        return [SystemMessage(system), HumanMessage(human)], system

    def condense(self, question: str, lang: str, history: list[tuple[str, str]], deadline: float) -> Condensed:
        """The follow-up `question` rewritten as one standalone question, from the conversation's earlier turns."""
        messages, system = self._messages("condense", lang, history=history_block(history).strip(),
                                          question=question_block(question))
        reply = self.client.complete(messages, deadline)
        text = " ".join(reply.text.split())
        if not text or len(text) > MAX_CONDENSED_CHARS or leaks(text, system):
            self.client.stats.record("invalid", reply.prompt_tokens, reply.completion_tokens, reply.seconds)
            raise LLMFailure("invalid", f"a condensed question of {len(text)} characters", reply.prompt_tokens,
                             reply.completion_tokens)
        self.client.stats.record("ok", reply.prompt_tokens, reply.completion_tokens, reply.seconds)
        return Condensed(text, reply.prompt_tokens, reply.completion_tokens)

    def write(self, question: str, lang: str, hits: list[Hit], history: list[tuple[str, str]], deadline: float,
              on_text: Callable[[str], None] | None = None) -> Written:
        """A grounded answer from the first `passages` hits; `on_text` gets a clean preview while it streams."""
        hits = hits[: self.passages]
        clarify = self.prompts.text("clarify", lang) if _exists(self.prompts, "clarify", lang) else ""
        messages, system = self._messages("answer", lang, history=history_block(history),
                                          passages=passages_block(hits), question=question_block(question),
                                          clarify=clarify)
        shown = [""]

        def show(raw: str) -> None:
            text = preview(raw)
            if text != shown[0] and not leaks(text, system):
                shown[0] = text
                on_text(text)

        reply = self.client.complete(messages, deadline, show if on_text else None)
        try:
            grounded = self._check(reply.text, hits, system)
        except LLMFailure as failure:
            self.client.stats.record(failure.reason, reply.prompt_tokens, reply.completion_tokens, reply.seconds)
            raise LLMFailure(failure.reason, "", reply.prompt_tokens, reply.completion_tokens) from None
        self.client.stats.record("ok", reply.prompt_tokens, reply.completion_tokens, reply.seconds)
        return Written(grounded, reply.prompt_tokens, reply.completion_tokens)

    @staticmethod
    def _check(text: str, hits: list[Hit], system: str) -> Grounded:
        """The reply grounded, or `LLMFailure` (counted) when it is empty, too long, leaks the instructions or
        states something without citing a supplied passage."""
        reason = None
        if not text.strip():
            reason = "empty"
        elif leaks(text, system):
            reason = "leak"
        elif len(text) > MAX_REPLY_CHARS or "<passage" in text.lower():
            reason = "invalid"
        grounded = ground(text, hits) if reason is None else None
        if grounded is not None and grounded.kind == "answer" and not grounded.text:
            reason = "empty"
        elif grounded is not None and grounded.kind == "answer" and not grounded.citations:
            reason = "uncited"
        if reason:
            raise LLMFailure(reason)
        if grounded.dropped:
            log.info("dropped %d citation(s) of passages that were not supplied", grounded.dropped)
        return grounded


def _exists(prompts: Prompts, purpose: str, lang: str) -> bool:
    try:
        prompts.text(purpose, lang)
        return True
    except OSError:
        return False
