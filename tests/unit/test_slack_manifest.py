"""The Slack app manifest in the repository matches what the app registers: the request URLs point at the one
route, every shortcut's callback id and the slash command have a listener, and the scopes cover the Web API
methods the app calls."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.channels.slack import render

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text(encoding="utf-8"))
SLACK_CODE = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot" / "channels" / "slack").glob("*.py"))


def test_every_request_url_is_the_events_route():
    settings, features = MANIFEST["settings"], MANIFEST["features"]
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    urls += [c["url"] for c in features["slash_commands"]]
    assert all(url.endswith("/slack/events") and url.startswith("https://") for url in urls)
    assert settings["interactivity"]["is_enabled"] is True


def test_shortcuts_and_the_slash_command_have_listeners():
    shortcuts = {s["callback_id"]: s["type"] for s in MANIFEST["features"]["shortcuts"]}
    assert shortcuts == {render.ASK_SHORTCUT: "global", render.ASK_MESSAGE_SHORTCUT: "message"}
    assert "@app.shortcut(render.ASK_SHORTCUT)" in SLACK_CODE
    assert "@app.shortcut(render.ASK_MESSAGE_SHORTCUT)" in SLACK_CODE
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == ["/veiviser"]
    assert '@app.command("/veiviser")' in SLACK_CODE


def test_subscribed_events_have_listeners():
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_mention", "app_home_opened", "message.channels", "message.groups", "message.im"}
    for event in {e.split(".")[0] for e in events}:
        assert f'@app.event("{event}")' in SLACK_CODE
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


# The scope each Web API method the app calls needs (https://api.slack.com/methods).
SCOPES = {"chat_postMessage": "chat:write", "chat_postEphemeral": "chat:write", "chat_update": "chat:write",
          "conversations_open": "im:write", "users_info": "users:read", "views_publish": None, "views_open": None,
          "chat_getPermalink": None}


def test_the_bot_scopes_cover_the_methods_the_app_calls():
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z]+)\(", SLACK_CODE))
    assert called <= set(SCOPES), f"add the scope of {called - set(SCOPES)} to this table and the manifest"
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {SCOPES[m] for m in called if SCOPES[m]} <= scopes
    assert {"commands", "app_mentions:read", "im:history"} <= scopes
