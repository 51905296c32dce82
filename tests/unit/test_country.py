import pytest

from bot.country import foreign_country, mentioned_country


@pytest.mark.parametrize(
    "text, country",
    [
        ("när måste man momsregistrera sig i norge", "NO"),
        ("vad gör NAV", "NO"),
        ("hvordan registrerer jeg meg hos Bolagsverket", "SE"),
        ("forskjellen mellom Norge og Sverige", None),
        ("hvordan starter jeg et foretak", None),
    ],
)
def test_mentioned_country(text: str, country):
    assert mentioned_country(text) == country


def test_only_the_other_country_counts_as_foreign():
    assert foreign_country("när måste man momsregistrera sig i norge", "sv") == "NO"
    assert foreign_country("når må jeg registrere meg for mva i norge", "nb") is None
    assert foreign_country("trenger norsk firma f-skatt for å jobbe i sverige", "nb") is None  # names both
    assert foreign_country("what is the VAT limit in sweden", "en") == "SE"
