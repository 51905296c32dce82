"""Events API load: signed Slack `app_mention` events posted to `POST /slack/events` of a running `veiviser serve`,
answered through the local fake Slack Web API (tests/fakes/slack_api.py), in two phases against the same process:
a burst (as fast as `concurrency` connections allow: the capacity) and a paced run (`rate` events per second: the
latency at that load). Each reports events per second answered, the time from posting an event to the fake
receiving its `chat.postMessage` (p50, p95), the slowest acknowledgement, errors and duplicate answers.

    .venv/bin/python -m benchmarks.slack_events [--store DIR] [--events N] [--concurrency C] [--rate R] [--json]

Each event comes from its own person and channel, so the per-user rate limit never applies. Every loop is bounded
in time and count."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.load import free_port, pace
from benchmarks.telegram_webhook import QUESTIONS, _wait_until_up
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "xoxb-bench-token"
SECRET = "bench-signing-secret"
RUN = int(time.time())  # event ids differ from run to run (a store remembers the ids it has answered)


def event_body(number: int, text: str) -> tuple[str, str]:
    """(channel, JSON body) of one mention in its own channel."""
    channel = f"CBENCH{number:07d}"
    body = {"team_id": TEAM_ID, "api_app_id": "ABENCH", "type": "event_callback", "event_id": f"Ev{RUN}{number:07d}",
            "event_time": int(time.time()), "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID,
                                                                 "is_bot": True}],
            "event": {"type": "app_mention", "user": f"UBENCH{number:07d}", "text": f"<@{BOT_USER_ID}> {text}",
                      "ts": f"{RUN}.{number:06d}", "channel": channel, "event_ts": f"{RUN}.{number:06d}"}}
    return channel, json.dumps(body)


def signed_headers(body: str) -> dict:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


async def post_all(url: str, events: list[tuple[str, str]], concurrency: int, deadline: float,
                   rate: float = 0.0) -> tuple[dict[str, float], int, float]:
    """Post every event (at most `concurrency` at once; with `rate`, event i not before i / rate seconds after the
    start); returns when each was posted (by channel), errors and the slowest acknowledgement in ms."""
    posted: dict[str, float] = {}
    errors, slowest_ack = 0, 0.0
    gate = asyncio.Semaphore(concurrency)
    start = time.monotonic()
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one(index: int, channel: str, body: str) -> None:
            nonlocal errors, slowest_ack
            await pace(start, index, rate)
            async with gate:
                if time.monotonic() > deadline:
                    errors += 1
                    return
                posted[channel] = time.monotonic()
                try:
                    response = await client.post(url, content=body, headers=signed_headers(body))
                    errors += response.status_code != 200
                except httpx.HTTPError:
                    errors += 1
                slowest_ack = max(slowest_ack, (time.monotonic() - posted[channel]) * 1000)

        await asyncio.gather(*(one(i, channel, body) for i, (channel, body) in enumerate(events)))
    return posted, errors, slowest_ack


def run(store: Path, knowledge: Path, events: int = 300, concurrency: int = 16, rate: float = 40.0,
        seconds: float = 120) -> dict:
    """Start a fake Slack Web API and `veiviser serve` on `store` (ingesting `knowledge` first), then post a burst
    of `events` and `events` more paced at `rate` per second."""
    fake = FakeSlack().start()
    port = free_port()
    env = os.environ | {
        "VEIVISER_STORE": str(store), "KNOWLEDGE_DIRS": json.dumps([str(knowledge)]), "LLM": "",
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_BASE_URL": fake.base_url,
        "SLACK_APP_TOKEN": "", "RATE_LIMIT_PER_MINUTE": "0",
    }
    subprocess.run([sys.executable, "-m", "bot.cli", "ingest"], env=env, check=True, capture_output=True, timeout=1800)
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        warm = [event_body(2 * events + i, QUESTIONS[i % len(QUESTIONS)]) for i in range(8)]
        asyncio.run(post_all(url, warm, 4, time.monotonic() + 30))
        _wait_for_answers(fake, {channel for channel, _ in warm}, time.monotonic() + 60)
        burst = phase(fake, url, range(events), concurrency, 0.0, seconds)
        paced = phase(fake, url, range(events, 2 * events), concurrency, rate, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
        fake.stop()
    return {"events": events, "concurrency": concurrency, "rate": rate, "burst": burst, "paced": paced}


def phase(fake: FakeSlack, url: str, numbers: range, concurrency: int, rate: float, seconds: float) -> dict:
    """Post the events `numbers` (paced at `rate` per second, or as a burst when 0) and measure their answers."""
    bodies = [event_body(i, QUESTIONS[i % len(QUESTIONS)]) for i in numbers]
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    posted, errors, slowest_ack = asyncio.run(post_all(url, bodies, concurrency, deadline, rate))
    answers = _wait_for_answers(fake, set(posted), deadline)
    first_answer: dict[str, float] = {}
    for call in answers:
        first_answer.setdefault(call["channel"], call.at)
    latencies = sorted((first_answer[ch] - at) * 1000 for ch, at in posted.items() if ch in first_answer)
    finished = max(first_answer.values(), default=started)
    return {
        "answered": len(latencies),
        "errors": errors + len(posted) - len(latencies),
        "duplicates": len(answers) - len(first_answer),
        "events_per_s": round(len(latencies) / max(finished - started, 1e-9), 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
        "slowest_ack_ms": round(slowest_ack, 1),
    }


def _wait_for_answers(fake: FakeSlack, channels: set[str], deadline: float) -> list:
    def answers() -> list:
        return [c for c in fake.calls_of("chat.postMessage") if c.get("channel") in channels]

    while True:
        found = answers()
        if len({c["channel"] for c in found}) >= len(channels) or time.monotonic() > deadline:
            time.sleep(0.3)  # a duplicate would arrive right after
            return answers()
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / ".veiviser-bench-slack")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.store, args.knowledge, args.events, args.concurrency, args.rate)
    if args.json:
        print(json.dumps(result))
        return
    for name in ("burst", "paced"):
        r = result[name]
        print(f"{name}: {r['answered']}/{result['events']} events answered, {r['events_per_s']} events/s, "
              f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, slowest ack {r['slowest_ack_ms']} ms, "
              f"{r['errors']} errors, {r['duplicates']} duplicates")


if __name__ == "__main__":
    main()
