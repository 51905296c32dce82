"""Pure functions that turn an `Answer` into a channel's text format."""

from __future__ import annotations

from bot.i18n import Translator
from bot.models import Answer


def render_plain(answer: Answer, translator: Translator) -> str:
    """Plain text for the terminal (and the basis of the other formats)."""
    lang = answer.language
    lines = [answer.answer]
    if answer.read_next:
        lines += ["", translator.translate(lang, "Read next:")]
        for pointer in answer.read_next:
            title = translator.translate(lang, "Module {number}: {title}", number=pointer.module, title=pointer.title)
            lines.append(f"  • {title}" + (f" — {pointer.url}" if pointer.url else ""))
    if answer.mentors:
        lines += ["", translator.translate(lang, "Talk to a mentor:")]
        lines += [f"  • {m.name} ({m.organisation}) — {m.contact}" for m in answer.mentors]
    if answer.organisations:
        lines += ["", translator.translate(lang, "Organisations that can help:")]
        lines += [f"  • {o.name} — {o.offer} {o.url}" for o in answer.organisations]
    if answer.sources:
        lines += ["", translator.translate(lang, "Sources:") + " " + "; ".join(s.title for s in answer.sources)]
    return "\n".join(lines)
