"""The built-in web chat: its page template (`chat.html`), fixed strings and security headers."""

from __future__ import annotations

from bot.i18n import Translator


def chat_page_strings(translator: Translator, lang: str) -> dict[str, str]:
    """The `{{key}}` placeholders of `chat.html` (apart from `nonce`), filled in `lang`.

    `module` keeps its `{number}` and `{title}` fields: the page fills them per read-next pointer, so it says
    "Modul 4: …" the way the terminal does (the same catalogue entry as `bot.render`)."""
    return {
        "lang": lang,
        "title": translator.translate(lang, "Veiviser — mentoring for social entrepreneurs"),
        "intro": translator.translate(
            lang, "Ask about starting a social enterprise in Norway or Sweden. Write in Norwegian, Swedish or English."
        ),
        "placeholder": translator.translate(lang, "Write your question…"),
        "send": translator.translate(lang, "Send"),
        "conversation": translator.translate(lang, "Conversation"),
        "thinking": translator.translate(lang, "Thinking…"),
        "read_next": translator.translate(lang, "Read next:"),
        "module": translator.translate(lang, "Module {number}: {title}"),
        "mentor": translator.translate(lang, "Talk to a mentor:"),
        "organisations": translator.translate(lang, "Organisations that can help:"),
        "sources": translator.translate(lang, "Sources:"),
        "was_helpful": translator.translate(lang, "Was this answer helpful?"),
        "helpful": translator.translate(lang, "Yes, helpful"),
        "not_helpful": translator.translate(lang, "No, not helpful"),
        "thanks": translator.translate(lang, "Thank you for the feedback!"),
        "feedback_failed": translator.translate(lang, "Your feedback could not be saved."),
        "error": translator.translate(lang, "Something went wrong on our side. Please try again in a moment."),
        "too_many": translator.translate(
            lang, "You have asked many questions in a short time. Please wait a moment and try again."
        ),
        "unavailable": translator.translate(
            lang, "The service is temporarily unavailable. Please try again in a few minutes."
        ),
        "offline": translator.translate(lang, "Could not reach the service. Check your connection and try again."),
    }
