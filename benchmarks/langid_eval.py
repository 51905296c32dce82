"""Language identification: our detector (`bot.language`) against lingua alone, on sentences and chat-length snippets.

Data and fixed rules (nothing here is random, so every run measures the same strings):

* Sentences: `<shared>/langid/ud_dev.jsonl` (UD dev treebanks; rows have "text" and "lang").
* Split: `sha256(text)` read as an integer; even -> *tuning half*, odd -> *reporting half*.
  Detector changes (markers, endings, weights) are tuned on the tuning half only; the README
  shows the reporting half. Equal texts always land in the same half.
* Snippets: the words of a sentence are its runs of letters (`[^\\W\\d_]+`: punctuation, digits and
  underscores are dropped, so "Aker-Brygge" gives two words). For an n-word snippet (n = 2, 3) a
  sentence with fewer than n words is skipped; otherwise the snippet is the n consecutive words
  starting at `sha256(f"{n}:{text}") mod (words - n + 1)`, joined by one space, case kept.
* Own questions: `knowledge/eval/questions.jsonl` rows ("lang", "question") of 2-8 whitespace-separated
  words, all of them. They were not used to tune weights or margins (the English function words in
  `bot/language_markers.py` were added after two English questions naming Swedish things were misread).
* Lingua alone: lingua restricted to the same five languages (nb, nn, sv, da, en), high-accuracy mode,
  `detect_language_of`; no markers, no prior, no hint. A `None` answer counts as wrong.
* Timing: mean wall-clock microseconds per `detect` call (ours) or `detect_language_of` call (lingua),
  per set of the reporting half: the fastest of three passes after the accuracy pass (models loaded,
  caches warm; the fastest pass is the least disturbed by other work on the machine).

Run: `.venv/bin/python -m benchmarks.langid_eval [--shared ../shared/benchmarks]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

LANGS = ("nb", "nn", "sv", "da", "en")
SETS = ("sentences", "3-word", "2-word")
SNIPPET_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
DEFAULT_QUESTIONS = Path("knowledge/eval/questions.jsonl")
TIMING_PASSES = 3


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), 16)


def half_of(text: str) -> str:
    """'tune' for an even sha256 of the text, 'report' for an odd one."""
    return "tune" if _hash(text) % 2 == 0 else "report"


def snippet(text: str, n: int) -> str | None:
    """The fixed n-word snippet of a sentence (see the module docstring), or None when it is too short."""
    words = SNIPPET_WORD_RE.findall(text)
    if len(words) < n:
        return None
    start = _hash(f"{n}:{text}") % (len(words) - n + 1)
    return " ".join(words[start:start + n])


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def ud_items(shared: Path) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """{half: {set: [(text, lang), ...]}} for the UD dev sentences and their snippets."""
    items: dict[str, dict[str, list[tuple[str, str]]]] = {h: {s: [] for s in SETS} for h in ("tune", "report")}
    for row in _read_jsonl(shared / "langid" / "ud_dev.jsonl"):
        text, lang = row["text"], row["lang"]
        sets = items[half_of(text)]
        sets["sentences"].append((text, lang))
        for n in (3, 2):
            cut = snippet(text, n)
            if cut is not None:
                sets[f"{n}-word"].append((cut, lang))
    return items


def question_items(questions: Path | None) -> list[tuple[str, str]]:
    if questions is None or not questions.exists():
        return []
    return [(r["question"], r["lang"]) for r in _read_jsonl(questions) if 2 <= len(r["question"].split()) <= 8]


def lingua_alone() -> Callable[[str], str | None]:
    """lingua restricted to the five languages, nothing else."""
    from lingua import Language, LanguageDetectorBuilder

    codes = {Language.BOKMAL: "nb", Language.NYNORSK: "nn", Language.SWEDISH: "sv", Language.DANISH: "da",
             Language.ENGLISH: "en"}
    detector = LanguageDetectorBuilder.from_languages(*codes).build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return codes.get(found) if found is not None else None

    return detect


def _measure(detect: Callable[[str], str | None], items: list[tuple[str, str]], timed: bool) -> tuple[dict, float]:
    """Accuracy per language, and mean microseconds per call (the fastest of a few further passes)."""
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for text, lang in items:
        right[lang][0] += detect(text) == lang
        right[lang][1] += 1
    elapsed = []
    for _ in range(TIMING_PASSES if timed else 0):
        start = time.perf_counter_ns()
        for text, _ in items:
            detect(text)
        elapsed.append(time.perf_counter_ns() - start)
    per_lang = {lang: {"accuracy": round(r / n, 4), "n": n} for lang, (r, n) in right.items()}
    return per_lang, (min(elapsed) / len(items) / 1000 if elapsed and items else 0.0)


def _compare(ours: Callable[[str], str], lingua: Callable[[str], str | None],
             items: list[tuple[str, str]], timing: dict, name: str, timed: bool = True) -> dict:
    mine, mine_us = _measure(ours, items, timed)
    theirs, theirs_us = _measure(lingua, items, timed)
    if timed:
        timing.setdefault("ours", {})[name] = round(mine_us, 1)
        timing.setdefault("lingua", {})[name] = round(theirs_us, 1)
    return {lang: {"ours": mine[lang]["accuracy"], "lingua": theirs[lang]["accuracy"], "n": mine[lang]["n"]}
            for lang in LANGS if lang in mine}


def language_id(shared: Path, questions: Path | None = DEFAULT_QUESTIONS, *, detector=None) -> dict:  # noqa: ANN001
    """Accuracy per language of our detector and of lingua alone, both UD halves plus the own questions."""
    if detector is None:
        from bot.language import LanguageDetector

        detector = LanguageDetector()
    ours = lambda text: detector.detect(text).language  # noqa: E731
    lingua = lingua_alone()
    items = ud_items(shared)
    timing: dict[str, dict[str, float]] = {}
    result: dict = {
        "split": "sha256(text) even -> tune, odd -> report; snippets at sha256('n:'+text) mod (words-n+1)",
        "report": {s: _compare(ours, lingua, items["report"][s], timing, s) for s in SETS},
        "tune": {s: _compare(ours, lingua, items["tune"][s], {}, s, timed=False) for s in SETS},
    }
    own = question_items(questions)
    result["own_questions"] = _compare(ours, lingua, own, timing, "own questions") if own else {}
    result["microseconds_per_call"] = timing
    return result


def _cell(entry: dict | None) -> str:
    if not entry:
        return "–"
    ours, theirs = entry["ours"], entry["lingua"]
    mark = "**" if ours > theirs else ""
    return f"{mark}{ours:.3f}{mark} / {theirs:.3f}"


def render_language_id(result: dict, half: str = "report") -> list[str]:
    """Markdown lines: accuracy of ours / lingua alone per language and set (the reporting half by default)."""
    sets = result[half]
    own = result.get("own_questions") or {}
    lines = [
        f"Language identification, ours / lingua alone (UD dev, {'tuning' if half == 'tune' else 'reporting'} half; n sentences / 3-word / 2-word "
        "snippets in brackets; bold where ours is ahead):",
        "",
        "| language | UD sentences | UD 3-word snippets | UD 2-word snippets | own questions of 2–8 words |",
        "|---|---|---|---|---|",
    ]
    for lang in LANGS:
        if not any(lang in sets[s] for s in SETS) and lang not in own:
            continue
        ns = "/".join(str(sets[s][lang]["n"]) for s in SETS if lang in sets[s])
        label = f"{lang} ({ns})" if ns else lang
        own_cell = f"{_cell(own.get(lang))} (n={own[lang]['n']})" if lang in own else "–"
        lines.append(f"| {label} | {_cell(sets['sentences'].get(lang))} | {_cell(sets['3-word'].get(lang))} "
                     f"| {_cell(sets['2-word'].get(lang))} | {own_cell} |")
    timing = result.get("microseconds_per_call", {})
    if timing and half == "report":
        parts = [f"{name} {timing['ours'][name]:.0f} µs (lingua alone {timing['lingua'][name]:.0f} µs)"
                 for name in timing.get("ours", {})]
        lines += ["", "Mean time per detection: " + "; ".join(parts) + "."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/benchmarks"))
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    args = parser.parse_args()
    result = language_id(args.shared, args.questions)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print()
    print("\n".join(render_language_id(result)))
    print()
    print("\n".join(render_language_id(result, "tune")))


if __name__ == "__main__":
    main()
