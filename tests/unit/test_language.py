import pytest

from bot.language import LanguageDetector


@pytest.fixture(scope="module")
def detect():
    detector = LanguageDetector()
    return lambda text, hint=None: detector.detect(text, hint).language


@pytest.mark.parametrize(
    "text, lang",
    [
        ("hvordan registrerer jeg et AS", "nb"),
        ("Hva koster det å starte et foretak?", "nb"),
        ("korleis registrerer eg eit føretak", "nn"),
        ("kva tilskot kan eg søkje på", "nn"),
        ("Eg veit ikkje kor eg skal byrje", "nn"),
        ("hur startar jag ett socialt företag", "sv"),
        ("Vad kostar det att registrera en ekonomisk förening?", "sv"),
        ("how do I register a social enterprise", "en"),
        ("Hvad koster det at starte en virksomhed i Danmark?", "da"),
        ("hei", "nb"),
        ("hallo", "nb"),
        ("hei, kva gjer du", "nn"),
        ("hej", "sv"),
        ("hejsan", "sv"),
    ],
)
def test_short_chat_messages(detect, text: str, lang: str):
    assert detect(text) == lang


def test_hint_settles_a_close_call_but_not_a_clear_one(detect):
    assert detect("Takk", hint="nn") == "nn"
    assert detect("hur startar jag ett socialt företag", hint="nb") == "sv"


def test_empty_text_falls_back_to_hint_or_default(detect):
    assert detect("", hint="sv") == "sv"
    assert detect("1234 !!") == "nb"


def test_confidence_is_a_probability():
    detection = LanguageDetector().detect("korleis startar eg ei sosial verksemd")
    assert 0.0 <= detection.confidence <= 1.0 and detection.language == "nn"


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200), st.sampled_from([None, "nb", "nn", "sv", "en", "da", "xx"]))
def test_any_text_gets_a_supported_code(text: str, hint):
    detection = LanguageDetector().detect(text, hint)
    assert detection.language in ("nb", "nn", "sv", "en", "da")
    assert 0.0 <= detection.confidence <= 1.0
