"""Calls with deadlines: recognising "what can I apply for now", listing the open ones soonest deadline first, never
offering an expired one, and saying so when a question names a closed call; on a fixed clock."""

import datetime as dt

import pytest

from bot.assistant import AnswerPolicy, Assistant
from bot.calls import asks_for_open_calls, named_closed_call, open_calls
from bot.compose import Composer
from bot.i18n import Translator
from bot.live_index import FixedSnapshot
from bot.mentors import load_mentors
from bot.models import Chunk, Question
from bot.organisations import load_organisations
from bot.retrieval import Retriever
from bot.snapshot import IndexSnapshot
from ingest.loaders import LoadError, _clean_meta
from tests.conftest import FIXTURES

TODAY = dt.date(2026, 12, 1)


def call(doc_id: str, title: str, until: str, country: str = "NO", rolling: bool = False) -> Chunk:
    return Chunk(id=f"{doc_id}#0", text=f"{title}. Søk her.", doc_id=doc_id, title=title, section="", path=f"{doc_id}.md",
                 lang=doc_id[-2:], kind="call", country=country, url=f"https://example.org/{doc_id}",
                 valid_until=until, rolling=rolling)


CALLS = [
    call("call-later-nb", "Tilskudd til bygdeutvikling 2027", "2027-05-01"),
    call("call-soon-nb", "Tilskudd til inkludering vinter", "2027-01-15"),
    call("call-rolling-nb", "Oppstartstilskudd (løpende søknad)", "2027-06-30", rolling=True),
    call("call-closed-nb", "Interreg Aurora utlysning høsten 2026", "2026-10-07", country="both"),
    call("call-border-nb", "Grenseprosjekt med svensk partner", "2027-03-01", country="both"),
    call("call-border-sv", "Gränsprojekt med norsk partner", "2027-03-01", country="both"),
    call("call-arvs-sv", "Projektstöd från fonden (löpande)", "2027-06-30", country="SE", rolling=True),
    Chunk(id="m05-funding-nb#0", text="Finansiering.", doc_id="m05-funding-nb", title="Finansiering", section="",
          path="m05.md", lang="nb", kind="module", country="NO", module=5),
]


@pytest.mark.parametrize("question", [
    "hvilke tilskudd kan jeg søke nå?", "kva tilskot kan eg søkje på no?", "vilka bidrag kan jag söka nu?",
    "which grants can I apply for now?", "finnes det åpne utlysninger?", "vilka utlysningar är öppna?",
])
def test_questions_about_open_calls_are_recognised(question: str):
    assert asks_for_open_calls(question)


@pytest.mark.parametrize("question", [
    "hvordan skriver jeg en god søknad", "hva er et tilskudd", "hur mycket aktiekapital behövs",
    "når må jeg registrere meg i mva-registeret",
])
def test_other_questions_are_not_taken_for_a_listing(question: str):
    assert not asks_for_open_calls(question)


def test_open_calls_soonest_deadline_first_rolling_last_expired_never():
    listed = [c.chunk.doc_id for c in open_calls(CALLS, "nb", "hvilke tilskudd kan jeg søke nå", TODAY)]
    assert listed == ["call-soon-nb", "call-border-nb", "call-later-nb", "call-rolling-nb"]
    assert "call-closed-nb" not in listed
    # The day after a deadline, that call is gone.
    later = [c.chunk.doc_id for c in open_calls(CALLS, "nb", "hvilke tilskudd kan jeg søke nå", dt.date(2027, 1, 16))]
    assert "call-soon-nb" not in later and later[0] == "call-border-nb"


def test_the_country_and_the_language_version_follow_the_asker():
    swedish = [c.chunk.doc_id for c in open_calls(CALLS, "sv", "vilka bidrag kan jag söka nu", TODAY)]
    assert swedish == ["call-border-sv", "call-arvs-sv"]
    about_sweden = [c.chunk.doc_id for c in open_calls(CALLS, "nb", "hvilke tilskudd kan jeg søke i Sverige nå", TODAY)]
    assert about_sweden == ["call-border-nb", "call-arvs-sv"]


def test_a_closed_call_is_found_only_when_named():
    closed = named_closed_call(CALLS, "kan jeg søke Interreg Aurora utlysningen fra høsten 2026?", "nb", TODAY)
    assert closed is not None and closed.chunk.doc_id == "call-closed-nb"
    assert named_closed_call(CALLS, "hvilke tilskudd kan jeg søke nå", "nb", TODAY) is None
    assert named_closed_call(CALLS, "Interreg Aurora utlysning høsten 2026", "nb", dt.date(2026, 9, 1)) is None


def test_a_call_needs_a_valid_until_date():
    with pytest.raises(LoadError, match="a call needs valid_until"):
        _clean_meta({"kind": "call", "title": "x"})
    with pytest.raises(LoadError, match="rolling"):
        _clean_meta({"kind": "call", "valid_until": dt.date(2027, 1, 1), "rolling": "often"})
    assert _clean_meta({"kind": "call", "valid_until": dt.date(2027, 1, 1), "rolling": True})["valid_until"] == "2027-01-01"


@pytest.fixture(scope="module")
def assistant(detector):
    snapshot = IndexSnapshot.build(CALLS, 1)
    translator = Translator()
    return Assistant(
        Retriever(None, FixedSnapshot(snapshot)), detector, translator, Composer(translator),
        load_mentors(FIXTURES / "mentors.yaml"), None,
        AnswerPolicy(0.88, 0.78, 0.65, 0.84, k=6, max_question_chars=2000), today=TODAY,
        organisations=load_organisations(FIXTURES / "organisations.yaml"),
    )


def test_the_assistant_lists_open_calls_in_the_askers_language(assistant):
    answer = assistant.answer(Question("hvilke tilskudd kan jeg søke nå?"))
    assert answer.language == "nb" and answer.confident and answer.composer == "calls"
    lines = answer.answer.splitlines()
    assert lines[0] == "Åpne nå, med nærmeste frist først:"
    assert lines[1] == "• Tilskudd til inkludering vinter — søknadsfrist 15. januar 2027"
    assert lines[4].startswith("• Oppstartstilskudd (løpende søknad) — løpende, søk når som helst")
    assert "Aurora" not in answer.answer
    assert [s.id for s in answer.sources][:2] == ["call-soon-nb", "call-border-nb"]
    assert answer.read_next[0].id == "m05-funding-nb"
    assert answer.organisations and answer.organisations[0].id == "innovasjon-norge"
    assert answer.to_json()["organisations"][0] == {
        "id": "innovasjon-norge", "name": "Innovasjon Norge", "url": "https://www.innovasjonnorge.no/",
        "offer": "Gir tilskudd, lån og rådgivning til gründere med nye forretningsidéer som kan vokse, også i distriktene.",
    }


def test_the_assistant_says_a_named_call_has_closed(assistant):
    answer = assistant.answer(Question("kan jeg fortsatt søke Interreg Aurora utlysning høsten 2026?"))
    assert answer.answer.startswith("«Interreg Aurora utlysning høsten 2026» stengte 7. oktober 2026")
    assert answer.sources[0].id == "call-closed-nb"
    swedish = assistant.answer(Question("vilka bidrag kan jag söka nu?"))
    assert swedish.answer.startswith("Öppna nu, med närmaste sista ansökningsdag först:")
    assert "• Gränsprojekt med norsk partner — sista ansökningsdag 1 mars 2027" in swedish.answer
