"""Events API load: signed Slack `app_mention` events posted to `POST /slack/events` of a running `veiviser serve`,
answered through the local fake Slack Web API (tests/fakes/slack_api.py), in two phases against the same process:
a burst (as fast as `concurrency` connections allow: the capacity) and a paced run (`rate` events per second: the
latency at that load). Each reports events per second answered, the time from posting an event to the fake
receiving its `chat.postMessage` (p50, p95), the slowest acknowledgement, errors and duplicate answers.

    .venv/bin/python -m benchmarks.slack_events [--store DIR] [--events N] [--concurrency C] [--rate R] [--json]

Each event comes from its own person and channel, so the per-user rate limit never applies. Every loop is bounded
in time and count."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks import channel_load
from benchmarks.channel_load import ROOT, Platform
from tests.fakes.slack_api import FakeSlack
from tests.platform_requests import slack_mention, slack_signed_headers

TOKEN = "xoxb-bench-token"
SECRET = "bench-signing-secret"
RUN = int(time.time())  # event ids differ from run to run (a store remembers the ids it has answered)


def request(number: int, text: str) -> tuple[str, str]:
    """(channel, JSON body) of one mention in its own channel."""
    channel = f"CBENCH{number:07d}"
    return channel, slack_mention(f"Ev{RUN}{number:07d}", channel, f"UBENCH{number:07d}", text,
                                  ts=f"{RUN}.{number:06d}")


def _settings(base_url: str) -> dict:
    return {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_BASE_URL": base_url,
            "SLACK_APP_TOKEN": ""}


def _headers(body: str) -> dict:
    return slack_signed_headers(SECRET, body)


def _replies(fake: FakeSlack) -> list[tuple[str, float]]:
    return [(call.get("channel"), call.at) for call in fake.calls_of("chat.postMessage")]


SLACK = Platform("events", "/slack/events", FakeSlack, _settings, request, _headers, _replies, reports_ack=True)


def run(store: Path, knowledge: Path, events: int = 300, concurrency: int = 16, rate: float = 40.0,
        seconds: float = 120) -> dict:
    """Start a fake Slack Web API and `veiviser serve` on `store` (ingesting `knowledge` first), then post a burst
    of `events` and `events` more paced at `rate` per second."""
    return channel_load.run(SLACK, store, knowledge, events, concurrency, rate, seconds)


def main() -> None:
    channel_load.main(SLACK, __doc__.split("\n\n")[0], ROOT / ".veiviser-bench-slack")


if __name__ == "__main__":
    main()
