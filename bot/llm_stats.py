"""How the language model has been doing: one small thread-safe object that /healthz (and a metrics route) read."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from typing import Callable

OUTCOMES = ("ok", "timeout", "rate_limited", "server_error", "connection", "error", "empty", "invalid", "uncited",
            "leak", "deadline", "prompt")


class LLMStats:
    """Counts every model call by outcome ("ok" or the reason it was not used) and the tokens spent; the recent
    error rate covers the last `window_s` seconds."""

    def __init__(self, window_s: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 observer: Callable[[str, float | None], None] | None = None) -> None:
        self.window_s = window_s
        self._clock = clock
        self._observer = observer  # also told of every call (outcome, seconds), e.g. the Prometheus metrics
        self._lock = threading.Lock()
        self._recent: deque[tuple[float, bool]] = deque()
        self.totals: Counter[str] = Counter()  # outcome -> calls since start
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def record(self, outcome: str, prompt_tokens: int = 0, completion_tokens: int = 0,
               seconds: float | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown LLM outcome {outcome!r}")
        if self._observer is not None:
            self._observer(outcome, seconds)
        now = self._clock()
        with self._lock:
            self.totals[outcome] += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self._recent.append((now, outcome == "ok"))
            self._forget_before(now - self.window_s)

    def _forget_before(self, since: float) -> None:
        while self._recent and self._recent[0][0] < since:
            self._recent.popleft()

    def snapshot(self) -> dict:
        """{"window_s", "calls", "errors", "error_rate" (None without calls), "totals", "prompt_tokens",
        "completion_tokens"}: recent figures over the window, totals since start."""
        with self._lock:
            self._forget_before(self._clock() - self.window_s)
            calls = len(self._recent)
            errors = sum(1 for _, ok in self._recent if not ok)
            return {
                "window_s": self.window_s,
                "calls": calls,
                "errors": errors,
                "error_rate": round(errors / calls, 4) if calls else None,
                "totals": dict(self.totals),
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
            }
