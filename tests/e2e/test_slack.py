"""The Slack channel end to end: signed events, slash commands and button presses posted to `POST /slack/events`
of the real app, answered through a local fake Slack Web API server (tests/fakes/slack_api.py) that the bolt app's
client reaches via SLACK_API_BASE_URL."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from tests.conftest import make_settings
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, TEAM_ID, FakeSlack

pytestmark = pytest.mark.e2e
TOKEN = "xoxb-test-token"
SECRET = "slack-signing-secret-1"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bot_runtime(ingested_store, tmp_path_factory, embedder, fake):
    from bot.runtime import build_runtime

    settings = make_settings(
        ingested_store, database_url=f"sqlite:///{tmp_path_factory.mktemp('slack') / 'slack.sqlite3'}",
        slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_base_url=fake.base_url, rate_limit_burst=6,
        slack_answer_channels="C0ANSWERALL, C0ALSO")
    rt = build_runtime(settings, embedder)
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(bot_runtime):
    with TestClient(create_app(bot_runtime.settings, bot_runtime)) as test_client:
        yield test_client


# --- signed requests ----------------------------------------------------------------------------------------------

def signed(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def post_event(client, event: dict, event_id: str | None = None, headers: dict | None = None, **signing):
    body = json.dumps({"token": "x", "team_id": TEAM_ID, "api_app_id": "A0TEST", "type": "event_callback",
                       "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
                       "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
                       "event": event})
    return client.post("/slack/events", content=body, headers={"Content-Type": "application/json",
                                                              **signed(body, **signing), **(headers or {})})


def post_form(client, fields: dict):
    body = urlencode(fields)
    return client.post("/slack/events", content=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)})


def new_user(locale: str = "nb-NO", fake: FakeSlack | None = None) -> str:
    user = f"U{next(_ids):08d}"
    if fake is not None:
        fake.locales[user] = locale
    return user


def ts() -> str:
    return f"{int(time.time())}.{next(_ids):06d}"


def mention(text: str, user: str, channel: str = "C0GENERAL", **extra) -> dict:
    return {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts(), "channel": channel,
            "event_ts": ts(), **extra}


def message(text: str, user: str, channel: str, channel_type: str = "im", **extra) -> dict:
    return {"type": "message", "user": user, "text": text, "ts": ts(), "channel": channel,
            "channel_type": channel_type, "event_ts": ts(), **extra}


def posted_to(fake: FakeSlack, channel: str, count: int = 1, thread_ts: str | None = None) -> list:
    return fake.wait_for("chat.postMessage", count, where=lambda c: c.get("channel") == channel
                         and (thread_ts is None or c.get("thread_ts") == thread_ts))


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def action_values(blocks: list[dict]) -> dict[str, str]:
    return {e["action_id"]: e.get("value", "") for b in blocks if b["type"] == "actions" for e in b["elements"]}


def press(client, fake, user: str, action_id: str, value: str, channel: str = "C0GENERAL",
          thread_ts: str | None = None, name: str = "press"):
    payload = {"type": "block_actions", "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
               "api_app_id": "A0TEST", "token": "x", "trigger_id": "1.2.3", "response_url": fake.response_url(name),
               "channel": {"id": channel}, "container": {"type": "message", "channel_id": channel,
                                                         "message_ts": thread_ts or ts(), "thread_ts": thread_ts},
               "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b",
                            "action_ts": ts()}]}
    return post_form(client, {"payload": json.dumps(payload)})


# --- mentions, direct messages, threads ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, locale, expected, lang_word", [
    ("hvor mye aksjekapital trenger et AS", "nb-NO", "30 000", "Les videre"),
    ("korleis kan bygda eige butikken saman", "nn-NO", "Frå «", "Les vidare"),
    ("hur mycket aktiekapital behöver ett aktiebolag", "sv-SE", "aktiekapital", "Läs vidare"),
])
def test_mentions_are_answered_in_a_thread_in_the_askers_language(client, fake, text, locale, expected, lang_word):
    person, channel = new_user(locale, fake), f"C{next(_ids):08d}"
    event = mention(text, person, channel)
    assert post_event(client, event).status_code == 200
    reply = posted_to(fake, channel)[0]
    assert reply["thread_ts"] == event["ts"] and expected in reply["text"]
    assert expected in all_text(reply["blocks"]) and lang_word in all_text(reply["blocks"])
    assert f"<@{BOT_USER_ID}>" not in reply["text"]
    assert set(action_values(reply["blocks"])) >= {"veiviser_feedback_up", "veiviser_feedback_down"}


def test_direct_messages_are_answered(client, fake):
    person, dm = new_user(fake=fake), f"D{next(_ids):08d}"
    post_event(client, message("hvor mye aksjekapital trenger et AS", person, dm))
    assert "30 000" in posted_to(fake, dm)[0]["text"]


def test_thread_follow_ups_are_answered_without_a_mention_and_use_the_history(client, fake, bot_runtime):
    person, channel = new_user("nn-NO", fake), f"C{next(_ids):08d}"
    first = mention("korleis registrerer eg eit føretak", person, channel)
    post_event(client, first)
    posted_to(fake, channel)
    post_event(client, message("Takk", person, channel, "channel", thread_ts=first["ts"]))
    posted_to(fake, channel, 2, thread_ts=first["ts"])
    history = bot_runtime.records.history("slack", f"slack:{channel}:{first['ts']}")
    assert [turn.question for turn in history] == ["korleis registrerer eg eit føretak", "Takk"]
    # a message in another thread (where the bot did not answer) and outside threads is not answered
    post_event(client, message("hvor mye aksjekapital trenger et AS", person, channel, "channel", thread_ts=ts()))
    post_event(client, message("hvor mye aksjekapital trenger et AS", person, channel, "channel"))
    marker = f"D{next(_ids):08d}"
    post_event(client, message("hei", person, marker))
    posted_to(fake, marker)
    assert len(fake.calls_of("chat.postMessage")) and len(
        [c for c in fake.calls_of("chat.postMessage") if c.get("channel") == channel]) == 2


def test_a_channel_configured_to_answer_every_question_needs_no_mention(client, fake):
    person = new_user(fake=fake)
    event = message("hvor mye aksjekapital trenger et AS", person, "C0ANSWERALL", "channel")
    post_event(client, event)
    reply = posted_to(fake, "C0ANSWERALL")[0]
    assert reply["thread_ts"] == event["ts"] and "30 000" in reply["text"]


def test_bots_edits_and_the_bot_itself_are_ignored(client, fake):
    person, dm = new_user(fake=fake), f"D{next(_ids):08d}"
    post_event(client, message("hvor mye aksjekapital", "U0OTHERBOT", dm, bot_id="B0OTHER"))
    post_event(client, message("hvor mye aksjekapital", BOT_USER_ID, dm, bot_id=BOT_ID))
    post_event(client, message("hvor mye aksjekapital", person, dm, subtype="message_changed"))
    post_event(client, message("hei", person, dm))
    replies = posted_to(fake, dm)
    time.sleep(0.3)
    assert len(fake.calls_of("chat.postMessage")) and len(
        [c for c in fake.calls_of("chat.postMessage") if c.get("channel") == dm]) == len(replies) == 1


def test_the_same_event_delivered_three_times_is_answered_once(client, fake):
    person, dm = new_user(fake=fake), f"D{next(_ids):08d}"
    event, event_id = message("hvor mye aksjekapital trenger et AS", person, dm), f"Ev{next(_ids):08d}"
    for retry in range(3):
        assert post_event(client, event, event_id, headers={"X-Slack-Retry-Num": str(retry)} if retry else None
                          ).status_code == 200
    posted_to(fake, dm)
    time.sleep(0.5)
    assert len([c for c in fake.calls_of("chat.postMessage") if c.get("channel") == dm]) == 1


def test_a_bad_or_stale_signature_is_refused_and_nothing_happens(client, fake):
    person, dm = new_user(fake=fake), f"D{next(_ids):08d}"
    assert post_event(client, message("hei", person, dm), secret="wrong").status_code == 401
    assert post_event(client, message("hei", person, dm), timestamp=int(time.time()) - 600).status_code == 401
    time.sleep(0.3)
    assert not [c for c in fake.calls_of("chat.postMessage") if c.get("channel") == dm]


def test_a_rate_limited_call_is_retried(client, fake):
    person, dm = new_user(fake=fake), f"D{next(_ids):08d}"
    fake.fail_next("chat.postMessage", retry_after=1)
    post_event(client, message("hvor mye aksjekapital trenger et AS", person, dm))
    calls = fake.wait_for("chat.postMessage", 2, where=lambda c: c.get("channel") == dm, seconds=15)
    assert "30 000" in calls[1]["text"] and calls[1].at - calls[0].at >= 0.9  # after Retry-After


# --- slash command ------------------------------------------------------------------------------------------------

def slash(client, fake, user: str, text: str, name: str):
    return post_form(client, {"command": "/veiviser", "text": text, "user_id": user, "user_name": "u",
                              "channel_id": "C0GENERAL", "team_id": TEAM_ID, "token": "x", "trigger_id": "1.2",
                              "response_url": fake.response_url(name), "api_app_id": "A0TEST"})


def responses(fake, name: str, count: int = 1) -> list:
    return fake.wait_for("response", count, where=lambda c: c["_url"] == name)


def test_slash_command_answers_ephemerally_and_the_answer_can_be_shared(client, fake):
    person, name = new_user(fake=fake), f"slash{next(_ids)}"
    assert slash(client, fake, person, "hvor mye aksjekapital trenger et AS", name).status_code == 200
    reply = responses(fake, name)[0]
    assert reply["response_type"] == "ephemeral" and "30 000" in reply["text"]
    share = action_values(reply["blocks"])["veiviser_share"]
    press(client, fake, person, "veiviser_share", share, name=name)
    shared = responses(fake, name, 2)[1]
    assert shared["response_type"] == "in_channel" and "30 000" in all_text(shared["blocks"])
    assert f"<@{person}>" in all_text(shared["blocks"])


@pytest.mark.parametrize("text, expected", [
    ("moduler", "Kursmoduler"), ("modules", "Course modules"), ("hjelp", "/veiviser"), ("hjälp", "Fråga mig"),
    ("help", "Ask me anything"), ("", "/veiviser"),
])
def test_slash_subcommands(client, fake, text, expected):
    person, name = new_user(fake=fake), f"sub{next(_ids)}"
    slash(client, fake, person, text, name)
    reply = responses(fake, name)[0]
    assert reply["response_type"] == "ephemeral"
    assert expected in reply["text"] + all_text(reply.get("blocks") or [])


def test_slash_mentor_finds_mentors(client, fake):
    person, name = new_user(fake=fake), f"mentor{next(_ids)}"
    slash(client, fake, person, "mentor finansiering i Trøndelag", name)
    reply = responses(fake, name)[0]
    assert "Kari Eksempel" in all_text(reply["blocks"])
    assert any(v.startswith("m-kari-sample|") for v in action_values(reply["blocks"]).values())


# --- buttons and the Home tab -------------------------------------------------------------------------------------

def ask_in_channel(client, fake, person: str) -> tuple[str, str, dict]:
    channel = f"C{next(_ids):08d}"
    event = mention("hvor mye aksjekapital trenger et AS", person, channel)
    post_event(client, event)
    return channel, event["ts"], action_values(posted_to(fake, channel)[0]["blocks"])


def test_feedback_button_is_stored_against_the_turn(client, fake, bot_runtime):
    person = new_user(fake=fake)
    channel, thread, values = ask_in_channel(client, fake, person)
    down = values["veiviser_feedback_down"]
    assert press(client, fake, person, "veiviser_feedback_down", down, channel, thread, "fb").status_code == 200
    fake.wait_for("response", where=lambda c: c["_url"] == "fb" and "Takk" in c["text"])
    turn = bot_runtime.records.turn(down.split("|")[1])
    assert turn["feedback"]["helpful"] is False and turn["user_id"] == person


def test_mentor_button_asks_first_then_records_the_request_and_dms_the_mentor(client, fake, bot_runtime):
    person = new_user(fake=fake)
    channel, thread, values = ask_in_channel(client, fake, person)
    action, talk = next((k, v) for k, v in values.items() if k.startswith("veiviser_mentor_"))
    name = f"mt{next(_ids)}"
    press(client, fake, person, action, talk, channel, thread, name)
    consent = responses(fake, name)[0]
    yes = action_values(consent["blocks"])["veiviser_mentor_yes"]
    assert not bot_runtime.records.mentor_requests(channel="slack", user_id=person)
    assert not fake.calls_of("conversations.open")
    press(client, fake, person, "veiviser_mentor_yes", yes, channel, thread, name)
    told = responses(fake, name, 2)[1]
    assert told["replace_original"] is True
    mentor_id = talk.split("|")[0]
    slack_id = next(m.contact["slack"] for m in bot_runtime.assistant.mentors if m.id == mentor_id)
    opened = fake.wait_for("conversations.open", where=lambda c: c["users"] == slack_id)
    dm = fake.wait_for("chat.postMessage", where=lambda c: c["channel"] == "D" + slack_id[1:])[0]
    assert f"<@{person}>" in dm["text"] and "aksjekapital" in dm["text"] and channel in dm["text"] and opened
    requests = bot_runtime.records.mentor_requests(channel="slack", user_id=person)
    assert len(requests) == 1 and requests[0]["mentor_id"] == mentor_id and requests[0]["turn_id"]
    # the Home tab lists the open request
    post_event(client, {"type": "app_home_opened", "user": person, "channel": "D0HOME", "tab": "home",
                        "event_ts": ts()})
    view = fake.wait_for("views.publish", where=lambda c: c["user_id"] == person)[0]["view"]
    names = {m.id: m.name for m in bot_runtime.assistant.mentors}
    assert names[mentor_id] in all_text(view["blocks"])


def test_app_home_shows_what_veiviser_does_and_the_modules(client, fake):
    person = new_user("sv-SE", fake)
    post_event(client, {"type": "app_home_opened", "user": person, "channel": "D0HOME", "tab": "home",
                        "event_ts": ts()})
    view = fake.wait_for("views.publish", where=lambda c: c["user_id"] == person)[0]["view"]
    assert view["type"] == "home" and "/veiviser" in all_text(view["blocks"])
    assert "Modul 1" in all_text(view["blocks"]) or "Modul" in all_text(view["blocks"])


# --- Socket Mode --------------------------------------------------------------------------------------------------

def test_socket_mode_receives_an_envelope_over_a_websocket_acknowledges_it_and_answers(bot_runtime, fake):
    """Socket Mode end to end against the fake: apps.connections.open, the WebSocket, `hello`, one `events_api`
    envelope pushed by the server, its acknowledgement sent back, and the answer posted in the thread."""
    import asyncio

    from pydantic import SecretStr

    from bot.channels.slack.registration import SlackChannel

    person, dm = new_user(fake=fake), f"D{next(_ids):08d}"
    event = message("hvor mye aksjekapital trenger et AS", person, dm)
    payload = {"team_id": TEAM_ID, "api_app_id": "A0TEST", "type": "event_callback", "event_id": f"Ev{next(_ids)}",
               "event_time": int(time.time()), "event": event,
               "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
    settings = bot_runtime.settings.model_copy(update={"slack_app_token": SecretStr("xapp-1-test"),
                                                       "slack_signing_secret": SecretStr("")})
    envelope_id = f"env-{next(_ids)}"

    async def run() -> None:
        channel = SlackChannel(settings, bot_runtime)
        assert channel.handler is None  # no signing secret: no HTTP route, only the socket
        await channel.start()
        try:
            await asyncio.to_thread(fake.wait_for_socket)
            assert await asyncio.to_thread(fake.send_envelope, "events_api", payload, envelope_id) >= 1
            await asyncio.to_thread(fake.wait_for_ack, envelope_id)
            await asyncio.to_thread(posted_to, fake, dm)
        finally:
            await channel.stop()

    asyncio.run(run())
    assert fake.calls_of("apps.connections.open")
    reply = posted_to(fake, dm)[0]
    assert reply["thread_ts"] == event["ts"] and "30 000" in reply["text"]


# --- language, forget, shortcuts ----------------------------------------------------------------------------------

def test_slash_language_stores_the_choice_and_the_next_answer_uses_it(client, fake, bot_runtime):
    person, name = new_user("nb-NO", fake), f"lang{next(_ids)}"
    slash(client, fake, person, "språk", name)
    offered = responses(fake, name)[0]
    assert set(action_values(offered["blocks"])) == {f"veiviser_language_{c}" for c in ("nb", "nn", "sv", "en")}
    press(client, fake, person, "veiviser_language_sv", "sv", name=name)
    assert "svenska" in responses(fake, name, 2)[1]["text"]
    assert bot_runtime.records.preferred_language("slack", person) == "sv"
    slash(client, fake, person, "language nynorsk", name)
    assert "nynorsk" in responses(fake, name, 3)[2]["text"]
    assert bot_runtime.records.preferred_language("slack", person) == "nn"
    help_name = f"{name}-help"
    slash(client, fake, person, "hjelp", help_name)
    assert "/veiviser" in responses(fake, help_name)[0]["text"]


def test_slash_forget_asks_first_then_deletes_everything_about_the_person(client, fake, bot_runtime):
    person = new_user(fake=fake)
    _, _, values = ask_in_channel(client, fake, person)
    turn_id = values["veiviser_feedback_up"].split("|")[1]
    assert bot_runtime.records.turn(turn_id) is not None
    name = f"forget{next(_ids)}"
    slash(client, fake, person, "glem", name)
    confirm = responses(fake, name)[0]
    assert set(action_values(confirm["blocks"])) == {"veiviser_forget_yes", "veiviser_forget_no"}
    press(client, fake, person, "veiviser_forget_no", "n", name=name)
    assert "Ingenting" in responses(fake, name, 2)[1]["text"]
    assert bot_runtime.records.turn(turn_id) is not None
    press(client, fake, person, "veiviser_forget_yes", "y", name=name)
    done = responses(fake, name, 3)[2]
    assert done["replace_original"] is True and "Ferdig" in done["text"]
    assert bot_runtime.records.turn(turn_id) is None


def shortcut(client, fake, kind: str, callback_id: str, user: str, name: str, **extra):
    payload = {"type": kind, "callback_id": callback_id, "trigger_id": f"trigger-{next(_ids)}",
               "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID}, "api_app_id": "A0TEST",
               "token": "x", "action_ts": ts(), **extra}
    if kind == "message_action":
        payload["response_url"] = fake.response_url(name)
    return post_form(client, {"payload": json.dumps(payload)})


def test_the_message_shortcut_answers_that_message_for_the_presser_alone(client, fake):
    person, author, name = new_user("sv-SE", fake), new_user(fake=fake), f"msc{next(_ids)}"
    note = {"type": "message", "user": author, "ts": ts(),
            "text": f"<@{author}> hur mycket aktiekapital behöver ett aktiebolag"}
    response = shortcut(client, fake, "message_action", "veiviser_ask_message", person, name,
                        message=note, channel={"id": "C0GENERAL"}, message_ts=note["ts"])
    assert response.status_code == 200
    reply = responses(fake, name)[0]
    assert reply["response_type"] == "ephemeral" and "aktiekapital" in reply["text"]
    assert "veiviser_share" in action_values(reply["blocks"])


def test_the_global_shortcut_opens_a_modal_and_the_answer_comes_as_a_direct_message(client, fake):
    person = new_user("nn-NO", fake)
    assert shortcut(client, fake, "shortcut", "veiviser_ask", person, "gs").status_code == 200
    opened = fake.wait_for("views.open", where=lambda c: c["view"]["callback_id"] == "veiviser_ask_modal"
                           and c["trigger_id"].startswith("trigger-"))[-1]
    assert opened["view"]["title"]["text"] and opened["view"]["blocks"][0]["type"] == "input"

    def submit(text: str):
        view = {"id": "V0MODAL", "type": "modal", "callback_id": "veiviser_ask_modal",
                "state": {"values": {"question": {"question": {"type": "plain_text_input", "value": text}}}}}
        payload = {"type": "view_submission", "user": {"id": person, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
                   "api_app_id": "A0TEST", "token": "x", "trigger_id": "1.2.3", "view": view}
        return post_form(client, {"payload": json.dumps(payload)})

    refused = submit("   ")
    assert refused.status_code == 200 and refused.json()["response_action"] == "errors"
    assert submit("korleis kan bygda eige butikken saman").status_code == 200
    dm = "D" + person[1:]
    reply = posted_to(fake, dm)[0]
    assert "thread_ts" not in reply.params and "butikken" in all_text(reply["blocks"])
    assert "veiviser_feedback_up" in action_values(reply["blocks"])


def test_an_error_while_answering_posts_an_apology_and_logs_the_event_id_only(client, fake, caplog):
    person, dm = new_user("sv-SE", fake), f"D{next(_ids):08d}"
    event_id, secret_words = f"Ev{next(_ids):08d}", "hemliga aktiekapital frågan"
    fake.error_next("chat.postMessage")
    with caplog.at_level(logging.INFO):
        post_event(client, message(secret_words, person, dm), event_id)
        calls = posted_to(fake, dm, 2)
    assert calls[1]["text"] == "Något gick fel hos oss. Försök igen om en stund." and calls[1]["thread_ts"]
    logged = caplog.text  # messages and tracebacks
    assert event_id in logged and secret_words not in logged and "xoxb" not in logged
