"""The web chat in a real browser (headless Chromium through Playwright) against the real app on a loopback port."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import uvicorn

from bot.app import create_app

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
SAFE_LINK = re.compile(r"^(https?://[^\s]+|mailto:[^\s@]+@[^\s@]+)$")
SCREENSHOT = Path("/tmp/webchat.png")


@pytest.fixture()
def server(runtime) -> Iterator[str]:
    """The app (with the test runtime) served by uvicorn in a background thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(runtime.settings, runtime), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@contextmanager
def chromium(locale: str):
    """A fresh headless Chromium page; a missing browser fails the test (it is part of `make test`'s setup)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: install Chromium (apt-get install chromium) to run browser tests"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(locale=locale, viewport={"width": 900, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(10_000)
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda message: problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None,
            )
            page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
            yield page, problems
        finally:
            browser.close()


def hrefs(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "links => links.map(a => a.href)")


def test_asking_in_the_web_chat(server: str):
    with chromium("nb-NO") as (page, problems):
        response = page.goto(server + "/")
        assert response.ok and page.locator("html").get_attribute("lang") == "nb"
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
        assert response.headers.get("x-frame-options") == "DENY"
        assert "{{" not in page.content(), "a placeholder of chat.html was not filled"

        held = []  # the question is held back in the browser until the waiting state has been checked
        page.route("**/api/ask", lambda route: held.append(route))
        page.fill("#q", "Hvor mye aksjekapital trenger et aksjeselskap?")
        page.click("#send")
        page.locator(".thinking").wait_for()
        assert page.locator(".thinking").inner_text().strip() == "Tenker …"
        assert page.is_disabled("#send") and page.is_disabled("#q")
        assert page.get_attribute("#log", "aria-busy") == "true"
        assert len(held) == 1
        sent = held[0].request.post_data_json
        assert sent["question"].startswith("Hvor mye") and re.fullmatch(r"[0-9a-f]{32}", sent["conversation_id"])
        with page.expect_response("**/api/ask") as asked:
            held[0].continue_()
        answer = asked.value.json()

        page.locator(".bot.answer").wait_for()
        assert page.locator(".thinking").count() == 0
        assert page.is_enabled("#send") and page.is_enabled("#q")
        assert page.get_attribute("#log", "aria-busy") == "false"
        assert page.evaluate("document.activeElement.id") == "q"
        assert "30 000" in page.locator(".bot.answer .text").inner_text()

        read_next = page.locator(".bot.answer li", has_text="Modul 4:").first
        assert read_next.inner_text() == "Modul 4: Velg selskapsform for et sosialt foretak"
        assert read_next.locator("a").get_attribute("href") == "https://example.org/moduler/4"

        mentors = page.locator(".bot.answer li", has_text="(sample)")
        assert mentors.count() >= 1
        contact_links = hrefs(page, ".bot.answer li a")
        assert "mailto:kari@example.no" in contact_links and "https://t.me/kari_sample" in contact_links
        assert all(SAFE_LINK.match(href) for href in hrefs(page, "a")), hrefs(page, "a")

        assert answer["turn_id"]
        with page.expect_response("**/api/feedback") as voted:
            page.get_by_role("button", name="Ja, nyttig").click()
        assert 200 <= voted.value.status < 300, voted.value.text()
        assert json.loads(voted.value.request.post_data) == {"turn_id": answer["turn_id"], "helpful": True}
        page.get_by_text("Takk for tilbakemeldingen!").wait_for()
        assert page.locator(".bot.answer .feedback button").count() == 0

        page.screenshot(path=str(SCREENSHOT), full_page=True)
        assert not problems, problems

    for path in ("/docs", "/redoc"):  # no page that loads scripts from a CDN
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server + path, timeout=5)
        assert refused.value.code == 404


def test_hostile_data_and_errors_stay_harmless(server: str):
    """The page's own guards, with the API's replies stood in for at the browser's network seam."""
    hostile = {
        "question": "q",
        "language": "sv",
        "answer": '<img src=x id=injected> svar',
        "confident": True,
        "turn_id": "t-1",
        "sources": [
            {"id": "s1", "title": "Källa ett", "path": "a.md", "url": " JAVASCRIPT:alert(1)", "module": None},
            {"id": "s2", "title": "Källa två", "path": "b.md", "url": "data:text/html,<b>x</b>", "module": None},
            {"id": "s3", "title": "Källa tre", "path": "c.md", "url": "https://example.org/3", "module": None},
        ],
        "mentors": [
            {"name": "Mentor <b>", "organisation": "Org", "contact": "@good_name, java\nscript:alert(2), x@example.se"}
        ],
        "read_next": [{"id": "m04 sv", "title": "Välj <i>form</i>", "module": 4, "url": "java\tscript:alert(3)"}],
    }
    replies = iter(
        [
            {"status": 200, "body": json.dumps(hostile), "content_type": "application/json"},
            {"status": 429, "body": "slow down", "content_type": "text/plain"},
            {"status": 503, "body": json.dumps({"detail": "Underhåll pågår."}), "content_type": "application/json"},
        ]
    )
    bodies: list[dict] = []

    def reply(route) -> None:
        bodies.append(route.request.post_data_json)
        route.fulfill(**next(replies))

    with chromium("sv-SE") as (page, problems):
        page.goto(server + "/")
        page.route("**/api/ask", reply)
        page.route("**/api/feedback", lambda route: route.fulfill(status=404, body='{"detail": "no"}'))

        page.fill("#q", "fråga ett")
        page.press("#q", "Enter")
        answer = page.locator(".bot.answer")
        answer.wait_for()
        assert page.locator("#injected").count() == 0 and "<img src=x id=injected> svar" in answer.inner_text()
        assert page.locator(".bot.answer i, .bot.answer b").count() == 0
        links = hrefs(page, ".bot.answer a")
        assert all(SAFE_LINK.match(href) or href.startswith(server + "/read/") for href in links), links
        assert links == [
            server + "/read/m04%20sv",
            "https://t.me/good_name",
            "mailto:x@example.se",
            "https://example.org/3",
        ]
        assert "Modul 4: Välj <i>form</i>" in answer.inner_text()

        page.get_by_role("button", name="Nej, inte till hjälp").click()
        page.get_by_text("Det gick inte att spara din återkoppling.").wait_for()

        page.fill("#q", "fråga två")
        page.click("#send")
        page.get_by_text("Du har ställt många frågor på kort tid. Vänta en stund och försök igen.").wait_for()
        assert page.is_enabled("#send") and page.input_value("#q") == "fråga två"
        assert page.evaluate("document.activeElement.id") == "q"

        page.click("#send")
        page.get_by_text("Underhåll pågår.").wait_for()
        assert page.is_enabled("#send") and page.get_attribute("#log", "aria-busy") == "false"

        assert len({body["conversation_id"] for body in bodies}) == 1 and len(bodies) == 3
        assert not problems, problems
