"""Pure functions: an `Answer` (and the other replies) as Slack Block Kit with a plain-text fallback.

mrkdwn is escaped (`&`, `<`, `>`), only http(s) links become links, a section's text stays under Slack's
3,000 characters and a message under 50 blocks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.pieces import pieces_that_fit
from bot.i18n import Translator
from bot.links import safe_url
from bot.models import Answer, ModulePointer

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_FALLBACK_CHARS = 3000
MAX_VALUE_CHARS = 2000

# Action ids of the buttons (registration.py routes them).
FEEDBACK = "veiviser_feedback"
MENTOR = "veiviser_mentor"
MENTOR_YES = "veiviser_mentor_yes"
MENTOR_NO = "veiviser_mentor_no"
SHARE = "veiviser_share"
LINK = "veiviser_link"
LANGUAGE = "veiviser_language"
FORGET_YES = "veiviser_forget_yes"
FORGET_NO = "veiviser_forget_no"
# Callback ids of the shortcuts and the modal (slack/manifest.yaml declares the shortcuts).
ASK_SHORTCUT = "veiviser_ask"
ASK_MESSAGE_SHORTCUT = "veiviser_ask_message"
ASK_MODAL = "veiviser_ask_modal"
QUESTION_INPUT = "question"
LANGUAGE_CHOICES = ("nb", "nn", "sv", "en")
MAX_QUESTION_CHARS = 3000


@dataclass(frozen=True)
class Value:
    """A parsed button value: fields joined by "|" (ids, never free text)."""

    fields: tuple[str, ...]

    @classmethod
    def parse(cls, value: str | None) -> "Value":
        return cls(tuple((value or "").split("|")))

    def get(self, index: int) -> str:
        return self.fields[index] if index < len(self.fields) else ""


def value(*fields: str) -> str:
    return "|".join(f.replace("|", "") for f in fields)[:MAX_VALUE_CHARS]


def escape(text: str) -> str:
    """Text safe in mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(text: str, url: str | None) -> str:
    """`text` escaped, as a mrkdwn link when `url` is a safe http(s) URL."""
    target = safe_url(url)
    label = escape(text).replace("|", "¦")
    if target is None:
        return label
    return f"<{escape(target).replace('|', '%7C')}|{label}>"


def section(mrkdwn: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION_CHARS]}}


def context(mrkdwn: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION_CHARS]}]}


def button(label: str, action_id: str, value_: str = "", style: str | None = None, url: str | None = None) -> dict:
    element = {"type": "button", "text": {"type": "plain_text", "text": label[:75], "emoji": True},
               "action_id": action_id}
    if value_:
        element["value"] = value_
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    return element


def actions(elements: list[dict]) -> dict:
    return {"type": "actions", "elements": elements[:25]}


def module_line(pointer: ModulePointer, translator: Translator, lang: str) -> str:
    title = translator.translate(lang, "Module {number}: {title}", number=pointer.module, title=pointer.title)
    return "• " + link(title, pointer.url)


def answer_sections(answer: Answer, translator: Translator) -> list[dict]:
    """The answer's paragraphs, "read next" modules, mentors and sources as blocks (no buttons)."""
    lang = answer.language
    blocks = [section(escape(piece)) for paragraph in answer.answer.split("\n\n") if paragraph.strip()
              for piece in pieces_that_fit(paragraph.strip(), MAX_SECTION_CHARS, escape)]
    if answer.read_next:
        lines = [f"*{escape(translator.translate(lang, 'Read next:'))}*"]
        lines += [module_line(p, translator, lang) for p in answer.read_next]
        blocks.append(section("\n".join(lines)))
    if answer.mentors:
        lines = [f"*{escape(translator.translate(lang, 'Talk to a mentor:'))}*"]
        lines += [f"• {escape(m.name)} ({escape(m.organisation)})" for m in answer.mentors]
        blocks.append(section("\n".join(lines)))
    if answer.organisations:
        lines = [f"*{escape(translator.translate(lang, 'Organisations that can help:'))}*"]
        lines += [f"• {link(o.name, o.url)}: {escape(o.offer)}" for o in answer.organisations]
        blocks.append(section("\n".join(lines)))
    if answer.sources:
        titles = "; ".join(link(s.title, s.url) for s in answer.sources)
        blocks.append(context(f"_{escape(translator.translate(lang, 'Sources:'))}_ {titles}"))
    return blocks


