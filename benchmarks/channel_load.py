"""One load run for a platform channel (benchmarks/telegram_webhook.py, benchmarks/slack_events.py): `veiviser serve`
answering through the platform's local fake API (tests/fakes/), in two phases against the same process: a burst (as
fast as `concurrency` connections allow: the capacity) and a paced run (`rate` requests per second, open loop: the
latency at that load). Each phase reports requests per second answered, the time from posting a request to the fake
receiving its reply (p50, p95), errors and duplicate replies; a `Platform` says what differs between the channels.

Each request comes from its own person and chat or channel, so the per-user rate limit never applies. Every loop is
bounded in time and count."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Hashable

import httpx

from benchmarks.load import free_port, pace

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = (
    "hvor mye aksjekapital trenger et AS",
    "hur mycket aktiekapital behöver ett aktiebolag",
    "korleis kan ein søkje om tilskot",
    "vad är ett arbetsintegrerande socialt företag",
)


@dataclass(frozen=True)
class Platform:
    """What differs between the channels under load."""

    unit: str  # what one request is called: "updates", "events" (also the JSON keys `<unit>`, `<unit>_per_s`)
    route: str  # where the service takes the platform's requests
    fake: Callable[[], Any]  # a new, not yet started fake API server of the platform
    settings: Callable[[str], dict]  # the fake's base URL -> the service's environment for the channel
    request: Callable[[int, str], tuple[Hashable, str]]  # (number, question) -> (where the reply goes, JSON body)
    headers: Callable[[str], dict]  # a body's headers, made when it is posted (a signature holds the time)
    replies: Callable[[Any], list[tuple[Hashable, float]]]  # (where, when received) of each reply the fake has had
    reports_ack: bool = False  # report the slowest acknowledgement of a post (`slowest_ack_ms`)


async def post_all(platform: Platform, url: str, requests: list[tuple[Hashable, str]], concurrency: int,
                   deadline: float, rate: float = 0.0) -> tuple[dict[Hashable, float], int, float]:
    """Post every request (at most `concurrency` at once; with `rate`, request i not before i / rate seconds after
    the start); returns when each was posted (by where its reply goes), errors and the slowest acknowledgement in
    ms."""
    posted: dict[Hashable, float] = {}
    errors, slowest_ack = 0, 0.0
    gate = asyncio.Semaphore(concurrency)
    start = time.monotonic()
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one(index: int, target: Hashable, body: str) -> None:
            nonlocal errors, slowest_ack
            await pace(start, index, rate)
            async with gate:
                if time.monotonic() > deadline:
                    errors += 1
                    return
                posted[target] = time.monotonic()
                try:
                    response = await client.post(url, content=body, headers=platform.headers(body))
                    errors += response.status_code != 200
                except httpx.HTTPError:
                    errors += 1
                slowest_ack = max(slowest_ack, (time.monotonic() - posted[target]) * 1000)

        await asyncio.gather(*(one(i, target, body) for i, (target, body) in enumerate(requests)))
    return posted, errors, slowest_ack


def run(platform: Platform, store: Path, knowledge: Path, count: int = 300, concurrency: int = 16, rate: float = 40.0,
        seconds: float = 120) -> dict:
    """Start the platform's fake API and `veiviser serve` on `store` (ingesting `knowledge` first), then post a burst
    of `count` requests and `count` more paced at `rate` per second."""
    fake = platform.fake().start()
    port = free_port()
    env = os.environ | {
        "VEIVISER_STORE": str(store), "KNOWLEDGE_DIRS": json.dumps([str(knowledge)]), "LLM": "",
        "RATE_LIMIT_PER_MINUTE": "0",
    } | platform.settings(fake.base_url)
    subprocess.run([sys.executable, "-m", "bot.cli", "ingest"], env=env, check=True, capture_output=True, timeout=1800)
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}{platform.route}"
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        warm = [platform.request(2 * count + i, QUESTIONS[i % len(QUESTIONS)]) for i in range(8)]
        asyncio.run(post_all(platform, url, warm, 4, time.monotonic() + 30))
        _wait_for_replies(platform, fake, {target for target, _ in warm}, time.monotonic() + 60)
        burst = phase(platform, fake, url, range(count), concurrency, 0.0, seconds)
        paced = phase(platform, fake, url, range(count, 2 * count), concurrency, rate, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
        fake.stop()
    return {platform.unit: count, "concurrency": concurrency, "rate": rate, "burst": burst, "paced": paced}


def phase(platform: Platform, fake: Any, url: str, numbers: range, concurrency: int, rate: float,
          seconds: float) -> dict:
    """Post the requests `numbers` (paced at `rate` per second, or as a burst when 0) and measure their replies."""
    requests = [platform.request(i, QUESTIONS[i % len(QUESTIONS)]) for i in numbers]
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    posted, errors, slowest_ack = asyncio.run(post_all(platform, url, requests, concurrency, deadline, rate))
    replies = _wait_for_replies(platform, fake, set(posted), deadline)
    first_reply: dict[Hashable, float] = {}
    for target, at in replies:
        first_reply.setdefault(target, at)
    latencies = sorted((first_reply[target] - at) * 1000 for target, at in posted.items() if target in first_reply)
    finished = max(first_reply.values(), default=started)
    return {
        "answered": len(latencies),
        "errors": errors + len(posted) - len(latencies),
        "duplicates": len(replies) - len(first_reply),
        f"{platform.unit}_per_s": round(len(latencies) / max(finished - started, 1e-9), 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
    } | ({"slowest_ack_ms": round(slowest_ack, 1)} if platform.reports_ack else {})


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("veiviser serve exited at start-up")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("veiviser serve did not start within 300 s")


def _wait_for_replies(platform: Platform, fake: Any, targets: set, deadline: float) -> list:
    """The replies to `targets` once each has one (or at `deadline`), and those that came right after."""
    def replies() -> list:
        return [(target, at) for target, at in platform.replies(fake) if target in targets]

    while True:
        found = replies()
        if len({target for target, _ in found}) >= len(targets) or time.monotonic() > deadline:
            time.sleep(0.3)  # a duplicate would arrive right after
            return replies()
        time.sleep(0.05)


def main(platform: Platform, description: str, store: Path) -> None:
    """The command line of a platform's load run (`store` is its default bench store)."""
    unit = platform.unit
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--store", type=Path, default=store)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument(f"--{unit}", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(platform, args.store, args.knowledge, getattr(args, unit), args.concurrency, args.rate)
    if args.json:
        print(json.dumps(result))
        return
    for name in ("burst", "paced"):
        r = result[name]
        ack = f"slowest ack {r['slowest_ack_ms']} ms, " if platform.reports_ack else ""
        print(f"{name}: {r['answered']}/{result[unit]} {unit} answered, {r[f'{unit}_per_s']} {unit}/s, "
              f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, {ack}{r['errors']} errors, {r['duplicates']} duplicates")
