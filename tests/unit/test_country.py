import pytest

from bot.country import country_of_text, foreign_country, mentioned_country


@pytest.mark.parametrize(
    "text, country",
    [
        ("när måste man momsregistrera sig i norge", "NO"),
        ("vad gör NAV", "NO"),
        ("hvordan registrerer jeg meg hos Bolagsverket", "SE"),
        ("forskjellen mellom Norge og Sverige", None),
        ("hvordan starter jeg et foretak", None),
        ("Vad gör ett socialekonomiskt företag i Danmark med sitt överskott?", "DK"),
        ("Kan jeg starte enkeltpersonforetak hvis jeg bor i Danmark?", None),  # names Norway too
        ("Hvilket år laget regionene handlingsplanene i Tillväxtverkets satsing?", "SE"),  # a genitive
        ("vad krävs för att få NAVs bidrag", "NO"),
    ],
)
def test_mentioned_country(text: str, country):
    assert mentioned_country(text) == country


def test_only_the_other_country_counts_as_foreign():
    assert foreign_country("när måste man momsregistrera sig i norge", "sv") == "NO"
    assert foreign_country("når må jeg registrere meg for mva i norge", "nb") is None
    assert foreign_country("trenger norsk firma f-skatt for å jobbe i sverige", "nb") is None  # names both
    assert foreign_country("what is the VAT limit in sweden", "en") == "SE"


def test_a_danish_page_is_about_denmark_and_a_question_about_denmark_is_foreign_to_a_swede():
    page = ("Antallet af socialøkonomiske virksomheder i Danmark vokser. Regeringens definition af en socialøkonomisk "
            "virksomhed er følgende. Virksomheden skal have et CVR-nummer.")
    assert country_of_text(page) == "DK"
    assert country_of_text("Et samvirke i Norge og et kooperativ i Sverige.") == "both"
    assert foreign_country("vad gör ett socialekonomiskt företag i Danmark med sitt överskott", "sv") == "DK"
