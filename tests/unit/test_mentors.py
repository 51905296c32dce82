from pathlib import Path

import pytest

from bot.mentors import MentorFileError, load_mentors, match_mentors, topic_of
from bot.models import Chunk, Hit
from tests.conftest import FIXTURES


def hit(doc_id: str) -> Hit:
    chunk = Chunk(id=doc_id + "#0", text="t", doc_id=doc_id, title="t", section="", path="p", lang=doc_id[-2:],
                  kind="module", country="NO")
    return Hit(chunk=chunk, score=1.0, dense=0.9)


def test_topic_of_module_ids():
    assert topic_of("m04-legal-form-nb") == "legal-form"
    assert topic_of("a-first-30-days-nb") is None


def test_matching_on_topic_language_and_region():
    mentors = load_mentors(FIXTURES / "mentors.yaml")
    assert [m.id for m in match_mentors(mentors, [hit("m12-rural-nn")], "nn", "bygdebutikk")][0] == "m-ola-sample"
    swedish = match_mentors(mentors, [hit("m04-legal-form-sv")], "sv", "hur startar jag ett aktiebolag")
    assert swedish[0].id == "m-sven-sample"
    trondheim = match_mentors(mentors, [hit("m12-rural-nb")], "nb", "bygdebutikk i Trondheim")
    assert "m-kari-sample" in [m.id for m in trondheim]


def test_the_country_the_question_is_about_breaks_a_tie():
    mentors = load_mentors(FIXTURES / "mentors.yaml")
    # Kari (Trøndelag) and Sven (Jämtland) both cover legal form and read Bokmål or Swedish respectively.
    assert match_mentors(mentors, [hit("m04-legal-form-nb")], "en", "how do I register an AS in Norway")[0].id == "m-kari-sample"
    assert match_mentors(mentors, [hit("m04-legal-form-sv")], "en", "how do I register an aktiebolag in Sweden")[0].id == "m-sven-sample"


def test_malformed_mentor_file_is_reported(tmp_path: Path):
    path = tmp_path / "mentors.yaml"
    path.write_text("mentors:\n  - id: x\n    name: X\n    organisation: O\n    languages: [nb]\n    topics: [knitting]\n")
    with pytest.raises(MentorFileError, match="unknown topics"):
        load_mentors(path)
    assert load_mentors(tmp_path / "absent.yaml") == []


def test_regions_are_named_by_whole_words_only():
    from bot.mentors import regions_in

    assert regions_in("hvor mye kan jeg tjene i året") == set()
    assert regions_in("våre frivillige og Kåre") == set()
    assert regions_in("vi holder til i Åre") == {"Jämtland"}
    assert regions_in("Östersunds kommun") == {"Jämtland"}
    assert regions_in("i Mo i Rana og Trondheim") == {"Nordland", "Trøndelag"}