def answer_buttons(answer: Answer, translator: Translator, mentor_ids: list[str], share: bool = False) -> list[dict]:
    """👍 / 👎 for the recorded turn, "talk to" per suggested mentor, and (ephemeral answers) "share"."""
    if not answer.turn_id or answer.kind in ("error", "smalltalk"):
        return []
    lang = answer.language
    elements = [button("👍", f"{FEEDBACK}_up", value("1", answer.turn_id)),
                button("👎", f"{FEEDBACK}_down", value("0", answer.turn_id))]
    for index, (mentor, mentor_id) in enumerate(zip(answer.mentors, mentor_ids)):
        if mentor_id:
            elements.append(button(translator.translate(lang, "Talk to {name}", name=mentor.name),
                                   f"{MENTOR}_{index}", value(mentor_id, answer.turn_id)))
    if share:
        elements.append(button(translator.translate(lang, "Share in channel"), SHARE, value(answer.turn_id),
                               style="primary"))
    return [actions(elements)]


def answer_blocks(answer: Answer, translator: Translator, mentor_ids: list[str] | None = None,
                  share: bool = False) -> list[dict]:
    """The whole answer message: content blocks, then the buttons; at most 50 blocks."""
    buttons = answer_buttons(answer, translator, mentor_ids or [], share)
    content = answer_sections(answer, translator)[: MAX_BLOCKS - len(buttons)]
    return content + buttons


def plain(answer: Answer, translator: Translator, limit: int = MAX_FALLBACK_CHARS) -> str:
    """The plain-text fallback (notifications, clients without blocks): the answer, cut at `limit`."""
    text = answer.answer.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shared_blocks(question: str, answer: str, user_id: str, translator: Translator, lang: str) -> list[dict]:
    """An ephemeral answer shared in the channel: who asked what, and the answer."""
    asked = translator.translate(lang, "{user} asked: {question}", user=f"<@{escape(user_id)}>",
                                 question=escape(question[:500]))
    blocks = [context(asked)]
    blocks += [section(escape(piece)) for paragraph in answer.split("\n\n") if paragraph.strip()
               for piece in pieces_that_fit(paragraph.strip(), MAX_SECTION_CHARS, escape)]
    return blocks[:MAX_BLOCKS]


def modules_blocks(modules: list[ModulePointer], translator: Translator, lang: str) -> list[dict]:
    """The course modules as a list (links where safe)."""
    if not modules:
        return [section(escape(translator.translate(lang, "There are no course modules yet.")))]
    lines = [f"*{escape(translator.translate(lang, 'Course modules:'))}*"]
    lines += [module_line(m, translator, lang) for m in modules]
    blocks, current = [], ""
    for line in lines:
        if current and len(current) + 1 + len(line) > MAX_SECTION_CHARS:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    blocks.append(section(current))
    return blocks[:MAX_BLOCKS]


def help_text(translator: Translator, lang: str) -> str:
    return translator.translate(
        lang, "Ask me anything about starting and running a social enterprise in Norway or Sweden, in your own "
              "words. I answer from the course material, point you to the module to read next and to a mentor.\n\n"
              "/veiviser QUESTION – an answer only you see\n/veiviser modules – the course modules\n"
              "/veiviser mentor TOPIC – find a mentor\n/veiviser language nb|nn|sv|en – choose the answer "
              "language\n/veiviser forget – delete everything stored about you\n\nIn a channel, mention me; in a "
              "thread where I answered, just write. The shortcut \u201cAsk Veiviser about this\u201d on a message "
              "answers that message for you alone.")


def consent_blocks(name: str, organisation: str, mentor_id: str, turn_id: str, where: str,
                   translator: Translator, lang: str) -> list[dict]:
    """Ask before a mentor is contacted; `where` (channel and thread) travels in the "yes" button."""
    question = translator.translate(
        lang, "Shall I put you in touch with {name} ({organisation})? The mentor gets a short summary of your "
              "question and a link to the conversation.", name=name, organisation=organisation)
    return [section(escape(question)),
            actions([button(translator.translate(lang, "Yes, please"), MENTOR_YES, value(mentor_id, turn_id, where),
                            style="primary"),
                     button(translator.translate(lang, "No"), MENTOR_NO, value(mentor_id))])]


