import pytest

from bot import smalltalk
from bot.i18n import Translator
from bot.models import Answer, MentorRef, ModulePointer, Source
from bot.render import render_plain


def test_plain_rendering_in_swedish():
    answer = Answer(
        question="hur startar jag",
        language="sv",
        answer="Ur ”Välj företagsform”:\nEtt aktiebolag behöver 25 000 kronor.",
        confident=True,
        sources=[Source("m04-legal-form-sv", "Välj företagsform", "k/m.md", None, "4", 0.1)],
        mentors=[MentorRef("Sven (sample)", "Coompanion", "@sven_sample", ["legal-form"], ["sv"])],
        read_next=[ModulePointer("m04-legal-form-sv", "Välj företagsform", 4, "https://example.org/4")],
    )
    text = render_plain(answer, Translator())
    assert "Läs vidare:" in text and "Modul 4: Välj företagsform — https://example.org/4" in text
    assert "Prata med en mentor:" in text and "@sven_sample" in text
    assert text.index("Läs vidare:") < text.index("Prata med en mentor:")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Hei!", "greeting"),
        ("hej hej", "greeting"),
        ("god morgon", "greeting"),
        ("takk for hjelpa", "thanks"),
        ("Tack så mycket", "thanks"),
        ("kva kan du hjelpe meg med", "capabilities"),
        ("vad kan du göra?", "capabilities"),
        ("hur fungerar en bygdebutik", None),
        ("/start", "greeting"),
        ("hei, hvordan registrerer jeg et aksjeselskap i Brønnøysund", None),
        ("hej jag undrar hur man söker bidrag från Tillväxtverket för mitt företag", None),
    ],
)
def test_smalltalk_classification(text: str, kind: str | None):
    assert smalltalk.classify(text) == kind
