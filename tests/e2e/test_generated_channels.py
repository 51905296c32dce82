"""Generated answers on every channel with a language model configured (a local OpenAI-compatible stub): the web
chat streams server-sent events (also in headless Chromium), Telegram and Slack show a placeholder that is edited a
few times and then replaced by the answer; /healthz shows the model's recent error rate."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.channels.preview import MAX_EDITS
from bot.llm import make_chat_model
from bot.runtime import build_runtime
from tests.conftest import make_settings
from tests.e2e.test_web_chat import chromium
from tests.fakes.openai_stub import OpenAIStub
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
PASSAGE_RE = re.compile(r'<passage number="(\d+)"[^>]*>\n(.*?)\n</passage>', re.S)
ANSWER = ("Et aksjeselskap må ha minst 30 000 kroner i aksjekapital, og eierne hefter bare med det de har skutt inn. "
          "Du registrerer selskapet i Foretaksregisteret gjennom Altinn med samordnet registermelding, og da er det "
          "lurt å ha vedtektene og stiftelsesdokumentet klare på forhånd")
SLACK_SECRET = "slack-signing-secret-1"
_ids = itertools.count(1)


def grounded_reply(body: dict) -> str:
    """Cites the passage that states the amount, like a grounded model."""
    found = dict((int(n), text) for n, text in PASSAGE_RE.findall(body["messages"][-1]["content"]))
    number = next((n for n, text in found.items() if "30 000" in text), 1)
    return f"{ANSWER} [{number}]."


@pytest.fixture(scope="module")
def stub():
    with OpenAIStub(reply=grounded_reply, chunk_delay=0.04) as server:  # about 2.5 s of streaming per answer
        yield server


@pytest.fixture(scope="module")
def telegram():
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def slack():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def llm_runtime(ingested_store, tmp_path_factory, embedder, stub, telegram, slack):
    settings = make_settings(
        ingested_store, database_url=f"sqlite:///{tmp_path_factory.mktemp('gen') / 'db.sqlite3'}",
        llm="openai:stub-model", llm_base_url=stub.base_url, llm_timeout_s=10.0,
        telegram_bot_token="123456:TEST-token", telegram_webhook_secret="hook-secret",
        telegram_api_base_url=telegram.base_url, slack_bot_token="xoxb-test", slack_signing_secret=SLACK_SECRET,
        slack_api_base_url=slack.base_url, rate_limit_burst=20)
    runtime = build_runtime(settings, embedder, make_chat_model(settings))
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def client(llm_runtime):
    with TestClient(create_app(llm_runtime.settings, llm_runtime)) as test_client:
        yield test_client


def events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_the_web_api_streams_the_answer_as_server_sent_events(client):
    response = client.post("/api/ask/stream", json={"question": "hvor mye aksjekapital trenger et AS"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    got = events(response.text)
    texts = [data["text"] for name, data in got if name == "text"]
    name, answer = got[-1]
    assert name == "answer" and answer["status"] == 200 and answer["composer"] == "llm"
    assert len(texts) > 10 and all(texts[i + 1].startswith(texts[i]) for i in range(len(texts) - 1))
    assert all("[" not in t for t in texts) and answer["answer"].startswith(texts[-1][:100])
    assert answer["citations"][0]["source"] == answer["sources"][0]["id"] == "m04-legal-form-nb"
    assert answer["turn_id"]


def test_a_streamed_notice_carries_its_status_and_health_shows_the_recent_error_rate(client):
    empty = events(client.post("/api/ask/stream", json={"question": "   "}).text)
    assert empty[-1][0] == "answer" and empty[-1][1]["status"] == 422 and empty[-1][1]["detail"]
    assert client.post("/api/ask", json={"question": "hvor mye aksjekapital trenger et AS"}).json()["composer"] == "llm"
    health = client.get("/healthz").json()
    recent = health["llm_recent"]
    assert health["llm"] == "openai:stub-model" and recent["calls"] >= 1 and recent["error_rate"] == 0.0
    assert recent["totals"]["ok"] >= 1 and recent["prompt_tokens"] > 0
    exposed = client.get("/metrics").text
    assert re.search(r'veiviser_llm_calls_total\{outcome="ok",provider="openai"\} [1-9]', exposed)
    assert re.search(r'veiviser_llm_call_seconds_count\{provider="openai"\} [1-9]', exposed)


def test_the_web_chat_shows_the_answer_while_it_is_written(llm_runtime):
    import threading
    import socket

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(llm_runtime.settings, llm_runtime), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.02)
    try:
        with chromium("nb-NO") as (page, problems):
            page.goto(f"http://127.0.0.1:{port}/")
            assert page.get_attribute("#strings", "data-stream") == "1"
            page.fill("#q", "Hvor mye aksjekapital trenger et aksjeselskap?")
            page.click("#send")
            live = page.locator(".bot.answer.live .text")
            live.wait_for()
            partial = live.inner_text()
            page.locator(".bot.answer:not(.live)").wait_for(timeout=20_000)
            final = page.locator(".bot.answer:not(.live) .text").inner_text()
            assert page.locator(".bot.answer.live").count() == 0 and page.locator(".feedback").count() == 1
            assert final.startswith("Et aksjeselskap må ha minst 30 000") and final.endswith("[1].")
            assert len(partial) < len(final) and final.startswith(partial.rstrip()[:20])
            assert not problems, problems
    finally:
        server.should_exit = True
        thread.join(10)


def test_telegram_edits_a_placeholder_a_few_times_then_shows_the_answer(client, telegram):
    person = 7_000_000 + next(_ids)
    update = {"update_id": next(_ids), "message": {
        "message_id": next(_ids), "date": int(time.time()), "text": "hvor mye aksjekapital trenger et AS",
        "from": {"id": person, "is_bot": False, "first_name": "P", "language_code": "nb"},
        "chat": {"id": person, "type": "private"}}}
    response = client.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret"})
    assert response.status_code == 200
    placeholder = telegram.wait_for("sendMessage", 1, where=lambda c: int(c["chat_id"]) == person)[0]
    assert placeholder["text"] == "Tenker …"
    final = telegram.wait_for("editMessageText", 1, 20, where=lambda c: int(c["chat_id"]) == person
                              and c.get("parse_mode") == "HTML")[0]
    edits = [c for c in telegram.calls_of("editMessageText") if int(c["chat_id"]) == person]
    previews = [c for c in edits if c.get("parse_mode") != "HTML"]
    assert 1 <= len(previews) <= MAX_EDITS and all(p["text"].endswith(" …") for p in previews)
    assert "30 000" in final["text"] and "[1]" in final["text"] and "fb:1:" in json.dumps(final["reply_markup"])
    assert len([c for c in telegram.calls_of("sendMessage") if int(c["chat_id"]) == person]) == 1


def test_slack_updates_a_placeholder_a_few_times_then_shows_the_answer(client, slack):
    person, channel = f"U{next(_ids):08d}", f"D{next(_ids):08d}"
    slack.locales[person] = "nb-NO"
    stamp = f"{int(time.time())}.{next(_ids):06d}"
    body = json.dumps({"token": "x", "team_id": TEAM_ID, "api_app_id": "A0TEST", "type": "event_callback",
                       "event_id": f"Ev{next(_ids):08d}", "event_time": int(time.time()),
                       "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
                       "event": {"type": "message", "user": person, "text": "hvor mye aksjekapital trenger et AS",
                                 "ts": stamp, "channel": channel, "channel_type": "im", "event_ts": stamp}})
    now = str(int(time.time()))
    signature = hmac.new(SLACK_SECRET.encode(), f"v0:{now}:{body}".encode(), hashlib.sha256).hexdigest()
    response = client.post("/slack/events", content=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": now, "X-Slack-Signature": f"v0={signature}"})
    assert response.status_code == 200
    placeholder = slack.wait_for("chat.postMessage", 1, where=lambda c: c.get("channel") == channel)[0]
    assert placeholder["text"] == "Tenker …" and placeholder["thread_ts"] == stamp
    final = slack.wait_for("chat.update", 1, 20, where=lambda c: c.get("channel") == channel and c.get("blocks"))[0]
    updates = [c for c in slack.calls_of("chat.update") if c.get("channel") == channel]
    previews = [c for c in updates if not c.get("blocks")]
    assert 1 <= len(previews) <= MAX_EDITS and all(p["text"].endswith(" …") for p in previews)
    blocks = final["blocks"] if isinstance(final["blocks"], str) else json.dumps(final["blocks"], ensure_ascii=False)
    assert "30 000" in blocks and "veiviser_feedback" in blocks
    assert len(slack.calls_of("chat.postMessage")) and len(
        [c for c in slack.calls_of("chat.postMessage") if c.get("channel") == channel]) == 1
