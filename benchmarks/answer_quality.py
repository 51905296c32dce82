"""`make eval`, answer quality: the configured language model next to the extractive answer on the same questions
(the reporting half of knowledge/eval/questions.jsonl): fact coverage, citation precision, language match, decline
accuracy on uncovered questions, latency p50/p95. Skipped, with a line saying so, when no LLM is configured."""

from __future__ import annotations

import copy
import statistics
import time
from pathlib import Path

from benchmarks.facts import fact_coverage
from benchmarks.question_split import split_of
from bot.compose import Composer
from bot.evaluation import read_jsonl
from bot.models import Answer, Question
from bot.runtime import Runtime
from bot.text import stems

SUPPORTED_OVERLAP = 0.5  # a cited sentence is backed by its passage when this share of its content stems occur there
COMPOSERS = ("llm", "extractive")
SKIPPED = "answer quality: skipped (no LLM configured; set LLM=provider:model, and LLM_BASE_URL / LLM_API_KEY, to run it)"


def supported(sentence: str, passage: str, lang: str, passage_lang: str) -> bool:
    """Whether the passage contains what the sentence is cited for, judged by overlap of content-word stems (words
    in another language than the passage's match on their first five letters)."""
    wanted = {s for s in stems(sentence, lang) if len(s) > 2}
    if not wanted:
        return True
    have = set(stems(passage, passage_lang))
    prefixes = {s[:5] for s in have if len(s) >= 5}
    found = sum(1 for s in wanted if s in have or len(s) >= 5 and s[:5] in prefixes)
    return found / len(wanted) >= SUPPORTED_OVERLAP


def citation_precision(answer: Answer, runtime: Runtime) -> float | None:
    """The share of an answer's citations whose passage backs its sentence; None without citations."""
    if not answer.citations:
        return None
    chunks = runtime.retriever.snapshot().chunks
    backed = [supported(c.text, chunks[c.passage].text, answer.language, chunks[c.passage].lang)
              for c in answer.citations if c.passage in chunks]
    return sum(backed) / len(answer.citations)


def measure(row: dict, answer: Answer, seconds: float, runtime: Runtime) -> dict[str, float]:
    """The measures that apply to one answer of one question."""
    out = {"latency_s": seconds}
    covered = bool(row.get("expect_ids"))
    if not covered:
        return out | {"declined_correctly": float(not answer.confident)}
    out["wrongly_declined"] = float(not answer.confident)
    if answer.confident and answer.kind == "answer":
        out["language_match"] = float(runtime.detector.detect(answer.answer).language == row["lang"])
    if row.get("expect_facts"):
        out["fact_coverage"] = fact_coverage(row["expect_facts"], answer.answer) if answer.confident else 0.0
    precision = citation_precision(answer, runtime)
    if precision is not None:
        out["citation_precision"] = precision
    if answer.composer != "fixed":
        out["fell_back"] = float(answer.composer.startswith("extractive"))
    return out


def answer_quality(runtime: Runtime, questions: Path, split: str = "report") -> dict | None:
    """Every question of `split` answered twice, by the runtime's model and extractively; None without a model."""
    if not runtime.assistant.composer.generates:
        return None
    rows = [row for row in read_jsonl(questions) if split_of(row["id"]) == split]
    extractive = copy.copy(runtime.assistant)
    extractive.composer = Composer(runtime.translator)
    assistants = {"llm": runtime.assistant, "extractive": extractive}
    per: dict[str, dict[str, list[float]]] = {name: {} for name in COMPOSERS}
    for row in rows:
        for name, assistant in assistants.items():
            started = time.perf_counter()
            answer = assistant.answer(Question(text=row["question"], channel="eval"))
            for key, value in measure(row, answer, time.perf_counter() - started, runtime).items():
                per[name].setdefault(key, []).append(value)
    return {"model": runtime.settings.llm, "split": split, "questions": len(rows),
            **{name: summarise(values) for name, values in per.items()}}


def summarise(values: dict[str, list[float]]) -> dict:
    latencies = sorted(values.pop("latency_s", []))
    out = {key: round(sum(v) / len(v), 4) for key, v in values.items() if v}
    if latencies:
        out["latency_p50_s"] = round(statistics.median(latencies), 3)
        out["latency_p95_s"] = round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3)
    return out


def render_answer_quality(result: dict | None) -> list[str]:
    """The side-by-side table, or the line saying it was skipped."""
    if result is None:
        return [SKIPPED]
    lines = [f"Answer quality, reporting half ({result['questions']} questions), `LLM={result['model']}` next to the "
             "extractive answer on the same questions (citation precision: the cited passage shares at least half "
             "of the sentence's content words):", "",
             "| composer | fact coverage | citation precision | language match | declined correctly | wrongly "
             "declined | fell back | p50 s | p95 s |", "|---|---|---|---|---|---|---|---|---|"]
    for name in COMPOSERS:
        s = result[name]
        get = lambda k: f"{s[k]:.3f}" if k in s else "–"  # noqa: E731
        fell_back = get("fell_back") if name == "llm" else "–"
        lines.append(f"| {name} | {get('fact_coverage')} | {get('citation_precision')} | {get('language_match')} | "
                     f"{get('declined_correctly')} | {get('wrongly_declined')} | {fell_back} | "
                     f"{get('latency_p50_s')} | {get('latency_p95_s')} |")
    return lines
