"""Soak run against the production topology on loopback (tests/topology.py): PostgreSQL, `chroma run` and two
`veiviser serve` processes on `knowledge/`, Telegram and Slack through the local fakes.

1. Capacity: closed-loop web askers (each waits for its answer) against one process, then against both: answers/s
   of each and their ratio. One process keeps both cores busy on its own (two embedder instances), so on this
   machine a second process adds little; the same pair is measured again with each process held to one core of its
   own (every thread's CPU affinity, as `taskset -a`), which is what a second host adds.
2. Soak: an open-loop mixed load at a fixed rate for a configurable duration (web 60 %, Telegram 20 %, Slack 20 %,
   spread over both processes): answers/s, p50/p95/p99 per channel and overall (web: the HTTP answer; Telegram and
   Slack: from posting the update or event to the fake receiving the reply), errors, duplicate replies, the CPU
   time the serve processes spent per request, and the resident memory of each process at the start and the end.

    .venv/bin/python -m benchmarks.soak [--seconds 300] [--rate 50] [--json]

Every loop is bounded in time and count."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.fakes.postgres_server import PostgresServer
from tests.platform_requests import slack_mention, slack_signed_headers, telegram_headers, telegram_update
from tests.topology import SLACK_SECRET, TELEGRAM_SECRET, Topology

ROOT = Path(__file__).resolve().parent.parent
MIX = ("web", "web", "web", "telegram", "web", "web", "slack", "web", "telegram", "slack")  # 60 / 20 / 20
ANSWER_WAIT_S = 60.0  # after the load: how long Telegram and Slack replies may still take to arrive


def percentile(ordered: list[float], share: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))], 1) if ordered else 0.0


def summary(latencies_ms: list[float], seconds: float) -> dict:
    ordered = sorted(latencies_ms)
    return {"answers": len(ordered), "answers_per_s": round(len(ordered) / seconds, 1) if seconds else 0.0,
            "p50_ms": percentile(ordered, 0.50), "p95_ms": percentile(ordered, 0.95),
            "p99_ms": percentile(ordered, 0.99)}


async def closed_loop(urls: list[str], questions: list[str], clients: int, seconds: float) -> dict:
    """`clients` askers, each sending its next question when the answer came, spread over `urls`."""
    latencies: list[float] = []
    errors = 0
    until = time.monotonic() + seconds

    async def client(number: int, http: aiohttp.ClientSession) -> None:
        nonlocal errors
        for turn in range(100_000):
            if time.monotonic() >= until:
                return
            url = urls[(number + turn) % len(urls)]
            started = time.perf_counter()
            try:
                async with http.post(f"{url}/api/ask", json={"question": questions[(number * 7 + turn) % len(questions)]}) as r:
                    ok = r.status == 200 and bool((await r.json())["answer"])
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1

    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    return summary(latencies, time.monotonic() - started) | {"errors": errors}


class Soak:
    """The open-loop mixed load: one request of the mix every 1/rate seconds, whatever the answers take."""

    def __init__(self, topo: Topology, questions: list[str]) -> None:
        self.topo, self.questions = topo, questions
        self.web: list[float] = []
        self.posted: dict[str, dict[str, float]] = {"telegram": {}, "slack": {}}
        self.errors = {"web": 0, "telegram": 0, "slack": 0}
        self.ids = itertools.count(int(time.time()) % 100_000 * 100_000)

    async def one(self, http: aiohttp.ClientSession, kind: str, number: int) -> None:
        serve = self.topo.serves[number % len(self.topo.serves)]
        question = self.questions[number % len(self.questions)]
        started = time.perf_counter()
        try:
            if kind == "web":
                async with http.post(f"{serve.url}/api/ask", json={"question": question}) as r:
                    ok = r.status == 200 and bool((await r.json())["answer"])
                if ok:
                    self.web.append((time.perf_counter() - started) * 1000)
                self.errors["web"] += not ok
            elif kind == "telegram":
                chat = 8_000_000_000 + next(self.ids)
                self.posted["telegram"][str(chat)] = time.monotonic()
                async with http.post(f"{serve.url}/telegram/webhook", json=telegram_update(next(self.ids), chat, question),
                                     headers=telegram_headers(TELEGRAM_SECRET)) as r:
                    self.errors["telegram"] += r.status != 200
            else:
                channel = f"C{next(self.ids)}"
                body = slack_mention(f"Ev{next(self.ids)}", channel, f"U{number % 500:07d}", question)
                self.posted["slack"][channel] = time.monotonic()
                async with http.post(f"{serve.url}/slack/events", data=body,
                                     headers=slack_signed_headers(SLACK_SECRET, body)) as r:
                    self.errors["slack"] += r.status != 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            self.errors[kind] += 1

    async def run(self, rate: float, seconds: float) -> float:
        tasks = []
        started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60),
                                         connector=aiohttp.TCPConnector(limit=256)) as http:
            for number in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
                tasks.append(asyncio.create_task(self.one(http, MIX[number % len(MIX)], number)))
            await asyncio.gather(*tasks)
        return time.monotonic() - started

    def replies(self, kind: str) -> tuple[list[float], int, int]:
        """(latencies in ms, missing replies, duplicate replies) of a platform channel."""
        if kind == "telegram":
            calls, key = self.topo.telegram.calls_of("sendMessage"), "chat_id"
        else:
            calls, key = self.topo.slack.calls_of("chat.postMessage"), "channel"
        first: dict[str, float] = {}
        duplicates = 0
        for call in calls:
            target = str(call.get(key))
            if target in self.posted[kind]:
                duplicates += target in first
                first.setdefault(target, call.at)
        latencies = [(first[t] - at) * 1000 for t, at in self.posted[kind].items() if t in first]
        return latencies, len(self.posted[kind]) - len(first), duplicates

    def wait_for_replies(self) -> None:
        deadline = time.monotonic() + ANSWER_WAIT_S
        while time.monotonic() < deadline and any(self.replies(k)[1] for k in ("telegram", "slack")):
            time.sleep(0.5)


def hold_to(pid: int, cpus: set[int]) -> None:
    """Run every thread of process `pid` on `cpus` only (threads it starts later inherit it)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.sched_setaffinity(int(task.name), cpus)
        except (ProcessLookupError, FileNotFoundError):  # a thread that ended meanwhile
            pass


