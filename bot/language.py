"""Language identification for chat-length texts: nb, nn, sv, da, en.

Two sources of evidence are added up as log-scores: lingua's character n-gram models (restricted to
the five languages; log of its confidence values) and a lexicon of function words, common forms and
endings (`bot.language_markers`). Each lexicon entry names the languages that write the form, and each
of those gets `WORD_WEIGHT` (a listed word) or `ENDING_WEIGHT` (a matched ending), so a form is evidence
against the languages that do not write it.

Bokmål is the Norwegian default and Danish is rare, but both only decide close calls (no flat prior,
which would overrule lingua on every short Nynorsk or Danish text):

* Nynorsk must beat Bokmål by `NB_OVER_NN` on texts of four words or more. A Nynorsk text that long
  nearly always holds a form Bokmål does not write (ikkje, eg, ein, dei, frå, -ar plurals); when none
  was found and lingua leans only slightly to Nynorsk, the text is most likely Bokmål.
* On one to three words, Nynorsk wins unless every word is a form that both Bokmål and Nynorsk write
  ("hei", "takk for", "til å"): then the text holds no evidence beyond lingua's n-gram lean, and the
  default decides.
* Danish must beat the runner-up by `DANISH_MARGIN` at any length: few users write Danish, and Danish
  readers read Bokmål (`READS`).

A hint (user locale, previous turn, explicit choice) settles close calls. The weights and margins were
tuned on the tuning half of the UD dev sentences only (see `benchmarks/langid_eval.py`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.language_markers import WORDS, marker_languages
from bot.models import LANGUAGES

CODES = LANGUAGES  # the one list of language codes (bot.models)
WORD_WEIGHT = 2.0  # per listed word, to each language that writes it (log-score)
ENDING_WEIGHT = 1.0  # per word matched only by its ending
NB_OVER_NN = 0.3  # on texts of LONG_TEXT words or more, Nynorsk must lead Bokmål by this much
DANISH_MARGIN = 1.0  # at any length, Danish must lead the runner-up by this much
LONG_TEXT = 4
MAX_CHARS = 3000  # longer texts are cut (at a space) before detection; the language shows long before
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# Characters that are dropped before detection: zero-width and soft-hyphen characters inside words
# ("kor\u200bleis" is "korleis") and the byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# Characters replaced by a space: lone surrogates (not encodable, lingua would raise) and control characters.
_UNSAFE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The written languages a reader of each language reads comfortably, their own first.
READS = {"nb": ("nb", "nn"), "nn": ("nn", "nb"), "sv": ("sv",), "da": ("da", "nb"), "en": ("en",)}


def readable_by(lang: str) -> tuple[str, ...]:
    """Languages a reader of `lang` reads without help (Bokmål and Nynorsk readers read each other)."""
    return READS.get(lang, (lang,))


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


def clean(text: str) -> str:
    """The text as detection sees it: invisible characters dropped, unsafe ones spaced, long texts cut."""
    text = _UNSAFE.sub(" ", text.translate(_INVISIBLE))
    if len(text) > MAX_CHARS:
        cut = text.rfind(" ", 0, MAX_CHARS)
        text = text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return text


@lru_cache(maxsize=65536)
def _word_evidence(word: str) -> tuple[frozenset[str], float] | None:
    langs, by_ending = marker_languages(word)
    if not langs:
        return None
    return langs, ENDING_WEIGHT if by_ending else WORD_WEIGHT


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
        """Log-scores per language (higher is more likely); text without letters scores 0 everywhere."""
        return self._scores(clean(text))[0]

    def _scores(self, text: str) -> tuple[dict[str, float], list[str]]:
        words = WORD_RE.findall(text.lower())
        if not words:
            return {code: 0.0 for code in CODES}, words
        total = {code: 0.0 for code in CODES}
        for value in self._lingua.compute_language_confidence_values(text):
            total[self._lingua_codes[value.language]] += math.log(max(value.value, 1e-4))
        for word in words:
            evidence = _word_evidence(word)
            if evidence:
                langs, weight = evidence
                for code in langs:
                    total[code] += self.marker_weight * weight
        return total, words

    def detect(self, text: str, hint: str | None = None) -> Detection:
        """The most likely language; with a hint, the hint wins unless another language is clearly ahead."""
        scores, words = self._scores(clean(text))
        if not words:
            return Detection(hint if hint in CODES else self.default, 0.0)
        best = _close_calls(max(scores, key=scores.get), scores, words)
        if hint in CODES and hint != best and scores[best] - scores[hint] < self.hint_margin:
            best = hint
        # softmax over the log-scores gives a confidence in [0, 1]
        top = max(scores.values())
        norm = sum(math.exp(s - top) for s in scores.values())
        return Detection(best, round(math.exp(scores[best] - top) / norm, 4))


def _close_calls(best: str, scores: dict[str, float], words: list[str]) -> str:
    """Settle close calls: Danish only when clearly ahead, Bokmål over Nynorsk without Nynorsk evidence."""
    if best == "da":
        runner_up = max((code for code in CODES if code != "da"), key=scores.get)
        return "da" if scores["da"] - scores[runner_up] >= DANISH_MARGIN else runner_up
    if best == "nn":
        if len(words) >= LONG_TEXT:
            return "nb" if scores["nn"] - scores["nb"] < NB_OVER_NN else "nn"
        if all({"nb", "nn"} <= WORDS.get(word, frozenset()) for word in words):
            return "nb"
    return best
