"""The web chat shows the organisations attached to an answer, in headless Chromium against the real app: linked
only through safe addresses, written as text (never as markup)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_web_chat import chromium, hrefs, server  # noqa: F401 - `server` is a fixture

pytestmark = pytest.mark.e2e


def test_organisations_under_a_real_answer_and_hostile_ones_stay_harmless(server: str):  # noqa: F811
    with chromium("nb-NO") as (page, problems):
        page.goto(server + "/")
        page.fill("#q", "Hvor mye aksjekapital trenger et aksjeselskap?")
        page.click("#send")
        page.locator(".bot.answer").wait_for(timeout=60_000)  # the first answer also loads the models
        answer = page.locator(".bot.answer").first
        assert "Organisasjoner som kan hjelpe:" in answer.inner_text()
        brreg = answer.locator("li", has_text="Brønnøysundregistrene")
        assert brreg.locator("a").get_attribute("href") == "https://www.brreg.no/"
        assert "Registrerer nye foretak" in brreg.inner_text()

        hostile = {
            "question": "q", "language": "nb", "answer": "Svar.", "confident": True, "turn_id": None,
            "sources": [], "mentors": [], "read_next": [],
            "organisations": [
                {"id": "a", "name": "<img src=x id=injected>", "url": " javascript:alert(1)", "offer": "<b>fet</b>"},
                {"id": "b", "name": "Trygg", "url": "https://example.org/trygg", "offer": "Gir råd."},
            ],
        }
        page.route("**/api/ask", lambda route: route.fulfill(status=200, body=json.dumps(hostile),
                                                            content_type="application/json"))
        page.fill("#q", "enda et spørsmål")
        page.click("#send")
        page.locator(".bot.answer").nth(1).wait_for()
        second = page.locator(".bot.answer").nth(1)
        assert page.locator("#injected").count() == 0 and "<b>fet</b>" in second.inner_text()
        assert "javascript" not in " ".join(hrefs(page, ".bot.answer a")).lower()
        assert second.locator("a", has_text="Trygg").get_attribute("href") == "https://example.org/trygg"
        assert not problems, problems
