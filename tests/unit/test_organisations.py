"""The organisation directory: loading with clear errors for bad entries, the ingest check, and matching a question
to the organisations that fit its topic, country and region."""

from pathlib import Path

import pytest

from bot.organisations import OrganisationFileError, load_organisations, match_organisations
from ingest.pipeline import check_directories
from tests.conftest import FIXTURES

GOOD = """\
organisations:
  - id: example-agency
    name: Example Agency
    kind: agency
    country: NO
    regions: [Trøndelag]
    topics: [funding]
    languages: [nb]
    url: https://www.example.org/
    source: https://www.example.org/about
    offer:
      nb: Gir råd om tilskudd.
      nn: Gir råd om tilskot.
      sv: Ger råd om bidrag.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "organisations.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_entry_loads_and_country_no_stays_a_string(tmp_path: Path):
    [organisation] = load_organisations(write(tmp_path, GOOD))
    assert organisation.country == "NO" and organisation.regions == ("Trøndelag",)
    assert organisation.ref("nn").offer == "Gir råd om tilskot." and organisation.ref("en").offer == "Gir råd om tilskudd."
    assert load_organisations(tmp_path / "absent.yaml") == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    kind: agency\n", "", "lacks kind"),
        ("topics: [funding]", "topics: [knitting]", "unknown topics"),
        ("regions: [Trøndelag]", "regions: [Oslo]", "unknown regions"),
        ("url: https://www.example.org/", "url: http://www.example.org/", "must be a full https"),
        ("source: https://www.example.org/about", "source: www.example.org", "must be a full https"),
        ("kind: agency", "kind: shop", "kind 'shop' is not one of"),
        ("country: NO", "country: DK", "country 'DK' is not one of"),
        ("      nn: Gir råd om tilskot.\n", "", "offer lacks nn"),
        ("Gir råd om tilskudd.", "Gir råd. Ring oss i dag.", "must be one sentence"),
        ("Gir råd om tilskudd.", "Gir råd om tilskudd, skriv til post@example.org.", "no personal data"),
        ("Gir råd om tilskudd.", "Gir råd om tilskudd på telefon 22 33 44 55.", "no personal data"),
        ("id: example-agency", "id: Example Agency", "lower-case letters"),
    ],
)
def test_bad_entries_are_refused_with_a_message_that_names_the_fix(tmp_path: Path, old: str, new: str, message: str):
    assert old in GOOD
    with pytest.raises(OrganisationFileError, match=message) as caught:
        load_organisations(write(tmp_path, GOOD.replace(old, new)))
    assert "organisation #1" in str(caught.value)


def test_duplicate_ids_and_malformed_files_are_refused(tmp_path: Path):
    twice = GOOD + GOOD.split("organisations:\n", 1)[1]
    with pytest.raises(OrganisationFileError, match="used twice"):
        load_organisations(write(tmp_path, twice))
    with pytest.raises(OrganisationFileError, match="list under 'organisations:'"):
        load_organisations(write(tmp_path, "organisations: yes please\n"))
    with pytest.raises(OrganisationFileError, match="not valid YAML"):
        load_organisations(write(tmp_path, "organisations: [\n"))


def test_ingest_lists_a_broken_directory_under_errors(tmp_path: Path):
    folder = tmp_path / "knowledge"
    folder.mkdir()
    errors: list[dict[str, str]] = []
    check_directories([folder], errors)
    assert errors == []  # no directory is fine
    (folder / "organisations.yaml").write_text(GOOD.replace("topics: [funding]", "topics: [knitting]"), "utf-8")
    check_directories([folder], errors)
    assert errors[0]["path"] == "knowledge/organisations.yaml" and "unknown topics" in errors[0]["error"]


@pytest.fixture(scope="module")
def organisations():
    return load_organisations(FIXTURES / "organisations.yaml")


def ids(found) -> list[str]:
    return [o.id for o in found]


def test_the_topic_and_the_askers_country_decide(organisations):
    legal = {"legal-form": 1.5}
    assert ids(match_organisations(organisations, legal, "nb", "hvordan registrerer jeg et AS"))[0] == "brreg"
    assert ids(match_organisations(organisations, legal, "sv", "hur registrerar jag ett aktiebolag"))[0] == "bolagsverket"
    # A Norwegian asking about Sweden gets the Swedish agency.
    assert "bolagsverket" in ids(match_organisations(organisations, legal, "nb", "hvordan registrerer jeg et AS i Sverige"))
    assert "brreg" not in ids(match_organisations(organisations, legal, "sv", "hur registrerar jag ett aktiebolag"))


def test_regional_services_only_where_the_question_is(organisations):
    legal = {"legal-form": 1.0, "social-enterprise": 0.5}
    in_ostersund = ids(match_organisations(organisations, legal, "sv", "starta kooperativ i Östersund"))
    assert in_ostersund[0] == "coompanion-jamtland"
    assert "coompanion-jamtland" not in ids(match_organisations(organisations, legal, "sv", "starta kooperativ i Malmö"))
    assert "coompanion-jamtland" in ids(match_organisations(organisations, legal, "sv", "starta kooperativ", region="Jämtland"))
    funding = {"funding": 1.0}
    assert "trondelag-fylkeskommune" in ids(match_organisations(organisations, funding, "nb", "tilskudd i Steinkjer"))
    assert "trondelag-fylkeskommune" not in ids(match_organisations(organisations, funding, "nb", "tilskudd i Bergen"))


def test_a_named_organisation_is_attached_even_without_topical_material(organisations):
    assert ids(match_organisations(organisations, {}, "sv", "kan Arvsfonden ge pengar till oss?")) == ["arvsfonden"]
    assert ids(match_organisations(organisations, {}, "nb", "hva er klokka")) == []
    # A keyword must be a whole word unless it is marked as a word beginning.
    assert ids(match_organisations(organisations, {}, "nb", "søke oppstartstilskuddet")) == ["innovasjon-norge"]


def test_at_most_two_and_the_offer_in_the_askers_language(organisations):
    found = match_organisations(organisations, {"funding": 1.0, "cross-border": 1.0}, "nn",
                                "samarbeid med Jämtland frå Trøndelag")
    assert len(found) == 2 and found[0].id == "interreg-sverige-norge"
    assert found[0].ref("nn").offer.startswith("Finansierer samarbeidsprosjekt med minst éin")
