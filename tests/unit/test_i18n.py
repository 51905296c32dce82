import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, Translator

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogue(lang: str):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "veiviser.po", "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("lang", ["nb", "nn", "sv", "en"])
def test_every_template_message_is_translated_with_its_placeholders(lang: str):
    with open(LOCALE_DIR / "veiviser.pot", "rb") as handle:
        template = read_po(handle)
    translated = catalogue(lang)
    for message in template:
        if not message.id:
            continue
        entry = translated.get(message.id)
        assert entry is not None and entry.string, f"{lang}: missing translation of {message.id!r}"
        assert set(PLACEHOLDER.findall(entry.string)) == set(PLACEHOLDER.findall(message.id)), message.id


@pytest.mark.parametrize("lang", ["nb", "nn", "sv"])
def test_compiled_catalogue_matches_the_po_file(lang: str):
    translator = Translator()
    for message in catalogue(lang):
        if message.id:
            assert translator.translate(lang, message.id) == message.string


def test_explicit_locale_and_fallbacks():
    t = Translator()
    assert t.translate("nb", "Read next:") == "Les videre:"
    assert t.translate("nn", "Read next:") == "Les vidare:"
    assert t.translate("sv", "Read next:") == "Läs vidare:"
    assert t.translate("da", "Read next:") == "Les videre:"
    assert t.translate("fr", "Read next:") == "Read next:"
    assert t.translate("sv", "Module {number}: {title}", number=4, title="X") == "Modul 4: X"


def test_dates_are_formatted_per_language():
    day = dt.date(2026, 11, 23)
    assert Translator.date("nb", day) == "23. november 2026"
    assert Translator.date("sv", day) == "23 november 2026"
    assert Translator.date("en", day) == "November 23, 2026"


def test_template_is_up_to_date_with_the_code():
    """`make i18n` has been run: the messages in the code are exactly those in the template."""
    from babel.messages.extract import extract_from_dir

    extracted = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(LOCALE_DIR.parent), method_map=[("**.py", "python"), ("admin/templates/**.html", "jinja2")], keywords={"translate": (2,), "N_": None}
        )
    }
    with open(LOCALE_DIR / "veiviser.pot", "rb") as handle:
        assert extracted == {m.id for m in read_po(handle) if m.id}
