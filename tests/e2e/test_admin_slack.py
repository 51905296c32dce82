"""`/veiviser reingest` in Slack: staff Slack users re-ingest and get the summary (the staff channel too); anyone
else is refused politely and nothing is ingested."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from tests.e2e.test_slack import SECRET, TOKEN, new_user, responses, slash
from tests.helpers import add_staff, ingested_runtime

pytestmark = pytest.mark.e2e
STAFF_CHANNEL = "C0STAFFROOM"


@pytest.fixture(scope="module")
def setup(tmp_path_factory, embedder, fake_slack):
    with ingested_runtime(tmp_path_factory.mktemp("slack-staff"), embedder, slack_bot_token=TOKEN,
                          slack_signing_secret=SECRET, slack_api_base_url=fake_slack.base_url,
                          slack_staff_channel=STAFF_CHANNEL) as (rt, knowledge):
        with TestClient(create_app(rt.settings, rt)) as client:
            yield client, rt, knowledge


def test_a_staff_member_reingests_from_slack_and_the_staff_channel_hears_of_it(setup, fake_slack):
    client, rt, knowledge = setup
    person = new_user("sv-SE", fake_slack)
    add_staff(rt, "kari@example.org", slack_user_id=person)
    (knowledge / "articles/nb/ny.md").write_text("---\nid: ny-nb\nlang: nb\n---\n# Ny\nEn ny artikkel om styret.\n")
    fake_slack.clear()
    assert slash(client, fake_slack, person, "reingest", "staff").status_code == 200
    started, done = responses(fake_slack, "staff", 2)
    assert started["text"] == "Läser in materialet på nytt…"
    assert done["text"].startswith("Ny inläsning (Slack): 1 tillagda, 0 uppdaterade, 0 borttagna, 7 oförändrade")
    posted = fake_slack.wait_for("chat.postMessage", 1, where=lambda c: c["channel"] == STAFF_CHANNEL)
    assert posted[0]["text"].startswith("Ny innlesing (Slack): 1 lagt til")
    assert "ny-nb" in rt.live.current().documents


def test_someone_who_is_not_staff_is_refused_politely_and_nothing_is_ingested(setup, fake_slack):
    client, rt, knowledge = setup
    (knowledge / "articles/nb/ikke.md").write_text("---\nid: ikke-nb\nlang: nb\n---\n# Ikke\nDette skal ikke inn.\n")
    try:
        person = new_user("nb-NO", fake_slack)
        fake_slack.clear()
        assert slash(client, fake_slack, person, "reingest", "stranger").status_code == 200
        (refusal,) = responses(fake_slack, "stranger", 1)
        assert refusal["text"].startswith("Beklager, bare programteamet kan lese inn materialet på nytt.")
        assert refusal["response_type"] == "ephemeral"
        assert "ikke-nb" not in rt.live.current().documents
        assert not fake_slack.calls_of("chat.postMessage")
    finally:
        (knowledge / "articles/nb/ikke.md").unlink()
