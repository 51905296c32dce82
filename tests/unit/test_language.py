import pytest

from bot.language import CODES, LanguageDetector


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


@pytest.mark.parametrize(
    "text, lang",
    [
        # Bokmål: greetings and two- or three-word questions
        ("hei hei", "nb"),
        ("god morgen", "nb"),
        ("tusen takk", "nb"),
        ("hva koster det", "nb"),
        ("hvordan søker jeg", "nb"),
        ("trenger hjelp", "nb"),
        ("ikke noe", "nb"),
        ("hei, hvordan går det", "nb"),
        # Nynorsk
        ("kva kostar det", "nn"),
        ("korleis søkjer eg", "nn"),
        ("eg lurer", "nn"),
        ("kvifor ikkje", "nn"),
        ("kven er du", "nn"),
        ("eg treng hjelp", "nn"),
        ("hei, korleis går det", "nn"),
        # Swedish
        ("hej hej", "sv"),
        ("tjena", "sv"),
        ("tack så mycket", "sv"),
        ("vad kostar det", "sv"),
        ("hur ansöker jag", "sv"),
        ("behöver hjälp", "sv"),
        ("vem är du", "sv"),
        ("hej, hur mår du", "sv"),
    ],
)
def test_chat_length_messages(detect, text: str, lang: str):
    assert detect(text) == lang


def test_forms_both_norwegian_standards_write_default_to_bokmal_but_follow_a_hint(detect):
    assert detect("takk for hjelpa", hint="nn") == "nn"
    assert detect("hei", hint="nn") == "nn"
    assert detect("god morgon", hint="nn") == "nn"  # written alike in Nynorsk and Swedish
    assert detect("god morgon", hint="sv") == "sv"


def test_hint_settles_a_close_call_but_not_a_clear_one(detect):
    assert detect("Takk", hint="nn") == "nn"
    assert detect("hur startar jag ett socialt företag", hint="nb") == "sv"


def test_empty_text_falls_back_to_hint_or_default(detect):
    assert detect("", hint="sv") == "sv"
    assert detect("1234 !!") == "nb"


def test_confidence_is_a_probability():
    detection = LanguageDetector().detect("korleis startar eg ei sosial verksemd")
    assert 0.0 <= detection.confidence <= 1.0 and detection.language == "nn"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "1234 5678",
        "😀🎉👍🏽",
        "👨\u200d👩\u200d👧",
        "\ud800",
        "hei\ud800 du",
        "\udfff kva \ud83d",
        "hei\x00du",
        "\x00\x00",
        "kor\u200bleis\u200c går\u200d det\ufeff",
        "\u200b\u200b",
        "Привет, как дела?",
        "中文问题",
        "\u202eetirwrevo\u202c",
        "e\u0301\u0301\u0301",
        "ab" * 5000,
        "korleis går det " * 700,
        "x" * 10_000,
    ],
)
def test_detect_never_raises_on_odd_input(text: str):
    detection = LanguageDetector().detect(text)
    assert detection.language in CODES
    assert 0.0 <= detection.confidence <= 1.0


def test_zero_width_characters_inside_words_are_ignored(detect):
    assert detect("kor\u200bleis søkjer eg") == "nn"
    assert LanguageDetector().scores("kor\u200bleis") == pytest.approx(LanguageDetector().scores("korleis"))


def test_every_marker_form_names_supported_languages():
    from bot.language_markers import ENDINGS, WORDS

    assert all(langs and langs <= set(CODES) for langs in WORDS.values())
    assert all(langs <= set(CODES) for _, langs in ENDINGS)
    assert all(word == word.lower() for word in WORDS)


def test_benchmark_snippets_follow_a_fixed_rule():
    from benchmarks.langid_eval import half_of, snippet

    sentence = "Det er, etter min mening, «gode» grunner til å tro det."
    assert snippet(sentence, 2) == snippet(sentence, 2)
    assert all(word.isalpha() for word in snippet(sentence, 3).split())
    assert len(snippet(sentence, 3).split()) == 3
    assert snippet("Ja.", 2) is None
    assert half_of(sentence) in ("tune", "report") and half_of(sentence) == half_of(sentence)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200), st.sampled_from([None, "nb", "nn", "sv", "en", "da", "xx"]))
def test_any_text_gets_a_supported_code(text: str, hint):
    detection = LanguageDetector().detect(text, hint)
    assert detection.language in ("nb", "nn", "sv", "en", "da")
    assert 0.0 <= detection.confidence <= 1.0
