"""The slash command `/veiviser`: a question (answered ephemerally, with a button to share it), or one of the
subcommands, understood in nb, nn, sv and en: `moduler`/`modules`, `mentor <topic>`, `språk`/`language [code]`,
`glem`/`gløym`/`glöm`/`forget`, `hjelp`/`hjälp`/`help`; and `reingest` for staff (`staff.py`)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import conversation
from bot.channels.slack import render, staff
from bot.channels.slack.handlers import Deps, ask, mentor_ids, ui_language
from bot.models import Answer

MODULES = {"moduler": None, "modules": "en", "module": "en", "modul": None}
HELP = {"hjelp": None, "hjälp": "sv", "help": "en", "?": None}
MENTOR = {"mentor", "mentorar", "mentorer", "mentors"}
LANGUAGE = {"språk", "sprak", "language", "lang"}
FORGET = {"glem", "gløym", "glöm", "forget"}
LANGUAGE_WORDS = {"nb": "nb", "no": "nb", "bokmål": "nb", "bokmal": "nb", "norsk": "nb", "nn": "nn",
                  "nynorsk": "nn", "sv": "sv", "svenska": "sv", "svensk": "sv", "swedish": "sv", "en": "en",
                  "english": "en", "engelsk": "en", "engelska": "en"}


async def veiviser(d: Deps, ack, respond, command: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """`/veiviser ...`: acknowledged at once, answered through the response URL (only the asker sees it)."""
    await ack()
    text = (command.get("text") or "").strip()
    user_id = command["user_id"]
    word, _, rest = text.partition(" ")
    key = word.lower()
    if not text or key in HELP:
        lang = HELP.get(key) or await ui_language(d, client, user_id)
        await respond(response_type="ephemeral", text=render.help_text(d.runtime.translator, lang))
        return
    if key in MODULES:
        lang = MODULES[key] or await ui_language(d, client, user_id)
        found = conversation.course_modules(d.runtime.live.current(), lang, d.runtime.settings.public_base_url)
        blocks = render.modules_blocks(found, d.runtime.translator, lang)
        await respond(response_type="ephemeral", text=d.translate(lang, "Course modules:"), blocks=blocks)
        return
    if key in MENTOR:
        await mentor(d, respond, client, user_id, rest.strip())
        return
    if key in staff.REINGEST:
        await staff.reingest(d, respond, client, user_id)
        return
    if key in LANGUAGE:
        await language(d, respond, client, user_id, rest.strip())
        return
    if key in FORGET:
        lang = await ui_language(d, client, user_id)
        await respond(response_type="ephemeral", text=d.translate(lang, "Delete everything stored about you?"),
                      blocks=render.forget_blocks(d.runtime.translator, lang))
        return
    wait = d.limiter.check(user_id)
    if wait:
        lang = await ui_language(d, client, user_id)
        await respond(response_type="ephemeral", text=d.slow_down(lang, wait))
        return
    answer = await ask(d, client, text, user_id)
    await respond(response_type="ephemeral", text=render.plain(answer, d.runtime.translator),
                  blocks=render.answer_blocks(answer, d.runtime.translator, mentor_ids(d, answer), share=True))


async def mentor(d: Deps, respond, client: AsyncWebClient, user_id: str, topic: str) -> None:  # noqa: ANN001
    """`/veiviser mentor TOPIC`: mentors for a topic (and region), with a button to get in touch."""
    if not topic:
        lang = await ui_language(d, client, user_id)
        await respond(response_type="ephemeral", text=d.translate(
            lang, "Write /veiviser mentor followed by what you need help with, for example: "
                  "/veiviser mentor funding in Trøndelag"))
        return
    answer = await ask(d, client, topic, user_id)
    if not answer.mentors:
        await respond(response_type="ephemeral",
                      text=d.translate(answer.language, "I found no mentor for this. Try other words."))
        return
    only_mentors = Answer(answer.question, answer.language, "", answer.confident, mentors=answer.mentors,
                          turn_id=answer.turn_id)
    await respond(response_type="ephemeral", text=d.translate(answer.language, "Talk to a mentor:"),
                  blocks=render.answer_blocks(only_mentors, d.runtime.translator, mentor_ids(d, answer)))


async def language(d: Deps, respond, client: AsyncWebClient, user_id: str, word: str) -> None:  # noqa: ANN001
    """`/veiviser språk nn`: the answer language is stored; without a code, buttons to choose one."""
    code = LANGUAGE_WORDS.get(word.lower())
    if code:
        await d.people.choose_language(user_id, code)
        await respond(response_type="ephemeral", text=language_chosen(d, code))
        return
    lang = await ui_language(d, client, user_id)
    await respond(response_type="ephemeral", text=d.translate(lang, "Which language shall I answer in?"),
                  blocks=render.language_blocks(d.runtime.translator, lang))


def language_chosen(d: Deps, code: str) -> str:
    return d.translate(code, "I will answer you in {language} from now on.",
                       language=d.runtime.translator.language_name(code, code))
