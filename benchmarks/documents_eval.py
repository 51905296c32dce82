"""End-to-end on real text: the NorQuAD and SweQUAD-MC dev articles as whole plain-text files, ingested beside
`knowledge/` by the real ingest, their questions asked through the assistant (default settings, no LLM).

Per set and per half of the questions (`split_of` on the question id, the rule of benchmarks/question_split.py):
the share with the right article among the first three documents retrieved, the share whose answer holds the
gold short answer (whole words, benchmarks/facts.py; a declined answer holds nothing), and the share declined.
Tune on the "tune" half only; the README reports the "report" half.

Each variant (clean files, or files saved the way a browser saves a page) is ingested into its own store under
`<store>/documents/`, named by a digest of the files and of the code that reads them, so a second run over the
same files and code reuses it (stores of other files or code stay until removed: `rm -rf .veiviser-bench/documents/store-*`);
passage vectors are cached by text (benchmarks/embedding_cache.py), so a store
rebuilt after a change in loading or chunking embeds only the passages whose text is new.

    .venv/bin/python -m benchmarks.documents_eval --variant clean --split tune
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.article_files import SETS, VARIANTS, selected_questions, write_articles
from benchmarks.embedding_cache import CachingEmbedder
from benchmarks.facts import fact_found
from benchmarks.question_split import SPLITS, split_of
from bot.embedder import make_embedder
from bot.models import Question
from bot.runtime import Runtime, build_runtime
from bot.settings import PROJECT_ROOT, Settings
from ingest.pipeline import Ingester

# The code whose change alters what ingest writes: a store built by other code is not reused.
INGEST_CODE = ("ingest", "bot/text.py", "bot/language.py", "bot/language_markers.py", "bot/country.py",
               "bot/models.py")
KNOWLEDGE = PROJECT_ROOT / "knowledge"


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(path.parent)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def prepare_store(shared: Path, root: Path, variant: str) -> tuple[Settings, Path]:
    """Write the variant's files and make sure its store is ingested; the settings to answer from it."""
    folder = root / "documents" / f"articles-{variant}"
    write_articles(shared, folder, variant)
    key = _digest([folder, KNOWLEDGE] + [PROJECT_ROOT / p for p in INGEST_CODE])
    store = root / "documents" / f"store-{variant}-{key}"
    settings = Settings(_env_file=None, veiviser_store=store, llm="", knowledge_dirs=[KNOWLEDGE, folder])
    return settings, store


@contextmanager
def ingested_runtime(settings: Settings, store: Path, root: Path, threads: int = 1) -> Iterator[tuple[Runtime, dict]]:
    """A runtime over `store`, ingested from `settings.knowledge_dirs` once (`ingested.json` marks it done), with
    passage vectors cached under `root`; yields (runtime, the ingest report as JSON)."""
    # One thread: OpenMP threads spinning for a core that another process holds slow a shared machine down badly.
    embedder = CachingEmbedder(make_embedder(settings.embedder, threads=threads), root / "documents" / "passage-vectors.sqlite3")
    runtime = build_runtime(settings, embedder=embedder)
    try:
        ready = store / "ingested.json"
        if not ready.exists():
            report = Ingester(runtime.index, runtime.detector, runtime.records).run(settings.knowledge_dirs)
            ready.write_text(json.dumps(report.to_json()), "utf-8")
            runtime.live.refresh(force=True)
        yield runtime, json.loads(ready.read_text("utf-8")) | {"embedded": embedder.misses}
    finally:
        runtime.close()
        embedder.close()


def evaluate(shared: Path, root: Path, variant: str, sets: tuple[str, ...] = tuple(SETS), threads: int = 1) -> dict:
    """The figures of one variant: per set, per half."""
    settings, store = prepare_store(shared, root, variant)
    with ingested_runtime(settings, store, root, threads) as (runtime, ingest):
        results: dict = {"variant": variant, "chunks": ingest["chunks"], "ingest_errors": len(ingest["errors"]),
                         "embedded": ingest["embedded"]}
        for name in sets:
            per_half: dict[str, dict[str, list[float]]] = {h: defaultdict(list) for h in SPLITS}
            for question in selected_questions(shared, name):
                wanted = f"{question.set}/{question.article}.txt"
                for measure, value in outcome(runtime, question.text, question.answers, wanted).items():
                    per_half[split_of(question.id)][measure].append(value)
            results[name] = {
                half: {m: round(sum(v) / len(v), 4) for m, v in stats.items()} | {"n": len(stats["top3"])}
                for half, stats in per_half.items()
            }
        return results


def outcome(runtime: Runtime, text: str, answers: list[str], wanted: str) -> dict[str, float]:
    """One question through the assistant: whether the file whose path ends with `wanted` is among the first three
    documents retrieved, whether the answer holds one of `answers`, and whether it was declined."""
    answer = runtime.assistant.answer(Question(text=text, channel="eval"))
    retriever = runtime.retriever
    hits = retriever.search(retriever.snapshot(), text, answer.language, 10)
    top_docs = list(dict.fromkeys(h.chunk.path for h in hits))[:3]
    holds = answer.confident and any(fact_found(a, answer.answer) for a in answers)
    return {"top3": float(any(p.endswith(wanted) for p in top_docs)), "holds": float(holds),
            "declined": float(not answer.confident)}


def render(results: dict[str, dict], split: str = "report") -> list[str]:
    """The table of one half: per variant and set."""
    lines = ["| files | set | n | right article in top 3 | answer holds the gold answer | declined |",
             "|---|---|---|---|---|---|"]
    for variant, figures in results.items():
        for name, (label, _) in SETS.items():
            if name in figures:
                s = figures[name][split]
                lines.append(f"| {variant} | {label} | {s['n']} | {s['top3']:.3f} | {s['holds']:.3f} | {s['declined']:.3f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/benchmarks"))
    parser.add_argument("--store", type=Path, default=Path(".veiviser-bench"))
    parser.add_argument("--variant", choices=VARIANTS + ("both",), default="both")
    parser.add_argument("--set", choices=tuple(SETS), action="append", dest="sets")
    parser.add_argument("--split", choices=SPLITS, default="tune")
    parser.add_argument("--threads", type=int, default=1, help="embedder threads (0 = every core)")
    args = parser.parse_args()
    variants = VARIANTS if args.variant == "both" else (args.variant,)
    results = {v: evaluate(args.shared, args.store, v, tuple(args.sets or SETS), args.threads) for v in variants}
    print(json.dumps(results, indent=2))
    print("\n".join([f"\n{args.split} half:"] + render(results, args.split)))


if __name__ == "__main__":
    main()
