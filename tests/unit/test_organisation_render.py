"""Organisations attached to an answer, in each channel's rendering: escaped, linked only when the link is safe,
under a localised heading."""

from bot.channels.slack import render as slack
from bot.channels.telegram import render as telegram
from bot.i18n import Translator
from bot.models import Answer, OrganisationRef
from bot.render import render_plain
from bot.web import chat_page_strings

T = Translator()
COOMPANION = OrganisationRef("coompanion", "Coompanion <Sverige>", "https://coompanion.se/",
                             "Ger kostnadsfri rådgivning & stöd.")
BAD_LINK = OrganisationRef("x", "Bad link", "javascript:alert(1)", "Inget.")


def answer(lang: str = "sv") -> Answer:
    return Answer("q", lang, "Svar.", True, turn_id="t1", organisations=[COOMPANION, BAD_LINK])


def test_telegram_shows_organisations_escaped_with_safe_links():
    message = "\n\n".join(telegram.render_answer(answer(), T))
    assert "<b>Organisationer som kan hjälpa till:</b>" in message
    assert '• <a href="https://coompanion.se/">Coompanion &lt;Sverige&gt;</a>: Ger kostnadsfri rådgivning &amp; stöd.' in message
    assert "javascript" not in message and "• Bad link: Inget." in message


def test_slack_shows_organisations_as_mrkdwn():
    text = "\n".join(b["text"]["text"] for b in slack.answer_sections(answer(), T) if b["type"] == "section")
    assert "*Organisationer som kan hjälpa till:*" in text
    assert "• <https://coompanion.se/|Coompanion &lt;Sverige&gt;>: Ger kostnadsfri rådgivning &amp; stöd." in text
    assert "javascript" not in text


def test_plain_text_and_web_chat_heading_in_each_language():
    plain = render_plain(answer("nn"), T)
    assert "Organisasjonar som kan hjelpe:" in plain and "Coompanion <Sverige> — Ger kostnadsfri" in plain
    assert chat_page_strings(T, "nb")["organisations"] == "Organisasjoner som kan hjelpe:"
    assert chat_page_strings(T, "en")["organisations"] == "Organisations that can help:"
    assert answer().to_json()["organisations"][0] == {
        "id": "coompanion", "name": "Coompanion <Sverige>", "url": "https://coompanion.se/",
        "offer": "Ger kostnadsfri rådgivning & stöd."}
