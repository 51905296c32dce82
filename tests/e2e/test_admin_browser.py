"""The admin pages in a real headless Chromium (Playwright) against a real `veiviser serve` on a loopback port: sign in,
upload a module, re-ingest, find it with "try it", delete it, see gaps, and every page in nb and sv (screenshots in
tests/output/admin/). One browser and one server for the whole module."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.helpers import free_port, wait_for_http

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
OUTPUT = Path(__file__).resolve().parent.parent / "output" / "admin"
EMAIL, PASSWORD = "programme@example.org", "correct horse battery staple"
NEW_MODULE = """---
id: m31-solar-nb
title: Solcelletilskudd for sosiale foretak
kind: module
module: 31
lang: nb
country: NO
---
# Solcelletilskudd for sosiale foretak

Et sosialt foretak kan søke solcelletilskudd fra Solfondet i Vestfold når det monterer solcellepaneler på taket
av et vaskeri eller et verksted. Solfondet dekker inntil 40 prosent av kostnaden for solcellepanelene.
Søknaden om solcelletilskudd sendes før monteringen starter, med et pristilbud fra installatøren.
"""
NEW_QUESTION = "Hvor mye dekker Solfondet av solcellepanelene på vaskeriet?"
UNCOVERED = "Hvordan får vi parkeringstillatelse for varebilen vår i Tromsø sentrum?"


def veiviser(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """`veiviser staff add` and `veiviser serve` in a temporary store, the knowledge ingested through the staff API;
    yields (url, knowledge folder)."""
    base = tmp_path_factory.mktemp("admin-browser")
    knowledge = base / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", knowledge)
    store = base / "store"
    env = os.environ | {"VEIVISER_STORE": str(store), "KNOWLEDGE_DIRS": json.dumps([str(knowledge)]),
                        "MENTORS_FILE": str(FIXTURES / "mentors.yaml"), "LLM": "", "CONTENT_POLL_S": "0.2",
                        "RATE_LIMIT_PER_MINUTE": "0", "ADMIN_TOKEN": "browser-test-token"}
    added = veiviser(env, "staff", "add", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/healthz", process, 120, "veiviser serve")
        reingest = urllib.request.Request(url + "/admin/api/reingest", method="POST",
                                          headers={"Authorization": "Bearer browser-test-token"})
        with urllib.request.urlopen(reingest, timeout=120) as response:
            assert json.loads(response.read())["added"] == 7
        yield url, knowledge
    finally:
        process.terminate()
        process.wait(20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: install Chromium (apt-get install chromium) to run browser tests"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    profile = OUTPUT.parent / "chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def page(browser):
    """A fresh page (cookies cleared) that records page errors and CSP violations, and accepts confirmations."""
    browser.clear_cookies()
    page = browser.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    page.close()
    assert not problems, problems


def sign_in(page, url: str, password: str = PASSWORD, lang: str = "nb") -> None:
    page.goto(f"{url}/admin/lang/{lang}?next=/admin/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", password)
    page.click("#login button[type=submit]")


def ask_api(url: str, question: str) -> dict:
    request = urllib.request.Request(url + "/api/ask", json.dumps({"question": question}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_a_wrong_password_is_refused_and_pages_need_a_login(service, page):
    url, _ = service
    page.goto(url + "/admin/content")
    assert page.url.startswith(url + "/admin/login")
    sign_in(page, url, "not the password")
    assert page.locator(".notice.bad").inner_text() == "Feil e-postadresse eller passord."
    assert page.url.startswith(url + "/admin/login")
    page.screenshot(path=str(OUTPUT / "login-refused-nb.png"), full_page=True)
    sign_in(page, url)
    page.locator("h1", has_text="Oversikt").wait_for()


def test_upload_reingest_try_it_delete_and_no_longer_cited(service, page, tmp_path):
    url, knowledge = service
    sign_in(page, url)
    page.goto(url + "/admin/content")
    module = tmp_path / "m31-solar-nb.md"
    module.write_text(NEW_MODULE, "utf-8")
    page.set_input_files("#upload input[type=file]", str(module))
    page.fill("#upload input[name=folder]", "modules/nb")
    page.click("#upload button")
    assert "modules/nb/m31-solar-nb.md" in page.locator(".notice.ok").inner_text()
    assert (knowledge / "modules/nb/m31-solar-nb.md").read_text("utf-8") == NEW_MODULE
    assert "knowledge/modules/nb/m31-solar-nb.md" in page.locator("#waiting").inner_text()

    page.click("#reingest button")
    summary = page.locator("#ingest-summary")
    assert summary.locator("[data-count=added]").inner_text() == "1"
    assert summary.locator("[data-count=unchanged]").inner_text() == "7"
    assert "Ny innlesing (adminsiden): 1 lagt til" in summary.inner_text()
    row = page.locator("tr[data-doc=m31-solar-nb]")
    assert "Solcelletilskudd for sosiale foretak" in row.inner_text() and "31" in row.inner_text()
    page.screenshot(path=str(OUTPUT / "content-after-reingest-nb.png"), full_page=True)

    page.fill("#try textarea", NEW_QUESTION)
    page.click("#try button")
    answer = page.locator("#try-answer")
    assert "40 prosent" in answer.locator(".answer-text").inner_text()
    assert answer.locator(".passages li[data-doc=m31-solar-nb]").count() >= 1
    assert answer.locator(".sources li").first.get_attribute("data-source") == "m31-solar-nb"
    page.screenshot(path=str(OUTPUT / "content-try-it-nb.png"), full_page=True)

    page.goto(url + "/admin/content/preview?path=modules/nb/m31-solar-nb.md")
    assert "Solfondet" in page.locator(".chunks").inner_text()
    page.screenshot(path=str(OUTPUT / "content-preview-nb.png"), full_page=True)

    page.goto(url + "/admin/content")
    page.locator("tr[data-doc=m31-solar-nb] button.danger").click()  # confirms in a dialog first
    assert "m31-solar-nb.md" in page.locator(".notice.ok").inner_text()
    assert not (knowledge / "modules/nb/m31-solar-nb.md").exists()
    page.click("#reingest button")
    assert page.locator("#ingest-summary [data-count=removed]").inner_text() == "1"
    assert page.locator("tr[data-doc=m31-solar-nb]").count() == 0
    page.fill("#try textarea", NEW_QUESTION)
    page.click("#try button")
    assert page.locator("#try-answer .passages li[data-doc=m31-solar-nb]").count() == 0
    assert "m31-solar-nb" not in [s["id"] for s in ask_api(url, NEW_QUESTION)["sources"]]


def test_a_gap_appears_after_an_uncovered_question_and_can_be_marked_handled(service, page):
    url, _ = service
    for _ in range(2):
        assert ask_api(url, UNCOVERED)["kind"] == "declined"
    sign_in(page, url)
    page.goto(url + "/admin/gaps")
    row = page.locator("#gap-groups tbody tr", has_text="parkeringstillatelse")
    assert row.locator(".count").inner_text() == "2"
    page.screenshot(path=str(OUTPUT / "gaps-nb.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_text("Eksporter CSV").click()
    assert UNCOVERED in Path(download.value.path()).read_text("utf-8")
    row.get_by_role("button", name="Merk som behandlet").click()
    assert page.locator("#gap-groups tbody tr", has_text="parkeringstillatelse").count() == 0


PAGES = [("/admin", {"nb": "Oversikt", "sv": "Översikt"}), ("/admin/content", {"nb": "Innhold", "sv": "Innehåll"}),
         ("/admin/freshness", {"nb": "Aktualitet", "sv": "Aktualitet"}), ("/admin/gaps", {"nb": "Hull", "sv": "Luckor"}),
         ("/admin/feedback", {"nb": "Tilbakemeldinger", "sv": "Återkoppling"}),
         ("/admin/mentor-requests", {"nb": "Mentorforespørsler", "sv": "Mentorförfrågningar"})]


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_every_page_renders_in_the_chosen_language_under_the_csp(service, page, lang):
    url, _ = service
    turn = ask_api(url, "Hvilken selskapsform passer for et sosialt foretak?")
    urllib.request.urlopen(urllib.request.Request(
        url + "/api/feedback", json.dumps({"turn_id": turn["turn_id"], "helpful": True}).encode(),
        {"Content-Type": "application/json"}), timeout=30).read()
    sign_in(page, url, lang=lang)
    for path, heading in PAGES:
        response = page.goto(url + path)
        assert response.ok and "script-src 'self'" in response.headers["content-security-policy"]
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == heading[lang], path
        assert page.locator(".languages a").all_inner_texts() == ["NB", "NN", "SV", "EN"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400, path
        page.screenshot(path=str(OUTPUT / f"{path.strip('/').replace('/', '-')}-{lang}.png"), full_page=True)
    page.goto(url + "/admin")
    assert page.locator("svg.chart").count() == 4 and page.locator("svg.chart rect").count() >= 2
    page.goto(url + "/admin/freshness")
    assert "m99-expired" in page.locator("#expired").inner_text()
    page.goto(url + "/admin/feedback")
    assert "Hvilken selskapsform" in page.locator("#feedback").inner_text()
    other = "sv" if lang == "nb" else "nb"
    page.locator(f".languages a[hreflang={other}]").click()
    assert page.locator("h1").inner_text() == PAGES[4][1][other]
