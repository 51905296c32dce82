"""The figures of the Overview page, computed from the recorded turns of the last days."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Mapping

from bot.models import Chunk

ANSWERABLE = ("answer", "declined")  # smalltalk and error notices are not questions the material could answer


@dataclass
class Overview:
    days: list[date]
    per_day: dict[date, Counter]  # channel -> questions
    channels: list[str]
    questions: int
    answered: int
    languages: Counter
    cited: Counter  # label of a module or document -> times cited

    @property
    def answer_rate(self) -> float:
        """Percent of the questions the material could cover that were answered."""
        return 100.0 * self.answered / self.questions if self.questions else 0.0


def overview(turns: list[dict], documents: Mapping[str, Chunk], today: date, days: int,
             module_label: str) -> Overview:
    """`turns` from `StaffRecords.turns_since`; `module_label` is a msgid-filled "Module {number}: {title}"."""
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    per_day: dict[date, Counter] = {day: Counter() for day in span}
    channels: Counter = Counter()
    languages: Counter = Counter()
    cited: Counter = Counter()
    questions = answered = 0
    for turn in turns:
        moment: datetime = turn["created_at"]
        day = moment.date()
        if day in per_day:
            per_day[day][turn["channel"]] += 1
        channels[turn["channel"]] += 1
        languages[turn["language"]] += 1
        if turn["kind"] in ANSWERABLE:
            questions += 1
            answered += bool(turn["kind"] == "answer" and turn["confident"])
        for doc_id in turn["source_ids"] or []:
            chunk = documents.get(doc_id)
            if chunk is None:
                cited[doc_id] += 1
            elif chunk.module:
                cited[module_label.format(number=chunk.module, title=chunk.title)] += 1
            else:
                cited[chunk.title] += 1
    return Overview(span, per_day, [c for c, _ in channels.most_common()], questions, answered, languages, cited)
