"""The Telegram channel end to end: updates posted to `POST /telegram/webhook` of the real app, answered through a
local fake Telegram Bot API server (tests/fakes/telegram_api.py) that the bot reaches via TELEGRAM_API_BASE_URL."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from tests.conftest import make_settings
from tests.fakes.telegram_api import BOT_USER, FakeTelegram

pytestmark = pytest.mark.e2e
TOKEN = "123456:TEST-token"
SECRET = "webhook-secret_1"
HOOK_URL = "https://veiviser.example.org/telegram/webhook"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def fake():
    server = FakeTelegram().start()
    yield server
    server.stop()


def telegram_settings(store, tmp_path, fake, **extra):
    return make_settings(
        store, database_url=f"sqlite:///{tmp_path / 'telegram.sqlite3'}", telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET, telegram_api_base_url=fake.base_url, telegram_webhook_url=HOOK_URL,
        rate_limit_burst=4, **extra,
    )


@pytest.fixture(scope="module")
def bot_runtime(ingested_store, tmp_path_factory, embedder, fake):
    from bot.runtime import build_runtime

    rt = build_runtime(telegram_settings(ingested_store, tmp_path_factory.mktemp("tg"), fake), embedder)
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(bot_runtime):
    with TestClient(create_app(bot_runtime.settings, bot_runtime)) as test_client:
        yield test_client


# --- building updates ---------------------------------------------------------------------------------------------

def user(user_id: int, lang: str | None = "nb") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", **({"language_code": lang} if lang else {})}


def message(text: str | None, user_id: int, chat_id: int | None = None, lang: str | None = "nb", **extra) -> dict:
    chat_id = chat_id or user_id
    body = {"message_id": next(_ids), "date": int(time.time()), "from": user(user_id, lang),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}}
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return body | extra


def update(kind: str = "message", **payload) -> dict:
    return {"update_id": next(_ids), kind: payload[kind] if kind in payload else payload}


def text_update(text: str | None, user_id: int, **extra) -> dict:
    return {"update_id": next(_ids), "message": message(text, user_id, **extra)}


def callback_update(data: str, user_id: int, lang: str = "nb") -> dict:
    return {"update_id": next(_ids), "callback_query": {
        "id": str(next(_ids)), "from": user(user_id, lang), "chat_instance": "ci", "data": data,
        "message": {"message_id": next(_ids), "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
                    "from": BOT_USER, "text": "earlier answer"}}}


def post(client, body: dict, secret: str | None = SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/telegram/webhook", json=body, headers=headers)


def new_user() -> int:
    return 5_000_000 + next(_ids)


def sent_to(fake, chat_id: int, count: int = 1, seconds: float = 10.0):
    return fake.wait_for("sendMessage", count, seconds, where=lambda c: int(c["chat_id"]) == chat_id)


def callbacks(markup: dict) -> list[str]:
    return [b.get("callback_data", "") for row in markup["inline_keyboard"] for b in row]


# --- start-up -----------------------------------------------------------------------------------------------------

def test_start_up_publishes_localised_commands_and_registers_the_webhook(client, fake):
    commands = {c.get("language_code"): c["commands"] for c in fake.calls_of("setMyCommands")}
    assert set(commands) == {None, "nb", "nn", "sv", "en"}
    for listed in commands.values():
        assert [c["command"] for c in listed] == ["start", "help", "modules", "mentor", "language", "forget"]
        assert all(re.fullmatch(r"[a-z0-9_]{1,32}", c["command"]) for c in listed)
    assert commands["nb"][5]["description"] != commands["en"][5]["description"]
    hook = fake.calls_of("setWebhook")[-1]
    assert hook["url"] == HOOK_URL and hook["secret_token"] == SECRET


# --- private questions --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang, expected", [
    ("hvor mye aksjekapital trenger et AS", "nb", "30 000"),
    ("korleis kan bygda eige butikken saman", "nn", "Frå «"),
    ("hur mycket aktiekapital behöver ett aktiebolag", "sv", "aktiekapital"),
])
def test_private_questions_are_answered_in_html_in_the_askers_language(client, fake, text, lang, expected):
    person = new_user()
    assert post(client, text_update(text, person, lang=lang)).status_code == 200
    reply = sent_to(fake, person)[0]
    assert reply["parse_mode"] == "HTML" and expected in reply["text"]
    assert "<b>" in reply["text"] and "<i>" in reply["text"]  # read next / sources
    assert any(d.startswith("fb:1:") for d in callbacks(reply["reply_markup"]))


def test_wrong_or_missing_secret_is_refused_before_anything_happens(client, fake, bot_runtime):
    person = new_user()
    body = text_update("hvor mye aksjekapital trenger et AS", person)
    assert post(client, body, secret="wrong").status_code == 403
    assert post(client, body, secret=None).status_code == 403
    assert post(client, {"not": "json at all"}).status_code == 400
    assert post(client, body).status_code == 200  # the refused deliveries claimed nothing
    assert len(sent_to(fake, person)) == 1


def test_the_same_update_delivered_twice_is_answered_once(client, fake):
    person = new_user()
    body = text_update("hvor mye aksjekapital trenger et AS", person)
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    sent_to(fake, person)
    later = text_update("hur mycket aktiekapital behöver ett aktiebolag", person, lang="sv")
    assert post(client, later).status_code == 200
    answers = sent_to(fake, person, 2)
    assert len(answers) == 2 and "aktiekapital" in answers[1]["text"]


def test_edited_message_is_answered_as_a_new_question(client, fake):
    person = new_user()
    edited = {"update_id": next(_ids), "edited_message": message("hvor mye aksjekapital trenger et AS", person)
              | {"edit_date": int(time.time())}}
    assert post(client, edited).status_code == 200
    assert "30 000" in sent_to(fake, person)[0]["text"]


def test_photos_and_stickers_get_a_short_explanation(client, fake):
    person = new_user()
    photo = text_update(None, person) | {}
    photo["message"]["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 10, "height": 10}]
    assert post(client, photo).status_code == 200
    reply = sent_to(fake, person)[0]
    assert "tekst" in reply["text"] and "/help" in reply["text"]


# --- groups -------------------------------------------------------------------------------------------------------

def test_group_messages_are_answered_only_when_the_bot_is_addressed(client, fake):
    person, group = new_user(), -100_000 - next(_ids)
    post(client, text_update("hvor mye aksjekapital trenger et AS", person, chat_id=group))
    text = "@veiviser_test_bot hvor mye aksjekapital trenger et AS"
    asking = text_update(text, person, chat_id=group)
    asking["message"]["entities"] = [{"type": "mention", "offset": 0, "length": 18}]
    post(client, asking)
    replies = sent_to(fake, group)
    assert "30 000" in replies[0]["text"]
    assert replies[0]["reply_parameters"]["message_id"] == asking["message"]["message_id"]
    replying = text_update("og hva med ENK?", person, chat_id=group)
    replying["message"]["reply_to_message"] = {"message_id": 1, "date": 1, "chat": {"id": group, "type": "supergroup"},
                                               "from": BOT_USER, "text": "earlier"}
    post(client, replying)
    assert len(sent_to(fake, group, 2)) == 2  # the unaddressed first message got nothing


def test_a_command_addressed_to_the_bot_in_a_group_is_answered(client, fake):
    person, group = new_user(), -100_000 - next(_ids)
    post(client, text_update("/help@veiviser_test_bot", person, chat_id=group))
    post(client, text_update("/help@some_other_bot", person, chat_id=group))
    marker = new_user()
    post(client, text_update("/help", marker))
    sent_to(fake, marker)
    replies = sent_to(fake, group)
    assert len(replies) == 1 and "/mentor" in replies[0]["text"]


def test_follow_ups_in_a_chat_use_its_history(client, fake, bot_runtime):
    person = new_user()
    post(client, text_update("korleis registrerer eg eit føretak", person, lang=None))
    sent_to(fake, person)
    post(client, text_update("Takk", person, lang=None))
    sent_to(fake, person, 2)
    history = bot_runtime.records.history("telegram", f"telegram:{person}")
    assert [turn.question for turn in history] == ["korleis registrerer eg eit føretak", "Takk"]
    assert [turn.language for turn in history] == ["nn", "nn"]  # the chat's last language settles "Takk"


def test_other_bots_are_never_answered(client, fake):
    group = -100_000 - next(_ids)
    robot = text_update("@veiviser_test_bot hvor mye aksjekapital", new_user(), chat_id=group)
    robot["message"]["from"]["is_bot"] = True
    robot["message"]["entities"] = [{"type": "mention", "offset": 0, "length": 18}]
    post(client, robot)
    person = new_user()
    marker = text_update("/help", person)
    post(client, marker)
    sent_to(fake, person)
    assert not [c for c in fake.calls_of("sendMessage") if int(c["chat_id"]) == group]


# --- commands -----------------------------------------------------------------------------------------------------

def test_start_help_and_modules(client, fake):
    person = new_user()
    post(client, text_update("/start", person))
    welcome = sent_to(fake, person)[0]
    assert "Veiviser" in welcome["text"] and "lg:nn" in callbacks(welcome["reply_markup"])
    post(client, text_update("/start m04", person))
    module = sent_to(fake, person, 2)[1]
    assert module["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://example.org/moduler/4"
    post(client, text_update("/help", person))
    assert "/mentor" in sent_to(fake, person, 3)[2]["text"]
    post(client, text_update("/modules", person))
    listing = sent_to(fake, person, 4)[3]
    buttons = [b["text"] for row in listing["reply_markup"]["inline_keyboard"] for b in row]
    assert "Modul 4: Velg selskapsform for et sosialt foretak" in buttons  # a Bokmål reader: the Bokmål version
    assert "Modul 12: Sosiale verksemder i bygdene" in listing["text"]  # no link: listed, not a button
    swede = new_user()
    post(client, text_update("/modules", swede, lang="sv"))
    assert "Modul 4: Välj företagsform" in sent_to(fake, swede)[0]["text"]


def test_language_choice_is_stored_and_wins(client, fake, bot_runtime):
    person = new_user()
    post(client, text_update("/language", person))
    assert "lg:sv" in callbacks(sent_to(fake, person)[0]["reply_markup"])
    post(client, callback_update("lg:nn", person))
    fake.wait_for("editMessageText", where=lambda c: "nynorsk" in c["text"])
    assert bot_runtime.records.preferred_language("telegram", str(person)) == "nn"
    post(client, text_update("hvor mye aksjekapital trenger et AS", person))
    assert "Frå «" in sent_to(fake, person, 2)[1]["text"]
    post(client, text_update("/language sv", person))
    assert "svenska" in sent_to(fake, person, 3)[2]["text"]


def test_forget_asks_first_then_deletes_the_users_rows(client, fake, bot_runtime):
    person = new_user()
    post(client, text_update("hvor mye aksjekapital trenger et AS", person))
    sent_to(fake, person)
    post(client, text_update("/language nb", person))
    sent_to(fake, person, 2)
    post(client, text_update("/forget", person))
    confirm = sent_to(fake, person, 3)[2]
    assert callbacks(confirm["reply_markup"]) == ["fg:y", "fg:n"]
    records = bot_runtime.records
    assert records.preferred_language("telegram", str(person)) == "nb"
    post(client, callback_update("fg:y", person))
    fake.wait_for("editMessageText", where=lambda c: "slettet" in c["text"])
    assert records.preferred_language("telegram", str(person)) is None
    with records.engine.connect() as connection:
        from sqlalchemy import text

        left = connection.execute(text("SELECT count(*) FROM turns WHERE user_id = :u"), {"u": str(person)}).scalar()
    assert left == 0


# --- buttons ------------------------------------------------------------------------------------------------------

def ask_and_get_buttons(client, fake, person: int, text: str = "hvor mye aksjekapital trenger et AS") -> list[str]:
    post(client, text_update(text, person))
    return callbacks(sent_to(fake, person)[0]["reply_markup"])


def test_feedback_button_is_stored_against_the_turn(client, fake, bot_runtime):
    person = new_user()
    down = next(d for d in ask_and_get_buttons(client, fake, person) if d.startswith("fb:0:"))
    post(client, callback_update(down, person))
    answered = fake.wait_for("answerCallbackQuery", where=lambda c: "Takk" in (c.get("text") or ""))
    assert answered
    turn = bot_runtime.records.turn(down.split(":")[2])
    assert turn["feedback"]["helpful"] is False and turn["user_id"] == str(person)


def test_mentor_button_asks_then_records_a_request_and_sends_the_contact(client, fake, bot_runtime):
    person = new_user()
    talk = next(d for d in ask_and_get_buttons(client, fake, person) if d.startswith("mt:"))
    post(client, callback_update(talk, person))
    confirm = sent_to(fake, person, 2)[1]
    yes = next(d for d in callbacks(confirm["reply_markup"]) if d.startswith("my:"))
    assert not bot_runtime.records.mentor_requests(channel="telegram", user_id=str(person))
    post(client, callback_update(yes, person))
    contact = fake.wait_for("editMessageText", where=lambda c: "@" in c["text"] and "_sample" in c["text"])
    assert contact
    requests = bot_runtime.records.mentor_requests(channel="telegram", user_id=str(person))
    assert len(requests) == 1 and requests[0]["mentor_id"] == yes.split(":")[1]
    assert requests[0]["turn_id"] == yes.split(":")[2] and requests[0]["topic"]


def test_mentor_command_finds_mentors_by_topic_and_region(client, fake):
    person = new_user()
    post(client, text_update("/mentor finansiering i Trøndelag", person))
    reply = sent_to(fake, person)[0]
    assert "Kari Eksempel" in reply["text"] and "mt:m-kari-sample" in " ".join(callbacks(reply["reply_markup"]))


def test_stale_or_unknown_buttons_are_answered_too(client, fake):
    person = new_user()
    post(client, callback_update("zz:from-an-old-version", person))
    post(client, callback_update("fb:1:0123456789abcdef", person))
    fake.wait_for("answerCallbackQuery", where=lambda c: "lenger" in (c.get("text") or ""), count=2)


# --- inline mode --------------------------------------------------------------------------------------------------

def test_inline_query_offers_the_answer_to_share(client, fake):
    person = new_user()
    body = {"update_id": next(_ids), "inline_query": {"id": f"iq{person}", "from": user(person), "query":
            "hvor mye aksjekapital trenger et AS", "offset": ""}}
    post(client, body)
    answered = fake.wait_for("answerInlineQuery", where=lambda c: c["inline_query_id"] == f"iq{person}")[0]
    result = answered["results"][0]
    assert result["type"] == "article" and "30 000" in result["input_message_content"]["message_text"]


# --- reliability --------------------------------------------------------------------------------------------------

def test_an_html_rejection_is_recovered_by_a_plain_text_resend(client, fake):
    person = new_user()
    fake.fail_next("sendMessage", status=400)
    post(client, text_update("hvor mye aksjekapital trenger et AS", person))
    first, second = sent_to(fake, person, 2)
    assert first["parse_mode"] == "HTML" and "parse_mode" not in second.params
    assert "30 000" in second["text"] and "<b>" not in second["text"]


def test_a_failure_while_replying_gives_a_short_apology_and_a_clean_log(client, fake, caplog):
    person = new_user()
    fake.fail_next("sendMessage", status=400, description="Bad Request: message is too long")
    body = text_update("hvor mye aksjekapital trenger et AS", person)
    with caplog.at_level(logging.INFO):
        post(client, body)
        apology = sent_to(fake, person, 2)[1]
    assert apology["text"] == "Noe gikk galt hos oss. Prøv igjen om litt."
    assert f"update {body['update_id']} failed" in caplog.text
    assert TOKEN not in caplog.text and "aksjekapital" not in caplog.text


def test_a_429_is_retried(client, fake):
    person = new_user()
    fake.fail_next("sendMessage", status=429, retry_after=1)
    post(client, text_update("hvor mye aksjekapital trenger et AS", person))
    first, second = sent_to(fake, person, 2)
    assert first["text"] == second["text"] and "30 000" in second["text"]


def test_too_many_questions_get_a_friendly_message(client, fake):
    person = new_user()
    for _ in range(5):  # the burst is 4
        post(client, text_update("hvor mye aksjekapital trenger et AS", person))
    replies = sent_to(fake, person, 5)
    assert sum("vent" in r["text"].lower() for r in replies) == 1


def test_an_answer_longer_than_a_message_is_split(client, fake, bot_runtime, monkeypatch):
    from bot.models import Answer

    long_text = "\n\n".join(f"Avsnitt {i}. " + "Aksjeselskap krever kapital. " * 40 for i in range(12))

    async def long_answer(question):  # the assistant's async seam, swapped for one slow and very long answer
        await asyncio.sleep(0.8)
        return Answer(question.text, "nb", long_text, True, turn_id=None)

    monkeypatch.setattr(bot_runtime.answers, "answer", long_answer)
    person = new_user()
    post(client, text_update("fortell alt om aksjeselskap", person))
    from bot.channels.telegram.render import render_answer

    expected = len(render_answer(Answer("q", "nb", long_text, True), bot_runtime.translator))
    assert expected >= 3
    messages = sent_to(fake, person, expected)
    assert len(messages) == expected and all(len(m["text"]) <= 4096 for m in messages)
    assert "".join(m["text"] for m in messages).count("Avsnitt") == 12
    typing = [c for c in fake.calls_of("sendChatAction") if int(c["chat_id"]) == person]
    assert typing and typing[0]["action"] == "typing"  # shown while a slow answer is being worked out


def test_long_polling_round_trip(ingested_store, tmp_path, embedder, fake, bot_runtime):
    settings = telegram_settings(ingested_store, tmp_path, fake, telegram_polling=True)
    person = new_user()
    fake.queue_update(text_update("hvor mye aksjekapital trenger et AS", person))
    with TestClient(create_app(settings, bot_runtime)):
        reply = sent_to(fake, person)[0]
    assert "30 000" in reply["text"]
    assert fake.calls_of("getUpdates") and fake.calls_of("deleteWebhook")


def test_a_rejected_token_stops_the_start_with_a_message_that_does_not_carry_it(bot_runtime, fake):
    from bot.channels.telegram.registration import TelegramUnavailable

    fake.fail_next("getMe", status=401, description="Unauthorized")
    with pytest.raises(TelegramUnavailable) as failure:
        with TestClient(create_app(bot_runtime.settings, bot_runtime)):
            pass
    assert "TELEGRAM_BOT_TOKEN" in str(failure.value) and TOKEN not in str(failure.value)
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_without_a_token_the_route_is_not_there(runtime):
    with TestClient(create_app(runtime.settings, runtime)) as plain:
        assert plain.post("/telegram/webhook", json={}).status_code == 404


def test_two_serve_processes_on_one_postgresql_database_answer_a_redelivered_update_once(
    ingested_store, tmp_path, postgres_url, fake
):
    import json
    import os
    import shutil
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from tests.conftest import FIXTURES
    from tests.helpers import free_port, wait_for_http

    env = os.environ | {
        "MENTORS_FILE": str(FIXTURES / "mentors.yaml"), "LLM": "", "DATABASE_URL": postgres_url,
        "KNOWLEDGE_DIRS": json.dumps([str(FIXTURES / "knowledge")]), "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": fake.base_url, "TELEGRAM_WEBHOOK_URL": "",
    }
    servers, urls = [], []
    try:
        for name in ("a", "b"):  # each its own copy of the embedded store, both on one database
            store, port = tmp_path / name, free_port()
            shutil.copytree(ingested_store, store)
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--store", str(store)],
                env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
            urls.append(f"http://127.0.0.1:{port}")
        for server, url in zip(servers, urls):
            wait_for_http(f"{url}/healthz", server, 120, "veiviser serve")
        person = new_user()
        body = text_update("hvor mye aksjekapital trenger et AS", person)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        with ThreadPoolExecutor(4) as pool:  # Telegram redelivering to both processes at once, twice each
            statuses = list(pool.map(lambda url: httpx.post(f"{url}/telegram/webhook", json=body, headers=headers,
                                                            timeout=30).status_code, urls * 2))
        assert statuses == [200] * 4
        sent_to(fake, person, seconds=30)
        later = text_update("hur mycket aktiekapital behöver ett aktiebolag", person, lang="sv")
        assert httpx.post(f"{urls[0]}/telegram/webhook", json=later, headers=headers, timeout=30).status_code == 200
        answers = sent_to(fake, person, 2, seconds=30)
        assert len(answers) == 2 and "30 000" in answers[0]["text"] and "aktiekapital" in answers[1]["text"]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
