"""When a channel that cannot stream tokens (Telegram, Slack) edits its placeholder with the answer written so far:
a few times, not per token."""

from __future__ import annotations

import time
from typing import Callable

EDIT_EVERY_S = 1.5  # at least this long between two edits of one placeholder
MAX_EDITS = 4  # edits while the answer is written (the final answer is one more)
MIN_CHARS = 40  # a preview shorter than this is not worth an edit
MAX_PREVIEW_CHARS = 3000
CONTINUES = " …"


class PreviewEdits:
    """Decides which previews of one answer are shown: grown by a sentence's worth, at most `max_edits`, spaced by
    `every_s`."""

    def __init__(self, every_s: float = EDIT_EVERY_S, max_edits: int = MAX_EDITS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self.max_edits = max_edits
        self._clock = clock
        self._last_at: float | None = None
        self._last_text = ""
        self.edits = 0

    def due(self, text: str) -> str | None:
        """The text to show now (cut to fit, marked as continuing), or None when this preview is skipped."""
        now = self._clock()
        if (self.edits >= self.max_edits or len(text) < MIN_CHARS or len(text) < len(self._last_text) + MIN_CHARS // 2
                or self._last_at is not None and now - self._last_at < self.every_s):
            return None
        self._last_at, self._last_text = now, text
        self.edits += 1
        return text[:MAX_PREVIEW_CHARS] + CONTINUES
