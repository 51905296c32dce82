"""`/veiviser reingest` in Slack: staff Slack users re-ingest and get the summary (the staff channel too); anyone
else is refused politely and nothing is ingested."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from bot.admin.auth import hash_password
from bot.app import create_app
from tests.conftest import FIXTURES, make_settings
from tests.e2e.test_slack import SECRET, TOKEN, new_user, responses, slash
from tests.fakes.slack_api import FakeSlack

pytestmark = pytest.mark.e2e
STAFF_CHANNEL = "C0STAFFROOM"


@pytest.fixture(scope="module")
def fake_api():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def setup(tmp_path_factory, embedder, fake_api):
    from bot.runtime import build_runtime

    base = tmp_path_factory.mktemp("slack-staff")
    knowledge = base / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", knowledge)
    settings = make_settings(base / "store", knowledge_dirs=[knowledge], slack_bot_token=TOKEN,
                             slack_signing_secret=SECRET, slack_api_base_url=fake_api.base_url,
                             slack_staff_channel=STAFF_CHANNEL)
    rt = build_runtime(settings, embedder)
    rt.ingest.run()
    with TestClient(create_app(settings, rt)) as client:
        yield client, rt, knowledge
    rt.close()


def test_a_staff_member_reingests_from_slack_and_the_staff_channel_hears_of_it(setup, fake_api):
    client, rt, knowledge = setup
    person = new_user("sv-SE", fake_api)
    rt.records.staff.add("kari@example.org", hash_password("a long staff password"), slack_user_id=person)
    (knowledge / "articles/nb/ny.md").write_text("---\nid: ny-nb\nlang: nb\n---\n# Ny\nEn ny artikkel om styret.\n")
    fake_api.clear()
    assert slash(client, fake_api, person, "reingest", "staff").status_code == 200
    started, done = responses(fake_api, "staff", 2)
    assert started["text"] == "Läser in materialet på nytt…"
    assert done["text"].startswith("Ny inläsning (Slack): 1 tillagda, 0 uppdaterade, 0 borttagna, 7 oförändrade")
    posted = fake_api.wait_for("chat.postMessage", 1, where=lambda c: c["channel"] == STAFF_CHANNEL)
    assert posted[0]["text"].startswith("Ny innlesing (Slack): 1 lagt til")
    assert "ny-nb" in rt.live.current().documents


def test_someone_who_is_not_staff_is_refused_politely_and_nothing_is_ingested(setup, fake_api):
    client, rt, knowledge = setup
    (knowledge / "articles/nb/ikke.md").write_text("---\nid: ikke-nb\nlang: nb\n---\n# Ikke\nDette skal ikke inn.\n")
    try:
        person = new_user("nb-NO", fake_api)
        fake_api.clear()
        assert slash(client, fake_api, person, "reingest", "stranger").status_code == 200
        (refusal,) = responses(fake_api, "stranger", 1)
        assert refusal["text"].startswith("Beklager, bare programteamet kan lese inn materialet på nytt.")
        assert refusal["response_type"] == "ephemeral"
        assert "ikke-nb" not in rt.live.current().documents
        assert not fake_api.calls_of("chat.postMessage")
    finally:
        (knowledge / "articles/nb/ikke.md").unlink()