def per_core_capacity(topo: Topology, questions: list[str], clients: int, seconds: float) -> dict:
    """Capacity of one process held to core 0, then of two processes held to cores 0 and 1; the affinity of
    every process is given back afterwards."""
    everything = os.sched_getaffinity(0)
    pids = [s.process.pid for s in topo.serves[:2]]
    try:
        for core, pid in enumerate(pids):
            hold_to(pid, {core})
        one = asyncio.run(closed_loop([topo.serves[0].url], questions, clients, seconds))
        two = asyncio.run(closed_loop([s.url for s in topo.serves[:2]], questions, clients, seconds))
    finally:
        for pid in pids:
            hold_to(pid, everything)
    return {"one_process_one_core": one, "two_processes_one_core_each": two,
            "scaling": round(two["answers_per_s"] / one["answers_per_s"], 2) if one["answers_per_s"] else None}


def own_questions() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "knowledge/eval/questions.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    return [row["question"] for row in rows if row.get("expect_ids")]


def run(seconds: float = 300.0, rate: float = 50.0, capacity_seconds: float = 20.0, clients: int = 8,
        knowledge_dir: Path = ROOT / "knowledge") -> dict:
    """The whole soak run in a temporary folder, over a copy of `knowledge_dir`; returns its figures."""
    root = Path(tempfile.mkdtemp(prefix="veiviser-soak-"))
    knowledge = root / "knowledge"
    shutil.copytree(knowledge_dir, knowledge, ignore=shutil.ignore_patterns("eval"))
    mentors = knowledge / "mentors.yaml" if (knowledge / "mentors.yaml").exists() else ROOT / "knowledge/mentors.yaml"
    postgres = PostgresServer.start()
    topo = Topology(root, postgres, knowledge, mentors)
    questions = own_questions()
    try:
        topo.start(ingest_first=True)
        report = topo.first_ingest
        assert all(_healthz(s.url)["chunks"] == report["chunks"] for s in topo.serves), "content not loaded"
        asyncio.run(closed_loop([s.url for s in topo.serves], questions, 2, 3.0))  # warm-up
        one = asyncio.run(closed_loop([topo.serves[0].url], questions, clients, capacity_seconds))
        two = asyncio.run(closed_loop([s.url for s in topo.serves], questions, clients, capacity_seconds))
        several_cores = len(os.sched_getaffinity(0)) > 1
        per_core = per_core_capacity(topo, questions, clients, capacity_seconds) if several_cores else None
        rss_start = {s.name: s.rss_mb() for s in topo.serves}
        cpu_start = sum(s.cpu_seconds() for s in topo.serves)
        soak = Soak(topo, questions)
        elapsed = asyncio.run(soak.run(rate, seconds))
        rss_end = {s.name: s.rss_mb() for s in topo.serves}
        soak.wait_for_replies()
        serve_cpu_ms = round((sum(s.cpu_seconds() for s in topo.serves) - cpu_start) * 1000 / int(rate * seconds), 1)
        channels = {"web": summary(soak.web, elapsed) | {"errors": soak.errors["web"], "duplicates": 0}}
        everything = list(soak.web)
        for kind in ("telegram", "slack"):
            latencies, missing, duplicates = soak.replies(kind)
            everything += latencies
            channels[kind] = summary(latencies, elapsed) | {"errors": soak.errors[kind] + missing,
                                                            "duplicates": duplicates}
        return {
            "chunks": report["chunks"], "processes": len(topo.serves), "capacity_seconds": capacity_seconds,
            "capacity_clients": clients, "one_process": one, "two_processes": two,
            "scaling": round(two["answers_per_s"] / one["answers_per_s"], 2) if one["answers_per_s"] else None,
            "per_core": per_core,
            "planned_seconds": seconds, "seconds": round(elapsed, 1), "rate": rate, "requests": int(rate * seconds),
            "all": summary(everything, elapsed) | {"errors": sum(c["errors"] for c in channels.values()),
                                                   "duplicates": sum(c["duplicates"] for c in channels.values())},
            "channels": channels, "rss_mb": {"start": rss_start, "end": rss_end},
            "serve_cpu_ms_per_request": serve_cpu_ms,
        }
    finally:
        topo.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


def _healthz(url: str) -> dict:
    import httpx

    return httpx.get(f"{url}/healthz", timeout=10).json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the soak (default 300)")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second of the mixed load")
    parser.add_argument("--capacity-seconds", type=float, default=20.0)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge",
                        help="the material to serve (a small folder makes a quick smoke run)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the topology's processes on the way out
    result = run(args.seconds, args.rate, args.capacity_seconds, knowledge_dir=args.knowledge)
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
