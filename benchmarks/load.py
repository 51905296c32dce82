"""Concurrent askers against a running `veiviser serve` over loopback: answers per second and latency, alone,
during a re-ingest, and with some askers sending maximum-length questions; and how soon after
`POST /admin/api/reingest` returns an answer cites the new content. Every loop is bounded in time and count."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

ADMIN_TOKEN = "bench-admin"
MAX_REQUESTS_PER_CLIENT = 5_000
NEW_FACT_ID = "bench-new-fact"
NEW_FACT = (
    "---\nid: bench-new-fact\nlang: nb\nkind: article\ncountry: NO\n---\n# Kombuchabryggeriet i Verdal\n\n"
    "Kombuchabryggeriet i Verdal er et arbeidsintegrerende sosialt foretak som lærer opp ungdom i brygging.\n"
)
NEW_FACT_QUESTION = "hva gjør kombuchabryggeriet i Verdal"


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def summary(self, seconds: float) -> dict:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return {"answers": 0, "errors": self.errors}
        return {
            "answers": len(ordered),
            "errors": self.errors,
            "answers_per_s": round(len(ordered) / seconds, 1),
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        }


async def pace(start: float, index: int, rate: float) -> None:
    """Open-loop pacing: wait until request `index` is due, `index / rate` seconds after `start` (no wait when
    `rate` is 0: a burst)."""
    if rate > 0:
        await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """`veiviser serve` in a subprocess over a copy of the knowledge folder, with a staff token and no rate limit."""

    def __init__(self, store: Path, knowledge: Path) -> None:
        self.store, self.knowledge = store, knowledge
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "VEIVISER_STORE": str(store), "KNOWLEDGE_DIRS": json.dumps([str(knowledge)]), "LLM": "",
            "ADMIN_TOKEN": ADMIN_TOKEN, "RATE_LIMIT_PER_MINUTE": "0", "DATABASE_URL": "",
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Service":
        subprocess.run([sys.executable, "-m", "bot.cli", "ingest"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).json()["chunks"]:
                    return self
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            time.sleep(0.3)
        raise RuntimeError("veiviser serve did not become healthy within 180 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def peak_memory_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return round(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024, 1)


async def _client(http: aiohttp.ClientSession, questions: list[str], until: float, tally: Tally, offset: int) -> None:
    for number in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= until:
            return
        started = time.perf_counter()
        try:
            async with http.post("/api/ask", json={"question": questions[(offset + number) % len(questions)]}) as response:
                ok = response.status == 200 and bool((await response.json())["answer"])
        except (aiohttp.ClientError, asyncio.TimeoutError):
            ok = False
        if ok:
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        else:
            tally.errors += 1


async def load(url: str, groups: list[tuple[int, list[str]]], seconds: float, during=None) -> list[dict]:  # noqa: ANN001
    """Run each group of (clients, questions) for `seconds`; `during` is a coroutine run alongside (a re-ingest).
    The client is aiohttp (light on the CPU it shares with the service on this machine)."""
    connector = aiohttp.TCPConnector(limit=64)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(base_url=url, connector=connector, timeout=timeout) as http:
        tallies = [Tally() for _ in groups]
        until = time.monotonic() + seconds
        tasks = [
            _client(http, questions, until, tally, offset)
            for (clients, questions), tally in zip(groups, tallies)
            for offset in range(clients)
        ]
        started = time.monotonic()
        extra = [during(http)] if during else []
        outcome = await asyncio.gather(*tasks, *extra)
        elapsed = time.monotonic() - started
    summaries = [tally.summary(elapsed) for tally in tallies]
    if during:
        summaries.append(outcome[-1])
    return summaries


async def _reingest(http: aiohttp.ClientSession, target: Path) -> dict:
    """Change one file half a second in, then re-ingest through the service."""
    await asyncio.sleep(0.5)
    target.write_text(target.read_text("utf-8") + "\nEndret under måling av innlesing mens tjenesten svarer.\n", "utf-8")
    started = time.perf_counter()
    async with http.post("/admin/api/reingest", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as response:
        report = await response.json()
        return {"status": response.status, "report": report, "seconds": round(time.perf_counter() - started, 2)}


def fresh_content_delay(url: str, knowledge: Path) -> dict:
    """Seconds from `POST /admin/api/reingest` returning to the first answer that cites a newly added file."""
    path = knowledge / "bench-new-fact.md"
    path.write_text(NEW_FACT, "utf-8")
    with httpx.Client(base_url=url, timeout=60) as http:
        started = time.perf_counter()
        report = http.post("/admin/api/reingest", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=600)
        returned = time.perf_counter()
        for attempt in range(200):
            answer = http.post("/api/ask", json={"question": NEW_FACT_QUESTION}).json()
            if answer["sources"] and answer["sources"][0]["id"] == NEW_FACT_ID:
                break
            time.sleep(0.05)
        cited = time.perf_counter()
    path.unlink()
    return {"reingest_s": round(returned - started, 2), "to_cited_answer_ms": round((cited - returned) * 1000, 1),
            "attempts": attempt + 1, "report": report.json()}


def long_questions(count: int, limit: int = 2000) -> list[str]:
    """Maximum-length questions: a long story before the question, cut at `limit` characters."""
    story = ("Vi er en gruppe i Trøndelag som vil starte en bygdebutikk med kafé og frivillige, og vi lurer på "
             "mye om selskapsform, tilskudd, moms og styre. ")
    return [(f"Spørsmål {n}: " + story * 40)[:limit] for n in range(count)]


def run(store: Path, knowledge: Path, questions: list[str], seconds: float = 15.0) -> dict:
    """All load figures over a copy of `knowledge` in `store`."""
    shutil.rmtree(store, ignore_errors=True)
    copy = store / "knowledge"
    shutil.copytree(knowledge, copy, ignore=shutil.ignore_patterns("eval"))
    target = sorted(copy.rglob("*.md"))[3]
    results: dict = {}
    with Service(store / "state", copy) as service:
        asyncio.run(load(service.url, [(2, questions)], 3.0))  # warm-up
        results["alone_8"] = asyncio.run(load(service.url, [(8, questions)], seconds))[0]
        during = asyncio.run(load(service.url, [(8, questions)], seconds, lambda http: _reingest(http, target)))
        results["during_reingest_8"], results["reingest"] = during[0], during[1]
        mixed = asyncio.run(load(service.url, [(15, questions), (5, long_questions(50))], seconds))
        results["mixed_20"] = {"ordinary_15": mixed[0], "max_length_5": mixed[1]}
        results["fresh_content"] = fresh_content_delay(service.url, copy)
        results["serve_peak_mb"] = service.peak_memory_mb()
    return results
