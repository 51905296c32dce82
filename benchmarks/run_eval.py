"""`make eval`: retrieval on the public dev sets (fused vs dense vs lexical), language identification,
and the project's own question set (recall@3, fact coverage, mentor match, declines)."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections import defaultdict
from pathlib import Path

from benchmarks.facts import fact_coverage
from benchmarks.readme_figures import replace_section
from bot.evaluation import read_jsonl, run_beir_eval
from bot.language import LanguageDetector
from bot.models import Question
from bot.runtime import build_runtime
from bot.settings import Settings
from ingest.pipeline import Ingester

BEIR_SETS = {"norquad": "NorQuAD", "swefaq": "SweFAQ", "swequad_mc": "SweQUAD-MC"}
TARGETS = {"norquad": 0.87, "swefaq": 0.78, "swequad_mc": 0.84}
QUESTIONS = Path("knowledge/eval/questions.jsonl")


def retrieval(shared: Path, store: Path) -> dict:
    settings = Settings(_env_file=None, veiviser_store=store)
    return {
        name: run_beir_eval(settings, shared / name / "corpus.jsonl", shared / name / "queries.jsonl",
                            shared / name / "qrels.tsv")
        for name in BEIR_SETS
    }


def language_id(shared: Path) -> dict:
    detector = LanguageDetector()
    sentences: dict[str, list[bool]] = defaultdict(list)
    for row in read_jsonl(shared / "langid" / "ud_dev.jsonl"):
        sentences[row["lang"]].append(detector.detect(row["text"]).language == row["lang"])
    short: dict[str, list[bool]] = defaultdict(list)
    if QUESTIONS.exists():
        for row in read_jsonl(QUESTIONS):
            if 2 <= len(row["question"].split()) <= 8:
                short[row["lang"]].append(detector.detect(row["question"]).language == row["lang"])
    return {
        "ud_sentences": {lang: {"accuracy": round(sum(v) / len(v), 4), "n": len(v)} for lang, v in sentences.items()},
        "short_questions": {lang: {"accuracy": round(sum(v) / len(v), 4), "n": len(v)} for lang, v in short.items()},
    }


def own_questions(store: Path) -> dict:
    """The knowledge base's own questions through the real assistant (default settings, no LLM)."""
    if not QUESTIONS.exists():
        return {}
    settings = Settings(_env_file=None, veiviser_store=store, llm="")
    runtime = build_runtime(settings)
    Ingester(runtime.index, runtime.detector).run(settings.knowledge_dirs)  # evaluate the current material
    per_lang: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in read_jsonl(QUESTIONS):
        outcome = _outcome(row, runtime)
        for group in [row["lang"], "all"] + (["cross-lingual"] if row.get("cross_lingual") else []):
            for name, value in outcome.items():
                per_lang[group][name].append(value)
    runtime.close()
    order = ["nb", "nn", "sv", "en", "cross-lingual", "all"]
    return {
        group: {name: round(sum(v) / len(v), 4) for name, v in stats.items() if v} | {"n": len(stats["language_correct"])}
        for group, stats in sorted(per_lang.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)
    }


def _outcome(row: dict, runtime) -> dict[str, float]:  # noqa: ANN001 - a Runtime
    """One question through the assistant: the measures that apply to it."""
    answer = runtime.assistant.answer(Question(text=row["question"], channel="eval"))
    outcome = {"language_correct": float(answer.language == row["lang"])}
    if not row.get("expect_ids"):
        return outcome | {"declined_correctly": float(not answer.confident)}
    hits = runtime.retriever.search(row["question"], answer.language, 10)
    top_docs = list(dict.fromkeys(h.chunk.doc_id for h in hits))[:3]
    outcome["recall@3"] = float(any(i in top_docs for i in row["expect_ids"]))
    outcome["wrongly_declined"] = float(not answer.confident)
    facts = row.get("expect_facts") or []
    if facts:
        outcome["fact_coverage"] = fact_coverage(facts, answer.answer) if answer.confident else 0.0
    if row.get("expect_mentor_topic"):
        outcome["mentor_match"] = float(any(row["expect_mentor_topic"] in m.topics for m in answer.mentors))
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/benchmarks"))
    parser.add_argument("--store", type=Path, default=Path(".veiviser-bench"))
    parser.add_argument("--knowledge-store", type=Path, default=Path(".veiviser"))
    parser.add_argument("--readme", type=Path)
    args = parser.parse_args()
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "retrieval": retrieval(args.shared, args.store),
        "language_id": language_id(args.shared),
        "own_questions": own_questions(args.knowledge_store),
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.readme:
        replace_section(args.readme, "eval", render(results))


def _accuracy(entry: dict | None) -> str:
    return f"{entry['accuracy']:.3f} (n={entry['n']})" if entry else "–"


def render(r: dict) -> str:
    lines = [
        f"Measured by `make eval` on {r['machine']}; dev splits of `../shared/benchmarks`, whole corpus, "
        "nDCG@10 / recall@5 / MRR@10. *Plain RRF* is the reference fusion of `BASELINES.md`.",
        "",
        "| set | dense | lexical (BM25: stems + word beginnings) | plain RRF | **fused (default)** | target |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in BEIR_SETS.items():
        m = r["retrieval"][name]
        cell = lambda x: f"{x['ndcg@10']:.3f} / {x['recall@5']:.3f} / {x['mrr@10']:.3f}"  # noqa: E731
        lines.append(f"| {label} ({m['queries']} q, {m['corpus']:,} passages) | {cell(m['dense'])} | {cell(m['lexical'])} "
                     f"| {cell(m['rrf'])} | **{cell(m['fused'])}** | ≥ {TARGETS[name]} |")
    lid = r["language_id"]
    lines += ["", "Language identification accuracy:", "", "| language | UD dev sentences | own questions of 2–8 words |",
              "|---|---|---|"]
    for lang in ("nb", "nn", "sv", "da", "en"):
        cells = [_accuracy(lid["ud_sentences"].get(lang)), _accuracy(lid["short_questions"].get(lang))]
        lines.append(f"| {lang} | {cells[0]} | {cells[1]} |")
    if r["own_questions"]:
        lines += ["", "Own question set (`knowledge/eval/questions.jsonl`, default embedded configuration, no LLM):", "",
                  "| language | n | recall@3 | fact coverage | mentor topic | declined correctly | wrongly declined |",
                  "|---|---|---|---|---|---|---|"]
        for lang, s in r["own_questions"].items():
            get = lambda k: f"{s[k]:.3f}" if k in s else "–"  # noqa: E731
            lines.append(f"| {lang} | {s['n']} | {get('recall@3')} | {get('fact_coverage')} | {get('mentor_match')} "
                         f"| {get('declined_correctly')} | {get('wrongly_declined')} |")
        lines.append("| *target* | | ≥ 0.95 each | ≥ 0.85 | | ≥ 0.90 | < 0.05 |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
