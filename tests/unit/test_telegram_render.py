"""Telegram rendering: escaped HTML, safe links only, splitting under the limit without cutting a tag."""

import re
from html.parser import HTMLParser

from bot.channels.telegram import render
from bot.i18n import Translator
from bot.models import Answer, MentorRef, ModulePointer, Source

T = Translator()


def answer(text: str, **extra) -> Answer:
    return Answer("q", "nb", text, True, turn_id="abc123", **extra)


class TagBalance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.open.append(tag)

    def handle_endtag(self, tag):  # noqa: ANN001
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"


def balanced(message: str) -> bool:
    parser = TagBalance()
    parser.feed(message)
    parser.close()
    return not parser.open


def test_text_is_escaped_and_sections_are_localised():
    rendered = render.render_answer(answer(
        "Bruk <b>AS</b> & ENK",
        sources=[Source("m04", "Selskapsform <nb>", "p", "https://example.org/a?b=1&c=2", "4", 1.0)],
        read_next=[ModulePointer("m04-legal-form-nb", "Velg selskapsform", 4, "https://example.org/m/4")],
        mentors=[MentorRef("Kari <sample>", "Org & co", "@kari", ["funding"], ["nb"])],
    ), T)
    assert len(rendered) == 1
    html = rendered[0]
    assert html.startswith("Bruk &lt;b&gt;AS&lt;/b&gt; &amp; ENK")
    assert "<b>Les videre:</b>" in html and '<a href="https://example.org/m/4">Modul 4: Velg selskapsform</a>' in html
    assert "Kari &lt;sample&gt; (Org &amp; co)" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2">Selskapsform &lt;nb&gt;</a>' in html
    assert balanced(html)


def test_only_http_links_become_links():
    rendered = render.render_answer(answer("x", sources=[
        Source("a", "Evil", "p", "javascript:alert(1)", None, 1.0),
        Source("b", "Data", "p", 'https://x.org/"><script>', None, 1.0),
        Source("c", "None", "p", None, None, 1.0),
    ]), T)[0]
    assert "javascript" not in rendered and "<a " not in rendered.split("</i>")[1].replace('<a href="https://x.org/', "")
    assert "Evil" in rendered and "None" in rendered
    assert "<script>" not in rendered


def test_long_answers_are_split_at_paragraphs_under_the_limit():
    paragraphs = [f"Avsnitt {i}: " + "ord & <tegn> " * 60 for i in range(40)]
    messages = render.render_answer(answer("\n\n".join(paragraphs), read_next=[
        ModulePointer("m04", "Tittel", 4, "https://example.org/4")]), T)
    assert len(messages) > 1
    assert all(len(m) <= render.MAX_MESSAGE_CHARS for m in messages)
    assert all(balanced(m) for m in messages)
    assert all(m.startswith("Avsnitt") or m.startswith("<b>") for m in messages)  # a message starts a paragraph
    joined = "\n\n".join(messages)
    assert joined.count("Avsnitt") == 40 and "Les videre:" in joined


def test_a_paragraph_longer_than_a_message_is_cut_without_cutting_an_entity():
    messages = render.render_answer(answer("&" * 5000 + " " + "x" * 9000), T, limit=1000)
    assert all(len(m) <= 1000 for m in messages)
    assert all(not re.search(r"&(?!amp;)", m) for m in messages)  # every & belongs to a whole &amp;
    assert "".join(messages).count("&amp;") == 5000


def test_html_falls_back_to_plain_text_with_urls():
    html = '<b>Les videre:</b>\n• <a href="https://e.org/?a=1&amp;b=2">Modul &lt;4&gt;</a>'
    assert render.html_to_plain(html) == "Les videre:\n• Modul <4> (https://e.org/?a=1&b=2)"


def test_keyboard_has_feedback_and_mentor_buttons_within_telegram_limits():
    keyboard = render.answer_keyboard(answer("x", mentors=[MentorRef("Kari", "Org", "@k", [], ["nb"])]), T,
                                      ["m-kari-sample"])
    rows = keyboard.inline_keyboard
    assert [b.text for b in rows[0]] == ["👍", "👎"]
    assert rows[0][0].callback_data == "fb:1:abc123" and rows[1][0].callback_data == "mt:m-kari-sample:abc123"
    assert rows[1][0].text == "Snakk med Kari"
    assert len(render.callback_data("mt", "m" * 40, "t" * 32).encode()) <= 64
    assert render.answer_keyboard(Answer("q", "nb", "x", False, kind="error", turn_id="t"), T, []) is None


def test_callback_data_parses_back():
    parsed = render.Callback.parse("my:m-kari:abc")
    assert parsed.kind == "my" and parsed.args == ("m-kari", "abc")
    assert render.Callback.parse(None).kind == ""
