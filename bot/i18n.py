"""Fixed user-facing strings through gettext catalogues (Babel), with an explicit locale per call."""

from __future__ import annotations

import datetime as dt
import gettext
from pathlib import Path

from babel.dates import format_date

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "veiviser"
UI_LANGUAGES = ("nb", "nn", "sv", "en")
# Danish readers get Bokmål; anything unknown gets English.
UI_FALLBACK = {"da": "nb"}
LANGUAGE_NAMES = {
    "nb": {"nb": "bokmål", "nn": "nynorsk", "sv": "svensk", "en": "engelsk", "da": "dansk"},
    "nn": {"nb": "bokmål", "nn": "nynorsk", "sv": "svensk", "en": "engelsk", "da": "dansk"},
    "sv": {"nb": "norska (bokmål)", "nn": "norska (nynorska)", "sv": "svenska", "en": "engelska", "da": "danska"},
    "en": {"nb": "Norwegian (Bokmål)", "nn": "Norwegian (Nynorsk)", "sv": "Swedish", "en": "English", "da": "Danish"},
}


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined and translated later (`make i18n` collects `N_`)."""
    return message


def ui_language(lang: str | None) -> str:
    """The catalogue used for an asker's language."""
    lang = UI_FALLBACK.get(lang or "", lang or "en")
    return lang if lang in UI_LANGUAGES else "en"


class Translator:
    """Looks up compiled catalogues under `locale_dir`; missing entries fall back to the English msgid."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self._catalogues = {
            lang: gettext.translation(DOMAIN, localedir=str(locale_dir), languages=[lang], fallback=True)
            for lang in UI_LANGUAGES
        }

    def translate(self, lang: str | None, message: str, **params: object) -> str:
        """`message` (an English msgid) in the asker's language, with `{name}` parameters filled in."""
        text = self._catalogues[ui_language(lang)].gettext(message)
        return text.format(**params) if params else text

    def language_name(self, lang: str | None, of: str) -> str:
        return LANGUAGE_NAMES[ui_language(lang)].get(of, of)

    @staticmethod
    def date(lang: str | None, value: dt.date) -> str:
        """A date written the way the asker's language writes it (Babel CLDR data)."""
        return format_date(value, format="long", locale=ui_language(lang))
