"""Expected facts of the own question set count only as whole words (benchmarks/facts.py)."""

import pytest

from benchmarks.facts import fact_coverage, fact_found


@pytest.mark.parametrize("fact, text", [
    ("Bolagsverket", "Registrera föreningen hos Bolagsverket."),
    ("bolagsverket", "BOLAGSVERKET handlägger"),
    ("25 000", "minst 25 000 kronor"),
    ("25 000", "minst 25\u00a0000 kronor"),
    ("25 000", "minst 25\u202f000 kronor"),
    ("25 000", "minst 25\u2009000 kronor"),
    ("tre till sex", "Tre till sex indikatorer räcker."),
    ("Merkur-konsulent", "en Merkur-konsulent kan hjelpe"),
    ("AFT", "tiltak (AFT) og VTA"),
    ("sårbart", "er foretaket sårbart."),
    ("Øvrige", "øvrige kostnader"),
])
def test_whole_words_are_found(fact, text):
    assert fact_found(fact, text)


@pytest.mark.parametrize("fact, text", [
    ("tilsk", "NAV gir tilskudd"),
    ("betal", "den som betaler"),
    ("tre til", "tre till sex indikatorer"),
    ("50 000", "omsetning over 250 000 kroner"),
    ("50 000", "50 0001"),
    ("sårbar", "er foretaket sårbart"),
    ("samvirke", "et samvirkeforetak"),
    ("skatt", "F-skatten"),
    ("25 000", "25000 kronor"),
])
def test_fragments_of_longer_words_are_not_found(fact, text):
    assert not fact_found(fact, text)


def test_coverage_is_the_share_of_facts_found():
    assert fact_coverage(["Almi", "Tillväxtverket"], "Almi och Vinnova") == 0.5
    assert fact_coverage([], "anything") == 1.0
