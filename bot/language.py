"""Language identification for chat-length texts: nb, nn, sv, da, en.

Two sources of evidence are added up as log-scores: lingua's character n-gram models
(restricted to the five languages) and a small lexicon of function words and endings that
tell Bokmål, Nynorsk, Danish and Swedish apart, where n-gram models are weakest on short
texts. A hint (user locale, previous turn, explicit choice) settles close calls.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

from bot.language_markers import AR_WORDS_BOKMAL, ENDINGS, MARKERS

CODES = ("nb", "nn", "sv", "da", "en")
# Who writes to the assistant: mostly Bokmål and Swedish, seldom Danish (log-score offsets).
PRIOR = {"nb": 0.3, "nn": 0.0, "sv": 0.0, "da": -0.5, "en": 0.0}
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# The written languages a reader of each language reads comfortably, their own first.
READS = {"nb": ("nb", "nn"), "nn": ("nn", "nb"), "sv": ("sv",), "da": ("da", "nb"), "en": ("en",)}


def readable_by(lang: str) -> tuple[str, ...]:
    """Languages a reader of `lang` reads without help (Bokmål and Nynorsk readers read each other)."""
    return READS.get(lang, (lang,))


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


class LanguageDetector:
    """Detects nb / nn / sv / da / en; build once and share."""

    def __init__(self, marker_weight: float = 1.0, hint_margin: float = 1.5, default: str = "nb") -> None:
        self.marker_weight = marker_weight
        self.hint_margin = hint_margin
        self.default = default

    @cached_property
    def _lingua(self):  # noqa: ANN202 - third-party type
        from lingua import Language, LanguageDetectorBuilder

        self._lingua_codes = {
            Language.BOKMAL: "nb",
            Language.NYNORSK: "nn",
            Language.SWEDISH: "sv",
            Language.DANISH: "da",
            Language.ENGLISH: "en",
        }
        return LanguageDetectorBuilder.from_languages(*self._lingua_codes).build()

    def scores(self, text: str) -> dict[str, float]:
        """Log-scores per language (higher is more likely); empty text scores 0 everywhere."""
        if not WORD_RE.search(text):
            return {code: 0.0 for code in CODES}
        total = dict(PRIOR)
        for value in self._lingua.compute_language_confidence_values(text):
            total[self._lingua_codes[value.language]] += math.log(max(value.value, 1e-4))
        for token in WORD_RE.findall(text.lower()):
            weights = MARKERS.get(token)
            if weights is None and token not in AR_WORDS_BOKMAL:
                weights = next((w for ending, w in ENDINGS if token.endswith(ending) and len(token) > len(ending) + 2), None)
            if weights:
                for code, weight in weights.items():
                    total[code] += self.marker_weight * weight
        return total

    def detect(self, text: str, hint: str | None = None) -> Detection:
        """The most likely language; with a hint, the hint wins unless another language is clearly ahead."""
        if not WORD_RE.search(text):
            return Detection(hint if hint in CODES else self.default, 0.0)
        scores = self.scores(text)
        ranked = sorted(scores, key=scores.get, reverse=True)
        best = ranked[0]
        if hint in CODES and hint != best and scores[best] - scores[hint] < self.hint_margin:
            best = hint
        # softmax over the log-scores gives a confidence in [0, 1]
        top = max(scores.values())
        norm = sum(math.exp(s - top) for s in scores.values())
        return Detection(best, round(math.exp(scores[best] - top) / norm, 4))
