"""The fixed split of the project's own questions (`knowledge/eval/questions.jsonl`) into two halves.

- "tune": the only questions anyone may look at while tuning thresholds (bot/settings.py), fusion weights
  (FusionWeights in bot/retrieval.py) or sentence weights (SentenceWeights in bot/compose.py);
- "report": the questions whose figures the README reports, never used for tuning.

The rule depends on the question id alone, never on outcomes: the SHA-256 digest of the id (UTF-8), read as
a big-endian integer, is even -> "tune", odd -> "report". A new question therefore gets its half when it is
written, and adding or removing questions never moves another question. Every row stores its half in the
field "split"; tests/unit/test_question_split.py checks that the stored value matches this rule.
"""

from __future__ import annotations

import hashlib

SPLITS = ("tune", "report")


def split_of(question_id: str) -> str:
    """The half a question belongs to: "tune" or "report" (see the module docstring for the rule)."""
    digest = hashlib.sha256(question_id.encode("utf-8")).digest()
    return "tune" if int.from_bytes(digest, "big") % 2 == 0 else "report"
