"""The web chat template and its strings: every placeholder filled, inline code CSP-ready, data never as HTML."""

import html
import re
from pathlib import Path

import pytest

from bot.i18n import UI_LANGUAGES, Translator
from bot.web import chat_page_strings

TEMPLATE = (Path(__file__).resolve().parents[2] / "bot" / "web" / "chat.html").read_text("utf-8")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def render(lang: str, nonce: str = "n0nce") -> str:
    """What `render_chat_page` does with `chat_page_strings` and the response's nonce."""
    page = TEMPLATE
    for key, value in (chat_page_strings(Translator(), lang) | {"nonce": nonce, "stream": ""}).items():
        page = page.replace("{{" + key + "}}", html.escape(value, quote=True))
    return page


def test_every_placeholder_has_a_string():
    assert set(PLACEHOLDER.findall(TEMPLATE)) == set(chat_page_strings(Translator(), "nb")) | {"nonce", "stream"}


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_strings_are_translated(lang: str):
    strings = chat_page_strings(Translator(), lang)
    assert all(strings.values())
    assert set(re.findall(r"\{(\w+)\}", strings["module"])) == {"number", "title"}
    page = render(lang)
    assert not PLACEHOLDER.search(page) and f'<html lang="{lang}">' in page
    if lang != "en":
        english = chat_page_strings(Translator(), "en")
        assert strings["thinking"] != english["thinking"] and strings["thanks"] != english["thanks"]


def test_module_label_matches_the_terminal():
    assert chat_page_strings(Translator(), "nn")["module"] == "Modul {number}: {title}"
    assert chat_page_strings(Translator(), "en")["module"] == "Module {number}: {title}"


def test_inline_code_carries_the_nonce_and_nothing_loads_from_elsewhere():
    page = render("nb", nonce="abc123")
    assert re.findall(r"<(script|style)\b[^>]*>", page) == ["style", "script"]
    assert re.findall(r"<(?:script|style)\b([^>]*)>", page) == [' nonce="abc123"', ' nonce="abc123"']
    assert not re.search(r"\ssrc\s*=", page)  # no external scripts or images
    assert not re.search(r"\shref\s*=\s*\"(?!data:,)", page)  # the only href is the empty data: favicon
    assert not re.search(r"\son\w+\s*=", page)  # inline event handlers would be blocked by the CSP
    assert not re.search(r"\sstyle\s*=", page)  # so would style attributes
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", page)

