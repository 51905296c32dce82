"""The async entry point of the assistant: blocking work runs in a bounded worker pool under an overall deadline,
so a slow model or store never stalls the event loop (health checks, webhooks, other askers). While the store or
the database is down every question gets a short localised "temporarily unavailable" at once."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import AsyncIterator, Callable

from bot import metrics
from bot.assistant import Assistant
from bot.health import AlwaysUp, DependencyMonitor
from bot.logs import request_id
from bot.models import Answer, Question

log = logging.getLogger(__name__)
NOT_RECORDED = ("unavailable", "timeout", "failed")  # notices that are never recorded as turns


class AnswerService:
    """`await service.answer(question)` from any channel; always returns an `Answer`, never raises."""

    def __init__(self, assistant: Assistant, workers: int = 4, deadline_s: float = 30.0,
                 health: DependencyMonitor | AlwaysUp | None = None) -> None:
        self.assistant = assistant
        self.deadline_s = deadline_s
        self.health = health or AlwaysUp()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="veiviser-answer")

    @property
    def streams(self) -> bool:
        """Whether answers are written while you wait (a language model), so `stream` has text to show early."""
        return bool(getattr(self.assistant.composer, "generates", False))

    async def answer(self, question: Question, on_text: Callable[[str], None] | None = None) -> Answer:
        """The assistant's answer, or a clear notice when a dependency is down, it takes too long or it fails;
        `on_text` (called in a worker thread) receives a generated answer's text while it is written."""
        started = time.perf_counter()
        if not question.request_id and request_id():
            question = replace(question, request_id=request_id())
        answer = await self._answer(question, on_text)
        metrics.answered(question.channel, answer.kind, time.perf_counter() - started)
        if answer.turn_id is None and answer.error not in NOT_RECORDED and self.assistant.records is not None:
            metrics.unrecorded_turn(question.channel)
            log.warning("the %s turn was answered but not recorded (request %s)", question.channel,
                        question.request_id or "-")
        return answer

    async def _answer(self, question: Question, on_text: Callable[[str], None] | None = None) -> Answer:
        down = self.health.down()
        if down:
            metrics.unavailable(down)
            return self._unavailable(question)
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the request id travels into the worker thread
        call = (lambda: self.assistant.answer(question, on_text)) if on_text else (lambda: self.assistant.answer(question))
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._pool, context.run, call), self.deadline_s)
        except asyncio.TimeoutError:
            log.warning("an answer took longer than %.1f s", self.deadline_s)
            return await self._notice(question, "timeout")
        except Exception as exc:  # noqa: BLE001 - the asker gets a clear message, the log gets the details
            if _is_outage(exc):
                log.warning("answering failed, a dependency is unreachable: %s", exc.__class__.__name__)
                metrics.unavailable("unknown")
                return self._unavailable(question)
            log.error("answering failed: %s", exc.__class__.__name__, exc_info=exc)
            return await self._notice(question, "failed")

    def _unavailable(self, question: Question) -> Answer:
        """The notice for an outage, in the asker's language as far as it can be told without the database."""
        lang = question.lang or self.assistant.detector.detect(question.text[:500], question.lang_hint).language
        return self.assistant.notice(question, lang, "unavailable")

    async def stream(self, question: Question) -> AsyncIterator[str | Answer]:
        """The answer's text so far (str) each time it grows while a model writes it, then the `Answer` (whose
        text is what counts: it may differ from the last preview, e.g. the extractive fallback)."""
        loop = asyncio.get_running_loop()
        texts: asyncio.Queue[str] = asyncio.Queue()
        task = asyncio.ensure_future(self.answer(question, lambda text: loop.call_soon_threadsafe(texts.put_nowait, text)))
        try:
            while not task.done():
                getter = asyncio.ensure_future(texts.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                else:
                    getter.cancel()
            yield task.result()
        finally:
            task.cancel()

    async def _notice(self, question: Question, error: str) -> Answer:
        """A localised notice; detecting the language is itself guarded (it must not fail twice)."""
        try:
            lang = await asyncio.to_thread(self.assistant.language_of, question)
        except Exception:  # noqa: BLE001
            lang = question.lang or question.lang_hint or "en"
        return self.assistant.notice(question, lang, error)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _is_outage(exc: BaseException) -> bool:
    """Whether an exception means a dependency (Chroma server, database) is unreachable rather than a bug."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ConnectionError", "OperationalError", "ConnectError", "TimeoutException", "InterfaceError"})
