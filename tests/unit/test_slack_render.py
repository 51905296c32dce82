"""Pure Slack rendering: Block Kit answers with a plain-text fallback, escaped mrkdwn, safe links, Slack's limits."""

from __future__ import annotations

import json

from bot.channels.slack import render
from bot.i18n import Translator
from bot.models import Answer, MentorRef, ModulePointer, Source

T = Translator()


def answer(text: str = "Et AS trenger 30 000 kroner.", **extra) -> Answer:
    return Answer("q", extra.pop("language", "nb"), text, True, turn_id=extra.pop("turn_id", "t1"), **extra)


def test_mrkdwn_control_characters_are_escaped():
    assert render.escape("a & b <c> <@U1> <!channel>") == "a &amp; b &lt;c&gt; &lt;@U1&gt; &lt;!channel&gt;"
    blocks = render.answer_blocks(answer("<!here> & <https://evil.example|click>"), T)
    text = blocks[0]["text"]["text"]
    assert "<!here>" not in text and "&lt;!here&gt; &amp; &lt;https://evil.example|click&gt;" == text


def test_only_http_links_become_links():
    assert render.link("Docs", "https://example.org/a?b=1&c=2") == "<https://example.org/a?b=1&amp;c=2|Docs>"
    assert render.link("x<y", "javascript:alert(1)") == "x&lt;y"
    assert render.link("A|B", "https://example.org/p|q") == "<https://example.org/p%7Cq|A¦B>"


def test_answer_has_sections_read_next_mentors_sources_and_buttons():
    a = answer(read_next=[ModulePointer("m2", "Selskapsformer", 2, "https://kurs.example/m2")],
               mentors=[MentorRef("Kari", "IN", "@kari", ["funding"], ["nb"])],
               sources=[Source("s", "Kilde <1>", "p", "https://kilde.example", None, 1.0)])
    blocks = render.answer_blocks(a, T, ["m-kari"])
    dumped = json.dumps(blocks, ensure_ascii=False)
    assert "Les videre" in dumped and "<https://kurs.example/m2|Modul 2: Selskapsformer>" in dumped
    assert "Kilde &lt;1&gt;" in dumped and "Kari (IN)" in dumped
    values = {e["action_id"]: e["value"] for e in blocks[-1]["elements"]}
    assert values == {"veiviser_feedback_up": "1|t1", "veiviser_feedback_down": "0|t1", "veiviser_mentor_0": "m-kari|t1"}
    assert render.plain(a, T) == "Et AS trenger 30 000 kroner."


def test_share_button_only_when_asked_and_no_buttons_without_a_turn():
    assert "veiviser_share" in json.dumps(render.answer_blocks(answer(), T, share=True))
    assert "veiviser_share" not in json.dumps(render.answer_blocks(answer(), T))
    assert all(b["type"] != "actions" for b in render.answer_blocks(answer(turn_id=None), T, share=True))


def test_slack_limits_are_respected():
    long = "\n\n".join("ord " * 1500 for _ in range(60))
    blocks = render.answer_blocks(answer(long), T, share=True)
    assert len(blocks) <= render.MAX_BLOCKS and blocks[-1]["type"] == "actions"
    assert all(len(b["text"]["text"]) <= render.MAX_SECTION_CHARS for b in blocks if b["type"] == "section")
    assert len(render.plain(answer(long), T)) <= render.MAX_FALLBACK_CHARS
    escaped = render.answer_blocks(answer("&" * 5000), T)
    assert all(len(b["text"]["text"]) <= render.MAX_SECTION_CHARS for b in escaped if b["type"] == "section")
    assert "".join(b["text"]["text"] for b in escaped if b["type"] == "section") == "&amp;" * 5000


def test_modules_home_and_mentor_dm():
    modules = [ModulePointer(f"m{i}", f"Tittel {i}", i, f"https://kurs.example/m{i}") for i in range(1, 4)]
    view = render.home_view(T, "sv", modules, [{"mentor_id": "m-kari", "topic": "funding"}], {"m-kari": "Kari"})
    dumped = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home" and "Modul 3: Tittel 3" in dumped and "Kari – funding" in dumped
    assert "inga öppna" not in dumped
    assert "inga öppna" in json.dumps(render.home_view(T, "sv", [], [], {}), ensure_ascii=False)
    dm = render.mentor_dm_text("U1", "Hva <koster> et AS?", "https://x.slack.com/archives/C1/p1", T, "nb")
    assert "<@U1>" in dm and "&lt;koster&gt;" in dm and "<https://x.slack.com/archives/C1/p1|Åpne samtalen>" in dm
    assert "javascript" not in render.mentor_dm_text("U1", "q", "javascript:alert(1)", T, "nb")


def test_button_values_round_trip():
    value = render.Value.parse(render.value("m-kari", "t1", "C1:123.456"))
    assert (value.get(0), value.get(1), value.get(2), value.get(3)) == ("m-kari", "t1", "C1:123.456", "")