def mentor_dm_text(user_id: str, summary: str, permalink: str | None, translator: Translator, lang: str) -> str:
    """The DM a mentor gets: who asks, a short summary and a link to the thread."""
    text = translator.translate(lang, "{user} would like to talk to you. Their question: {summary}",
                                user=f"<@{escape(user_id)}>", summary=escape(summary[:500]) or "–")
    if safe_url(permalink):
        text += "\n" + link(translator.translate(lang, "Open the conversation"), permalink)
    return text


def home_view(translator: Translator, lang: str, modules: list[ModulePointer], requests: list[dict],
              mentor_names: dict[str, str]) -> dict:
    """The App Home tab: what Veiviser does, the course modules, and the user's open mentor requests."""
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Veiviser"}},
              section(escape(help_text(translator, lang))), {"type": "divider"}]
    blocks += modules_blocks(modules, translator, lang)
    blocks.append({"type": "divider"})
    heading = "*" + escape(translator.translate(lang, "Your open mentor requests:")) + "*"
    if requests:
        lines = [f"• {escape(mentor_names.get(r['mentor_id'], r['mentor_id']))}"
                 + (f" – {escape(r['topic'])}" if r.get("topic") else "") for r in requests]
        blocks.append(section("\n".join([heading, *lines])))
    else:
        blocks.append(section(heading + "\n" + escape(translator.translate(lang, "You have no open mentor requests."))))
    return {"type": "home", "blocks": blocks[:100]}


def language_blocks(translator: Translator, lang: str) -> list[dict]:
    """"Which language shall I answer in?" with one button per language, each named in its own language."""
    return [section(escape(translator.translate(lang, "Which language shall I answer in?"))),
            actions([button(translator.language_name(code, code).capitalize(), f"{LANGUAGE}_{code}", code)
                     for code in LANGUAGE_CHOICES])]


def forget_blocks(translator: Translator, lang: str) -> list[dict]:
    """Confirmation before everything stored about the person is deleted."""
    return [section(escape(translator.translate(
                lang, "Shall I delete everything stored about you: your questions, feedback, mentor requests and "
                      "language choice? This cannot be undone."))),
            actions([button(translator.translate(lang, "Yes, delete"), FORGET_YES, "y", style="danger"),
                     button(translator.translate(lang, "No"), FORGET_NO, "n")])]


def ask_modal(translator: Translator, lang: str) -> dict:
    """The global shortcut's modal: one question field; the answer comes as a direct message."""
    def plain_text(message: str, limit: int) -> dict:
        return {"type": "plain_text", "text": translator.translate(lang, message)[:limit]}

    return {"type": "modal", "callback_id": ASK_MODAL, "title": plain_text("Ask Veiviser", 24),
            "submit": plain_text("Ask", 24), "close": plain_text("Cancel", 24),
            "blocks": [{"type": "input", "block_id": QUESTION_INPUT, "label": plain_text("Your question", 2000),
                        "element": {"type": "plain_text_input", "action_id": QUESTION_INPUT, "multiline": True,
                                    "max_length": MAX_QUESTION_CHARS}},
                       context(escape(translator.translate(lang, "I answer in a direct message.")))]}


def modal_question(view: dict) -> str:
    """The question typed into the modal (empty when the field is missing)."""
    values = ((view.get("state") or {}).get("values") or {}).get(QUESTION_INPUT) or {}
    return str((values.get(QUESTION_INPUT) or {}).get("value") or "").strip()


def asked_blocks(question: str, answer: Answer, translator: Translator, mentor_ids: list[str]) -> list[dict]:
    """An answer to a question asked elsewhere (the modal): the question quoted first, then the answer."""
    asked = context(escape(translator.translate(answer.language, "Your question: {question}",
                                                question=question[:500])))
    return [asked] + answer_blocks(answer, translator, mentor_ids)[: MAX_BLOCKS - 1]
