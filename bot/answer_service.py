"""The async entry point of the assistant: blocking work runs in a bounded worker pool under an overall deadline,
so a slow model or store never stalls the event loop (health checks, webhooks, other askers)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from bot.assistant import Assistant
from bot.models import Answer, Question

log = logging.getLogger(__name__)


class AnswerService:
    """`await service.answer(question)` from any channel; always returns an `Answer`, never raises."""

    def __init__(self, assistant: Assistant, workers: int = 4, deadline_s: float = 30.0) -> None:
        self.assistant = assistant
        self.deadline_s = deadline_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="veiviser-answer")

    async def answer(self, question: Question) -> Answer:
        """The assistant's answer, or a clear notice when it takes longer than the deadline or fails."""
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self._pool, self.assistant.answer, question), self.deadline_s
            )
        except asyncio.TimeoutError:
            log.warning("an answer took longer than %.1f s", self.deadline_s)
            return await self._notice(question, "timeout")
        except Exception as exc:  # noqa: BLE001 - the asker gets a clear message, the log gets the details
            log.error("answering failed: %s", exc.__class__.__name__, exc_info=exc)
            return await self._notice(question, "unavailable" if _is_outage(exc) else "failed")

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
